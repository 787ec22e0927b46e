/**
 * A type test (compiled by `npm run typecheck`, never run): the registry's, journal's and
 * health's handlers must answer what their contracts say. Each `@ts-expect-error` fails the build
 * the day the compiler would let the mistake through.
 */
import { API, type Device, type JournalEntry } from '@trygg/alarm-core';
import { serve, type App } from '../serve.js';

export function registryContractHoldsTheServer(app: App, device: Device, entry: JournalEntry): void {
  // @ts-expect-error a device's status is one of the contract's, not any string
  serve(app, API.getDevice, {}, async () => ({ ...device, status: 'lost' }));
  serve(app, API.getDevice, {}, async () => device);
  // @ts-expect-error the device list is `{ devices }`, not a bare array
  serve(app, API.listDevices, {}, async () => []);
  // @ts-expect-error readiness is `ready` or `not-ready`
  serve(app, API.readiness, {}, async () => ({ status: 'ok', database: true, store: true, broker: true }));
  // @ts-expect-error a journal entry's state is the contract's
  serve(app, API.resendJournalEntry, {}, async () => ({ ...entry, status: 'lost' }));
  serve(app, API.setDeviceStatus, {}, async (req) => {
    // @ts-expect-error a technician may not set a device active by hand
    const active: typeof req.body.status = 'active';
    void active;
    throw new Error(req.params.id);
  });
  serve(app, API.deviceTelemetrySeries, {}, async (req) => {
    // @ts-expect-error the metric is one of the contract's metrics
    const metric: typeof req.query.metric = 'humidity';
    void metric;
    throw new Error(req.params.id);
  });
}
