/** Service-level statistics for the response centre. */
import { call } from './call.js';

/** Over the last `days` days (the server clamps them to 1–366). */
export const fetchStatistics = (token: string, days: number) => call('statistics', { token, query: { days: String(days) } });
