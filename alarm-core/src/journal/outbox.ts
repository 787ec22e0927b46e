/**
 * The journal outbox as the API reads and re-queues it: an alarm's delivery state, the entries
 * newest first, and a re-send (queued again from the start, forgetting a 202's follow-up address).
 */
import type { JournalEntry, JournalStatus } from '../contracts/journal.js';
import type { Pool } from '../db/pool.js';

type Db = Pick<Pool, 'query'>;

/** Queues an entry again from the start (a re-send forgets a 202's follow-up address). */
const RESEND = `UPDATE journal_outbox SET status = 'pending', next_attempt_at = now(), last_error = NULL, location = NULL`;

interface EntryRow {
  entry_id: string;
  kind: JournalEntry['kind'];
  alarm_id: string | null;
  resident_id: string | null;
  type: JournalEntry['type'];
  status: JournalEntry['status'];
  attempts: number;
  last_error: string | null;
  created_at: Date;
  journaled_at: Date | null;
}

const COLUMNS = `entry_id, kind, alarm_id, resident_id, record->>'type' AS type, status, attempts, last_error, created_at, journaled_at`;

const toEntry = (r: EntryRow): JournalEntry => ({
  id: r.entry_id,
  kind: r.kind,
  alarmId: r.alarm_id,
  residentId: r.resident_id,
  type: r.type,
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  createdAt: r.created_at.toISOString(),
  journaledAt: r.journaled_at?.toISOString() ?? null,
});

/** The delivery state of an alarm's journal entry, or null when it has none (it is not closed). */
export async function alarmJournalStatus(db: Db, alarmId: string): Promise<JournalStatus | null> {
  const { rows } = await db.query<{
    status: JournalEntry['status'];
    attempts: number;
    last_error: string | null;
    journaled_at: Date | null;
  }>('SELECT status, attempts, last_error, journaled_at FROM journal_outbox WHERE alarm_id = $1', [alarmId]);
  const r = rows[0];
  if (!r) return null;
  return { status: r.status, attempts: r.attempts, lastError: r.last_error, journaledAt: r.journaled_at?.toISOString() ?? null };
}

/** Queues an alarm's journal entry again; its new state, or null when it has none. */
export async function resendAlarmJournal(db: Db, alarmId: string): Promise<JournalStatus | null> {
  const { rows } = await db.query<{ status: JournalEntry['status']; attempts: number }>(
    `${RESEND} WHERE alarm_id = $1 RETURNING status, attempts`,
    [alarmId],
  );
  const r = rows[0];
  return r ? { status: r.status, attempts: r.attempts, lastError: null, journaledAt: null } : null;
}

export interface JournalEntryFilter {
  /** One state, or `undelivered` (pending, sent or failed); all when absent. */
  status?: JournalEntry['status'] | 'undelivered';
  limit: number;
}

/** Outbox entries, newest first. */
export async function listJournalEntries(db: Db, f: JournalEntryFilter): Promise<JournalEntry[]> {
  const where = f.status === undefined ? '' : f.status === 'undelivered' ? `WHERE status <> 'journaled'` : `WHERE status = $2`;
  const { rows } = await db.query<EntryRow>(
    `SELECT ${COLUMNS} FROM journal_outbox ${where} ORDER BY created_at DESC LIMIT $1`,
    f.status === undefined || f.status === 'undelivered' ? [f.limit] : [f.limit, f.status],
  );
  return rows.map(toEntry);
}

/** Queues an entry again; the entry as it now stands, or null when there is no such entry. */
export async function resendJournalEntry(db: Db, entryId: string): Promise<JournalEntry | null> {
  const { rows } = await db.query<EntryRow>(`${RESEND} WHERE entry_id = $1 RETURNING ${COLUMNS}`, [entryId]);
  return rows[0] ? toEntry(rows[0]) : null;
}
