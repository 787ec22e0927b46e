/** Service-level statistics for the response centre, per site. Counts and times, no personal data. */
import Type, { type Static } from 'typebox';
import { route } from './route.js';

const Num = Type.Union([Type.Number(), Type.Null()]);

export const SiteStats = Type.Object({
  /** An institution's id, or `home` for everyone living at home. */
  site: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  alarms: Type.Integer(),
  accepted: Type.Integer(),
  within60: Type.Integer(),
  within180: Type.Integer(),
  acceptP50S: Num,
  acceptP90S: Num,
  resolveP50S: Num,
  resolveP90S: Num,
  /** Alarms opened in each of the last 24 hours, oldest first. */
  perHour: Type.Array(Type.Integer()),
});
export type SiteStats = Static<typeof SiteStats>;

export const Statistics = Type.Object({ days: Type.Integer(), since: Type.String(), sites: Type.Array(SiteStats) });
export type Statistics = Static<typeof Statistics>;

export const statisticsApi = {
  statistics: route({
    method: 'GET',
    path: '/api/statistics',
    tag: 'statistics',
    summary: 'Care alarms per site over the last days: counts, time to accept and to resolve, service levels',
    query: Type.Object(
      // Query strings are text (the app refuses type coercion): 1–3 digits, clamped to 1–366.
      { days: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })) },
      { additionalProperties: false },
    ),
    response: Statistics,
    errors: [400, 401, 403],
  }),
} as const;
