/** Supervision quality (the flaky list) and the monthly user tests of alarm buttons. */
import { call } from './call.js';

/** Devices heard in fewer than the threshold share of their heartbeat slots, worst first. */
export const fetchFlakyDevices = (token: string) => call('flakyDevices', { token, query: {} });

/** Alarm buttons whose monthly user test is overdue. */
export const fetchUserTestsDue = (token: string) => call('userTestsDue', { token, query: {} });

/** Marks an alarm as the resident's user test of the button. */
export const recordUserTest = (token: string, alarmId: string) => call('recordUserTest', { token, params: { id: alarmId } });
