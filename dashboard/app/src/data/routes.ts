/**
 * Method and path of every REST route, by name: generated from the route map
 * (alarm-core/src/contracts/api) by dashboard/src/api-table.ts. Do not edit; run
 * `npx tsx dashboard/src/api-table.ts --write`.
 */
import type { Api } from '@trygg/alarm-core';

export const ROUTES = {
  listAlarms: { method: 'GET', path: '/api/alarms' },
  getAlarm: { method: 'GET', path: '/api/alarms/:id' },
  alarmCommand: { method: 'POST', path: '/api/alarms/:id/commands' },
  staffOverview: { method: 'GET', path: '/api/staff/overview' },
  listSites: { method: 'GET', path: '/api/sites' },
  createSite: { method: 'POST', path: '/api/sites' },
  listStaff: { method: 'GET', path: '/api/staff' },
  createStaff: { method: 'POST', path: '/api/staff' },
  listShifts: { method: 'GET', path: '/api/shifts' },
  addShift: { method: 'POST', path: '/api/shifts' },
  deleteShift: { method: 'DELETE', path: '/api/shifts/:id' },
  listResidents: { method: 'GET', path: '/api/residents' },
  createResident: { method: 'POST', path: '/api/residents' },
  getResident: { method: 'GET', path: '/api/residents/:id' },
  setResidentConsent: { method: 'PUT', path: '/api/residents/:id/consent' },
  updateResident: { method: 'PATCH', path: '/api/residents/:id' },
  createRelative: { method: 'POST', path: '/api/relatives' },
  getRelative: { method: 'GET', path: '/api/relatives/:id' },
  updateRelative: { method: 'PATCH', path: '/api/relatives/:id' },
  deleteRelative: { method: 'DELETE', path: '/api/relatives/:id' },
  importRegistry: { method: 'POST', path: '/api/import/:kind' },
  listDevices: { method: 'GET', path: '/api/devices' },
  registerDevice: { method: 'POST', path: '/api/devices' },
  getDevice: { method: 'GET', path: '/api/devices/:id' },
  updateDevice: { method: 'PATCH', path: '/api/devices/:id' },
  reissueDeviceCredentials: { method: 'POST', path: '/api/devices/:id/credentials' },
  revokeDeviceCredentials: { method: 'DELETE', path: '/api/devices/:id/credentials' },
  setDeviceStatus: { method: 'POST', path: '/api/devices/:id/status' },
  deviceHealthSeries: { method: 'GET', path: '/api/devices/:id/telemetry' },
  createInstallation: { method: 'POST', path: '/api/installations' },
  listInstallations: { method: 'GET', path: '/api/installations' },
  swapDevice: { method: 'POST', path: '/api/devices/:id/swap' },
  startDeviceTest: { method: 'POST', path: '/api/devices/:id/tests' },
  listDeviceTests: { method: 'GET', path: '/api/devices/:id/tests' },
  getInstallationTest: { method: 'GET', path: '/api/installation-tests/:id' },
} as const satisfies { readonly [K in keyof Api]: { readonly method: Api[K]['method']; readonly path: Api[K]['path'] } };
