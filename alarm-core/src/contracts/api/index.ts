/**
 * The REST route map: every operation by name. The server registers from it, the OpenAPI document
 * is generated from it, and the web app's data layer is generated from it (dashboard/app/src/data).
 */
import { alarmsApi } from './alarms.js';
import { authApi } from './auth.js';
import { breakGlassApi } from './break-glass.js';
import { oauthApi } from './oauth.js';
import { policiesApi } from './policies.js';
import { pushApi } from './push.js';
import { relativesApi } from './relatives.js';
import { residentApi } from './resident.js';
import { staffApi } from './staff.js';
import { statisticsApi } from './statistics.js';

export * from './route.js';
export * from './alarms.js';
export * from './auth.js';
export * from './break-glass.js';
export * from './oauth.js';
export * from './policies.js';
export * from './push.js';
export * from './relatives.js';
export * from './resident.js';
export * from './staff.js';
export * from './statistics.js';

export const API = {
  ...alarmsApi,
  ...staffApi,
  ...residentApi,
  ...relativesApi,
  ...statisticsApi,
  ...policiesApi,
  ...pushApi,
  ...authApi,
  ...oauthApi,
  ...breakGlassApi,
} as const;

export type Api = typeof API;
export type RouteName = keyof Api;
