/**
 * The journal for administrators: the backlog (counts, the oldest undelivered entry, whether
 * the alert stands), the entries newest first (filterable by state, with each one's last
 * error), and a re-send of any entry, alarm or dispenser event.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { API, TryggError, journalAlert, listJournalEntries, resendJournalEntry, type Pool } from '@trygg/alarm-core';
import { serve } from './serve.js';

const journalAdmin: FastifyPluginAsyncTypebox<{ pool: Pool; alertAfterS: number }> = async (app, { pool, alertAfterS }) => {
  serve(app, API.journalBacklog, { action: 'journal:admin' }, async () => journalAlert(pool, alertAfterS));

  serve(
    app,
    API.listJournalEntries,
    { action: 'journal:admin', audit: { entity: 'journal', subtype: 'search' } },
    async (req) => {
      const limit = Math.min(Number(req.query.limit ?? 50), 200);
      const entries = await listJournalEntries(pool, { limit, ...(req.query.status ? { status: req.query.status } : {}) });
      req.audit.patients(entries.map((e) => e.residentId));
      return { entries };
    },
  );

  serve(app, API.resendJournalEntry, { action: 'journal:admin' }, async (req) => {
    const entry = await resendJournalEntry(pool, req.params.id);
    if (!entry) throw new TryggError('TRYGG_ERR_NOT_FOUND', 'no journal entry with this id');
    req.log.info({ entryId: entry.id, by: req.principal?.userId }, 'journal entry queued again');
    return entry;
  });
};
export default journalAdmin;
