/**
 * The journal from the API: an alarm's record as FHIR R4 (JSON or XML), its delivery state and a
 * re-send; for administrators the backlog, the entries and a re-send of any entry.
 */
import Type from 'typebox';
import { JournalBacklogState, JournalEntry, JournalStatus } from '../journal.js';
import { route, UuidParams } from './route.js';

const errors = [400, 401, 403, 404] as const;

export const journalApi = {
  exportAlarmJournal: route({
    method: 'GET',
    path: '/api/alarms/:id/journal',
    tag: 'journal',
    summary: "An alarm's journal record: the FHIR R4 Bundle the journal receives, as JSON or XML (a download)",
    params: UuidParams,
    query: Type.Object({ format: Type.Optional(Type.Enum(['json', 'xml'])) }, { additionalProperties: false }),
    produces: 'application/fhir+json',
    errors,
  }),
  alarmJournalStatus: route({
    method: 'GET',
    path: '/api/alarms/:id/journal/status',
    tag: 'journal',
    summary: "Whether an alarm's record has reached the journal",
    params: UuidParams,
    response: JournalStatus,
    errors,
  }),
  resendAlarmJournal: route({
    method: 'POST',
    path: '/api/alarms/:id/journal/resend',
    tag: 'journal',
    summary: "Send an alarm's record to the journal again",
    params: UuidParams,
    response: JournalStatus,
    errors,
  }),
  journalBacklog: route({
    method: 'GET',
    path: '/api/journal/backlog',
    tag: 'journal',
    summary: 'Entries per state, the oldest undelivered one, and whether the alert stands',
    response: JournalBacklogState,
    errors,
  }),
  listJournalEntries: route({
    method: 'GET',
    path: '/api/journal/entries',
    tag: 'journal',
    summary: 'Journal entries, newest first (`undelivered`: pending, sent or failed)',
    query: Type.Object(
      {
        status: Type.Optional(Type.Enum(['pending', 'sent', 'journaled', 'failed', 'undelivered'])),
        limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$' })),
      },
      { additionalProperties: false },
    ),
    response: Type.Object({ entries: Type.Array(JournalEntry) }),
    errors,
  }),
  resendJournalEntry: route({
    method: 'POST',
    path: '/api/journal/entries/:id/resend',
    tag: 'journal',
    summary: 'Send a journal entry (alarm or dispenser event) again',
    params: UuidParams,
    response: JournalEntry,
    errors,
  }),
} as const;
