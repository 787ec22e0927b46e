/**
 * Devices and their installations: register (credentials shown once), list with their health,
 * change, re-issue and revoke credentials, mark faulty or returned, the technician's battery and
 * signal chart; install at a resident or room, swap, and the verified test after installing.
 */
import Type, { type Static } from 'typebox';
import { Id } from '../device-event.js';
import {
  DEVICE_STATUSES,
  Device,
  DeviceCredentials,
  DeviceInput,
  DeviceUpdate,
  Installation,
  InstallationInput,
  InstallationTest,
  TelemetrySeries,
} from '../registry.js';
import { REGISTRY_ERRORS as errors } from './registry.js';
import { IdParams, route } from './route.js';

/** A registered device with its credentials (shown once). */
export const DeviceRegistered = Type.Object({ device: Device, credentials: DeviceCredentials });
export type DeviceRegistered = Static<typeof DeviceRegistered>;

/** What a technician may set a device's status to by hand. */
export const DEVICE_MANUAL_STATUSES = ['faulty', 'returned', 'in_stock'] as const;

export const devicesApi = {
  listDevices: route({
    method: 'GET',
    path: '/api/devices',
    tag: 'devices',
    summary: 'Devices with last heartbeat, battery, signal and whether a technician is needed; or the one with a serial',
    query: Type.Object(
      {
        status: Type.Optional(Type.Enum(DEVICE_STATUSES)),
        residentId: Type.Optional(Id),
        serial: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        attention: Type.Optional(Type.Enum(['true', 'false'])),
      },
      { additionalProperties: false },
    ),
    response: Type.Object({ devices: Type.Array(Device) }),
    errors,
  }),
  registerDevice: route({
    method: 'POST',
    path: '/api/devices',
    tag: 'devices',
    summary: 'Register a device (its credentials are in the answer only)',
    body: DeviceInput,
    response: DeviceRegistered,
    status: 201,
    errors,
  }),
  getDevice: route({
    method: 'GET',
    path: '/api/devices/:id',
    tag: 'devices',
    summary: 'One device',
    params: IdParams,
    response: Device,
    errors,
  }),
  updateDevice: route({
    method: 'PATCH',
    path: '/api/devices/:id',
    tag: 'devices',
    summary: "Change a device's details (firmware, heartbeat interval …)",
    params: IdParams,
    body: DeviceUpdate,
    response: Device,
    errors,
  }),
  reissueDeviceCredentials: route({
    method: 'POST',
    path: '/api/devices/:id/credentials',
    tag: 'devices',
    summary: 'New credentials for a device (the old ones stop working)',
    params: IdParams,
    response: Type.Object({ credentials: DeviceCredentials }),
    errors,
  }),
  revokeDeviceCredentials: route({
    method: 'DELETE',
    path: '/api/devices/:id/credentials',
    tag: 'devices',
    summary: "Revoke a device's credentials and cut its connection",
    params: IdParams,
    response: Device,
    errors,
  }),
  setDeviceStatus: route({
    method: 'POST',
    path: '/api/devices/:id/status',
    tag: 'devices',
    summary: 'Mark a device faulty, returned or back in stock',
    params: IdParams,
    body: Type.Object({ status: Type.Enum(DEVICE_MANUAL_STATUSES) }, { additionalProperties: false }),
    response: Device,
    errors,
  }),
  deviceHealthSeries: route({
    method: 'GET',
    path: '/api/devices/:id/telemetry',
    tag: 'devices',
    summary: "A device's recent battery and signal, for the technician's chart",
    params: IdParams,
    query: Type.Object({ hours: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$' })) }, { additionalProperties: false }),
    response: TelemetrySeries,
    errors,
  }),
  createInstallation: route({
    method: 'POST',
    path: '/api/installations',
    tag: 'installations',
    summary: 'Install a device at a resident or a room',
    body: InstallationInput,
    response: Installation,
    status: 201,
    errors,
  }),
  listInstallations: route({
    method: 'GET',
    path: '/api/installations',
    tag: 'installations',
    summary: 'Installations (current ones unless `current=false`) of a resident, site or device',
    query: Type.Object(
      {
        residentId: Type.Optional(Id),
        siteId: Type.Optional(Id),
        deviceId: Type.Optional(Id),
        current: Type.Optional(Type.Enum(['true', 'false'])),
      },
      { additionalProperties: false },
    ),
    response: Type.Object({ installations: Type.Array(Installation) }),
    errors,
  }),
  swapDevice: route({
    method: 'POST',
    path: '/api/devices/:id/swap',
    tag: 'installations',
    summary: "Swap a device for another, keeping the installation's settings",
    params: IdParams,
    body: Type.Object({ newDeviceId: Id }, { additionalProperties: false }),
    response: Installation,
    errors,
  }),
  startDeviceTest: route({
    method: 'POST',
    path: '/api/devices/:id/tests',
    tag: 'installations',
    summary: 'Start the verified test of an installed device (it must send a test event before the deadline)',
    params: IdParams,
    response: InstallationTest,
    status: 201,
    errors,
  }),
  listDeviceTests: route({
    method: 'GET',
    path: '/api/devices/:id/tests',
    tag: 'installations',
    summary: "A device's installation tests",
    params: IdParams,
    response: Type.Object({ tests: Type.Array(InstallationTest) }),
    errors,
  }),
  getInstallationTest: route({
    method: 'GET',
    path: '/api/installation-tests/:id',
    tag: 'installations',
    summary: 'One installation test',
    params: IdParams,
    response: InstallationTest,
    errors,
  }),
} as const;
