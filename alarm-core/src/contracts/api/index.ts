/**
 * The REST route map: every operation by name. The server registers from it, the OpenAPI document
 * is generated from it, and the web app's data layer is generated from it (dashboard/app/src/data).
 */
import { alarmsApi } from './alarms.js';
import { auditApi } from './audit.js';
import { dataApi } from './data.js';
import { devicesApi } from './devices.js';
import { healthApi } from './health.js';
import { journalApi } from './journal.js';
import { registryApi } from './registry.js';
import { staffApi } from './staff.js';
import { telemetryApi } from './telemetry.js';

export * from './route.js';
export * from './alarms.js';
export * from './staff.js';
export * from './registry.js';
export * from './devices.js';
export * from './telemetry.js';
export * from './journal.js';
export * from './audit.js';
export * from './data.js';
export * from './health.js';

export const API = {
  ...alarmsApi,
  ...staffApi,
  ...registryApi,
  ...devicesApi,
  ...telemetryApi,
  ...journalApi,
  ...auditApi,
  ...dataApi,
  ...healthApi,
} as const;

export type Api = typeof API;
export type RouteName = keyof Api;
