/** The night staff's phone app. */
import { call } from './call.js';

export const fetchStaffOverview = (token: string) => call('staffOverview', { token });
