/**
 * The REST route map: every operation by name. The server registers from it, the OpenAPI document
 * is generated from it, and the web app's data layer is generated from it (dashboard/app/src/data).
 */
import { alarmsApi } from './alarms.js';
import { auditApi } from './audit.js';
import { authApi } from './auth.js';
import { breakGlassApi } from './break-glass.js';
import { dataApi } from './data.js';
import { devicesApi } from './devices.js';
import { healthApi } from './health.js';
import { journalApi } from './journal.js';
import { oauthApi } from './oauth.js';
import { policiesApi } from './policies.js';
import { pushApi } from './push.js';
import { reachApi } from './reach.js';
import { registryApi } from './registry.js';
import { relativesApi } from './relatives.js';
import { residentApi } from './resident.js';
import { signinApi } from './signin.js';
import { staffApi } from './staff.js';
import { statisticsApi } from './statistics.js';
import { technicianApi } from './technician.js';
import { supervisionApi } from './supervision.js';
import { telemetryApi } from './telemetry.js';

export * from './route.js';
export * from './alarms.js';
export * from './audit.js';
export * from './auth.js';
export * from './break-glass.js';
export * from './data.js';
export * from './devices.js';
export * from './health.js';
export * from './journal.js';
export * from './oauth.js';
export * from './policies.js';
export * from './push.js';
export * from './reach.js';
export * from './registry.js';
export * from './relatives.js';
export * from './resident.js';
export * from './signin.js';
export * from './staff.js';
export * from './statistics.js';
export * from './technician.js';
export * from './supervision.js';
export * from './telemetry.js';

export const API = {
  ...alarmsApi,
  ...staffApi,
  ...technicianApi,
  ...residentApi,
  ...relativesApi,
  ...statisticsApi,
  ...policiesApi,
  ...pushApi,
  ...reachApi,
  ...authApi,
  ...signinApi,
  ...oauthApi,
  ...breakGlassApi,
  ...registryApi,
  ...devicesApi,
  ...telemetryApi,
  ...supervisionApi,
  ...journalApi,
  ...auditApi,
  ...dataApi,
  ...healthApi,
} as const;

export type Api = typeof API;
export type RouteName = keyof Api;
