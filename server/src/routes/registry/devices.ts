/**
 * Devices: register (credentials shown once), list (with last heartbeat, battery, signal and
 * whether a technician is needed), re-issue and revoke credentials, mark faulty or returned,
 * and a device's recent battery and signal for the technician's chart.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { API, TryggError, type Pool } from '@trygg/alarm-core';
import {
  findDeviceBySerial,
  getDevice,
  listDevices,
  registerDevice,
  reissueCredentials,
  revokeCredentials,
  setDeviceStatus,
  telemetrySeries,
  updateDevice,
} from '@trygg/devices';
import { serve } from '../serve.js';

export interface DeviceRouteOptions {
  pool: Pool;
  /** Cuts a device's live connection (the MQTT gateway) after its credentials are revoked or it is returned. */
  disconnect: (deviceId: string) => void;
  /** The realm the SCAIP receiver challenges with (TRYGG_SIP_REALM); SCAIP credentials are bound to it. */
  sipRealm: string;
}

const devices: FastifyPluginAsyncTypebox<DeviceRouteOptions> = async (app, { pool, disconnect, sipRealm }) => {
  serve(app, API.listDevices, { action: 'device:read' }, async (req) => {
    const { serial, attention, ...f } = req.query;
    if (serial) {
      const d = await findDeviceBySerial(pool, serial);
      return { devices: d ? [d] : [] };
    }
    return { devices: await listDevices(pool, { ...f, attention: attention === 'true' }) };
  });

  serve(app, API.registerDevice, { action: 'device:write' }, async (req) => {
    const made = await registerDevice(pool, req.body, { sipRealm });
    // The credentials are in the answer only, never in a log line.
    req.log.info({ device: made.device.id, serial: made.device.serial, by: req.principal?.userId }, 'device registered');
    return made;
  });

  serve(app, API.getDevice, { action: 'device:read' }, async (req) => getDevice(pool, req.params.id));

  serve(app, API.updateDevice, { action: 'device:write' }, async (req) => {
    const device = await updateDevice(pool, req.params.id, req.body);
    req.log.info({ device: device.id, fields: Object.keys(req.body), by: req.principal?.userId }, 'device changed');
    return device;
  });

  serve(app, API.reissueDeviceCredentials, { action: 'device:write' }, async (req) => {
    const credentials = await reissueCredentials(pool, req.params.id, { sipRealm });
    req.log.info({ device: req.params.id, by: req.principal?.userId }, 'device credentials re-issued');
    return { credentials };
  });

  serve(app, API.revokeDeviceCredentials, { action: 'device:write' }, async (req) => {
    const device = await revokeCredentials(pool, req.params.id);
    disconnect(device.id);
    req.log.info({ device: device.id, by: req.principal?.userId }, 'device credentials revoked');
    return device;
  });

  serve(app, API.setDeviceStatus, { action: 'device:write' }, async (req) => {
    const device = await setDeviceStatus(pool, req.params.id, req.body.status);
    if (device.status === 'returned') disconnect(device.id);
    req.log.info({ device: device.id, status: device.status, by: req.principal?.userId }, 'device status changed');
    return device;
  });

  serve(app, API.deviceHealthSeries, { action: 'device:read' }, async (req) => {
    const hours = Number(req.query.hours ?? 24);
    if (hours > 24 * 31) throw new TryggError('TRYGG_ERR_VALIDATION', 'at most 744 hours');
    return telemetrySeries(pool, req.params.id, hours);
  });
};
export default devices;
