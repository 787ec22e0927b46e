/** The resident card of an alarm, and the key-safe code (for the operator who claimed it). */
import { call } from './call.js';

export const fetchResidentCard = (token: string, alarmId: string) => call('residentCard', { token, params: { id: alarmId } });

/** Audited on the server, a refusal too. */
export const revealKeySafe = (token: string, alarmId: string) => call('revealKeySafe', { token, params: { id: alarmId } });
