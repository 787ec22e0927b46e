/**
 * What every way a device event arrives shares: the inbox (alarm-relevant events, committed
 * before the device is acknowledged), the telemetry writer (batched), the ingress metrics and
 * the store health readiness watches. The gateways (mqtt-broker.ts or mqtt-consumer.ts, and
 * scaip.ts) start after it and stop before it, so the last telemetry batch is flushed once no
 * gateway takes samples any more.
 */
import { Inbox } from '@trygg/alarm-core';
import { GatewayMetrics, TelemetryWriter, type ExternalBrokerConsumer, type MqttGateway } from '@trygg/gateway';
import { StoreHealth } from '../store-health.js';
import { started, type Part, type PartContext } from './part.js';

export interface Ingress {
  /** The inbox as the gateways use it, every store watched for readiness (store-health.ts). */
  inbox: Pick<Inbox, 'accept' | 'acceptWithOutcome' | 'alarmOf' | 'record' | 'expect'>;
  telemetry: TelemetryWriter;
  metrics: GatewayMetrics;
  storeHealth: StoreHealth;
}

declare module './part.js' {
  interface Parts {
    ingress: Ingress;
  }
}

/** The running MQTT side, the embedded broker or the external-broker consumer; null before it starts. */
export function deviceGateway(find: PartContext['find']): MqttGateway | ExternalBrokerConsumer | null {
  return find('mqttBroker')?.gateway ?? find('mqttConsumer')?.consumer ?? null;
}

export const ingress: Part<'ingress'> = {
  name: 'ingress',
  start: ({ logger, get, find, health }) =>
    started(logger, async (onStop) => {
      const db = get('database');
      const { engine } = get('engine');
      const metrics = new GatewayMetrics(() => find('mqttBroker')?.gateway.connectedDevices ?? 0);
      const inbox = new Inbox(db.alarmPool, engine, logger, { onWrite: metrics.commitObserver('inbox') });
      // Every event store is watched for readiness (store-health.ts).
      const storeHealth = new StoreHealth();
      const watchedInbox: Ingress['inbox'] = {
        accept: (deviceId, event) => storeHealth.watch(inbox.accept(deviceId, event)),
        acceptWithOutcome: (deviceId, event) => storeHealth.watch(inbox.acceptWithOutcome(deviceId, event)),
        alarmOf: (deviceId, eventId) => storeHealth.watch(inbox.alarmOf(deviceId, eventId)),
        record: (deviceId, event) => storeHealth.watch(inbox.record(deviceId, event)),
        expect: (deviceId, type) => inbox.expect(deviceId, type),
      };
      // Fatal: the database may answer a probe while every event insert fails (a full disk).
      health.register({
        name: 'event-store',
        fatal: true,
        check: () =>
          storeHealth.failing
            ? { state: 'down', detail: 'the last event stores failed (a full disk, a table that cannot be written?)' }
            : { state: 'ok', detail: 'event stores succeed' },
      });
      const telemetry = new TelemetryWriter(db.ingressPool, {
        relaxed: db.relaxedPool,
        onWrite: metrics.commitObserver('telemetry'),
        onRows: (n) => metrics.telemetryRows.inc(n),
      });
      onStop(() => telemetry.flush()); // after the gateways have stopped taking samples
      return { inbox: watchedInbox, telemetry, metrics, storeHealth };
    }),
};
