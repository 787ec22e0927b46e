/**
 * Devices: register (credentials shown once), list (with last heartbeat, battery, signal and
 * whether a technician is needed), re-issue and revoke credentials, mark faulty or returned,
 * and a device's recent battery and signal for the technician's chart.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  DEVICE_STATUSES,
  Device,
  DeviceCredentials,
  DeviceInput,
  DeviceUpdate,
  Id,
  TelemetrySeries,
  TryggError,
  type Pool,
} from '@trygg/alarm-core';
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
import { errors } from './errors.js';

const tags = ['devices'];
const Params = Type.Object({ id: Id });

export interface DeviceRouteOptions {
  pool: Pool;
  /** Cuts a device's live connection (the MQTT gateway) after its credentials are revoked or it is returned. */
  disconnect: (deviceId: string) => void;
  /** The realm the SCAIP receiver challenges with (TRYGG_SIP_REALM); SCAIP credentials are bound to it. */
  sipRealm: string;
}

const devices: FastifyPluginAsyncTypebox<DeviceRouteOptions> = async (app, { pool, disconnect, sipRealm }) => {
  app.get(
    '/api/devices',
    {
      config: { action: 'device:read' },
      schema: {
        tags,
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Enum(DEVICE_STATUSES)),
            residentId: Type.Optional(Id),
            serial: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            attention: Type.Optional(Type.Enum(['true', 'false'])),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ devices: Type.Array(Device) }), ...errors },
      },
    },
    async (req) => {
      const { serial, attention, ...f } = req.query;
      if (serial) {
        const d = await findDeviceBySerial(pool, serial);
        return { devices: d ? [d] : [] };
      }
      return { devices: await listDevices(pool, { ...f, attention: attention === 'true' }) };
    },
  );

  app.post(
    '/api/devices',
    {
      config: { action: 'device:write' },
      schema: {
        tags,
        body: DeviceInput,
        response: { 201: Type.Object({ device: Device, credentials: DeviceCredentials }), ...errors },
      },
    },
    async (req, reply) => {
      const made = await registerDevice(pool, req.body, { sipRealm });
      // The credentials are in the answer only, never in a log line.
      req.log.info({ device: made.device.id, serial: made.device.serial, by: req.principal?.userId }, 'device registered');
      return reply.status(201).send(made);
    },
  );

  app.get(
    '/api/devices/:id',
    { config: { action: 'device:read' }, schema: { tags, params: Params, response: { 200: Device, ...errors } } },
    async (req) => getDevice(pool, req.params.id),
  );

  app.patch(
    '/api/devices/:id',
    {
      config: { action: 'device:write' },
      schema: { tags, params: Params, body: DeviceUpdate, response: { 200: Device, ...errors } },
    },
    async (req) => {
      const device = await updateDevice(pool, req.params.id, req.body);
      req.log.info({ device: device.id, fields: Object.keys(req.body), by: req.principal?.userId }, 'device changed');
      return device;
    },
  );

  app.post(
    '/api/devices/:id/credentials',
    {
      config: { action: 'device:write' },
      schema: { tags, params: Params, response: { 200: Type.Object({ credentials: DeviceCredentials }), ...errors } },
    },
    async (req) => {
      const credentials = await reissueCredentials(pool, req.params.id, { sipRealm });
      req.log.info({ device: req.params.id, by: req.principal?.userId }, 'device credentials re-issued');
      return { credentials };
    },
  );

  app.delete(
    '/api/devices/:id/credentials',
    { config: { action: 'device:write' }, schema: { tags, params: Params, response: { 200: Device, ...errors } } },
    async (req) => {
      const device = await revokeCredentials(pool, req.params.id);
      disconnect(device.id);
      req.log.info({ device: device.id, by: req.principal?.userId }, 'device credentials revoked');
      return device;
    },
  );

  app.post(
    '/api/devices/:id/status',
    {
      config: { action: 'device:write' },
      schema: {
        tags,
        params: Params,
        body: Type.Object({ status: Type.Enum(['faulty', 'returned', 'in_stock']) }, { additionalProperties: false }),
        response: { 200: Device, ...errors },
      },
    },
    async (req) => {
      const device = await setDeviceStatus(pool, req.params.id, req.body.status);
      if (device.status === 'returned') disconnect(device.id);
      req.log.info({ device: device.id, status: device.status, by: req.principal?.userId }, 'device status changed');
      return device;
    },
  );

  app.get(
    '/api/devices/:id/telemetry',
    {
      config: { action: 'device:read' },
      schema: {
        tags,
        params: Params,
        querystring: Type.Object(
          { hours: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$' })) },
          { additionalProperties: false },
        ),
        response: { 200: TelemetrySeries, ...errors },
      },
    },
    async (req) => {
      const hours = Number(req.query.hours ?? 24);
      if (hours > 24 * 31) throw new TryggError('TRYGG_ERR_VALIDATION', 'at most 744 hours');
      return telemetrySeries(pool, req.params.id, hours);
    },
  );
};
export default devices;
