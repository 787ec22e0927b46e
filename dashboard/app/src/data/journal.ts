/** The patient journal for administrators: the backlog, the entries, and a re-send. */
import { call } from './call.js';

export const fetchJournalBacklog = (token: string) => call('journalBacklog', { token });

/** Entries newest first: all, or only those not yet in the journal. */
export const fetchJournalEntries = async (token: string, which: 'all' | 'undelivered') =>
  (await call('listJournalEntries', { token, query: which === 'all' ? {} : { status: 'undelivered' } })).entries;

/** Queues an entry again: the entry as it now stands. */
export const resendJournalEntry = (token: string, id: string) => call('resendJournalEntry', { token, params: { id } });
