/**
 * The journal for administrators: the backlog (counts, the oldest undelivered entry, whether
 * the alert stands), the entries newest first (filterable by state, with each one's last
 * error), and a re-send of any entry, alarm or dispenser event.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  ErrorEnvelope,
  JournalBacklogState,
  JournalEntry,
  TryggError,
  journalAlert,
  type DeviceEventType,
  type Pool,
} from '@trygg/alarm-core';
import { RESEND } from './journal.js';

const errors = { 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope };

interface EntryRow {
  entry_id: string;
  kind: 'alarm' | 'dispenser';
  alarm_id: string | null;
  resident_id: string | null;
  type: DeviceEventType;
  status: JournalEntry['status'];
  attempts: number;
  last_error: string | null;
  created_at: Date;
  journaled_at: Date | null;
}

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

const COLUMNS = `entry_id, kind, alarm_id, resident_id, record->>'type' AS type, status, attempts, last_error, created_at, journaled_at`;

const journalAdmin: FastifyPluginAsyncTypebox<{ pool: Pool; alertAfterS: number }> = async (app, { pool, alertAfterS }) => {
  app.get(
    '/api/journal/backlog',
    {
      config: { action: 'journal:admin' },
      schema: { tags: ['journal'], response: { 200: JournalBacklogState, ...errors } },
    },
    async () => journalAlert(pool, alertAfterS),
  );

  app.get(
    '/api/journal/entries',
    {
      config: { action: 'journal:admin', audit: { entity: 'journal', subtype: 'search' } },
      schema: {
        tags: ['journal'],
        querystring: Type.Object(
          {
            // `undelivered` = pending, sent or failed.
            status: Type.Optional(Type.Enum(['pending', 'sent', 'journaled', 'failed', 'undelivered'])),
            limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ entries: Type.Array(JournalEntry) }), ...errors },
      },
    },
    async (req) => {
      const limit = Math.min(Number(req.query.limit ?? 50), 200);
      const status = req.query.status;
      const where = status === undefined ? '' : status === 'undelivered' ? `WHERE status <> 'journaled'` : `WHERE status = $2`;
      const { rows } = await pool.query<EntryRow>(
        `SELECT ${COLUMNS} FROM journal_outbox ${where} ORDER BY created_at DESC LIMIT $1`,
        status === undefined || status === 'undelivered' ? [limit] : [limit, status],
      );
      req.audit.patients(rows.map((r) => r.resident_id));
      return { entries: rows.map(toEntry) };
    },
  );

  app.post(
    '/api/journal/entries/:id/resend',
    {
      config: { action: 'journal:admin' },
      schema: {
        tags: ['journal'],
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: JournalEntry, ...errors },
      },
    },
    async (req) => {
      const { rows } = await pool.query<EntryRow>(`${RESEND} WHERE entry_id = $1 RETURNING ${COLUMNS}`, [req.params.id]);
      const r = rows[0];
      if (!r) throw new TryggError('TRYGG_ERR_NOT_FOUND', 'no journal entry with this id');
      req.log.info({ entryId: r.entry_id, by: req.principal?.userId }, 'journal entry queued again');
      return toEntry(r);
    },
  );
};
export default journalAdmin;
