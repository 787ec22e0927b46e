/**
 * The relative's side: an administrator makes a single-use invitation link for a relative; the
 * link signs the relative in (creating their account on first use); a signed-in relative sees
 * only the alarms of their own person, who took each and when it was resolved.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { Alarm, ErrorEnvelope, LoginResponse, TryggError, type Pool } from '@trygg/alarm-core';
import { createUser, newSecret } from '@trygg/devices';
import type { TokenService } from '../auth/tokens.js';

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope };
const hash = (token: string) => createHash('sha256').update(token).digest('hex');
const INVITATION_DAYS = 7;

const relatives: FastifyPluginAsyncTypebox<{ pool: Pool; tokens: TokenService }> = async (app, { pool, tokens }) => {
  app.get(
    '/api/relatives',
    {
      config: { action: 'relative:invite', audit: { entity: 'relative', subtype: 'search' } },
      schema: {
        tags: ['relatives'],
        response: {
          200: Type.Object({
            relatives: Type.Array(
              Type.Object({
                id: Type.String(),
                name: Type.String(),
                relation: Type.Union([Type.String(), Type.Null()]),
                residentId: Type.String(),
                residentName: Type.String(),
                signedUp: Type.Boolean(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const { rows } = await pool.query<{
        id: string;
        name: string;
        relation: string | null;
        residentId: string;
        residentName: string;
        signedUp: boolean;
      }>(
        `SELECT r.id, r.name, r.relation, r.resident_id AS "residentId", res.name AS "residentName", r.user_id IS NOT NULL AS "signedUp"
           FROM relatives r JOIN residents res ON res.id = r.resident_id ORDER BY res.name, r.chain_order, r.name`,
      );
      req.audit.patients(rows.map((r) => r.residentId));
      return { relatives: rows };
    },
  );

  app.post(
    '/api/relatives/:id/invitations',
    {
      config: { action: 'relative:invite' },
      schema: {
        tags: ['relatives'],
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: Type.Object({ token: Type.String(), path: Type.String(), expiresAt: Type.String() }), ...errors },
      },
    },
    async (req) => {
      const rel = await pool.query('SELECT 1 FROM relatives WHERE id = $1', [req.params.id]);
      if (rel.rowCount === 0) throw new TryggError('TRYGG_ERR_NOT_FOUND', `no relative ${req.params.id}`);
      const token = randomBytes(32).toString('base64url');
      const { rows } = await pool.query<{ expires_at: Date }>(
        `INSERT INTO relative_invitations (id, relative_id, token_hash, created_by, expires_at)
         VALUES ($1, $2, $3, $4, now() + $5 * interval '1 day') RETURNING expires_at`,
        [randomUUID(), req.params.id, hash(token), req.principal?.userId ?? null, INVITATION_DAYS],
      );
      req.log.info({ relativeId: req.params.id, by: req.principal?.userId }, 'relative invitation made');
      // The token travels in the fragment: never sent to a server in a Referer or an access log.
      return { token, path: `/#invitation=${token}`, expiresAt: rows[0]?.expires_at.toISOString() ?? '' };
    },
  );

  app.post(
    '/api/auth/invitation',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        body: Type.Object({ token: Type.String({ minLength: 20, maxLength: 100 }) }, { additionalProperties: false }),
        response: { 200: LoginResponse, 401: ErrorEnvelope },
      },
    },
    async (req) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        // Single use: the first to mark it used wins; a second use finds nothing.
        const inv = await client.query<{ relative_id: string }>(
          `UPDATE relative_invitations SET used_at = now()
            WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING relative_id`,
          [hash(req.body.token)],
        );
        const relativeId = inv.rows[0]?.relative_id;
        if (!relativeId) {
          await client.query('ROLLBACK');
          req.log.warn({ code: 'TRYGG_ERR_INVITATION_INVALID', ip: req.ip }, 'invitation refused');
          throw new TryggError('TRYGG_ERR_INVITATION_INVALID');
        }
        const rel = await client.query<{ user_id: string | null; name: string }>(
          'SELECT user_id, name FROM relatives WHERE id = $1 FOR UPDATE',
          [relativeId],
        );
        let userId = rel.rows[0]?.user_id ?? null;
        if (!userId) {
          userId = `user-rel-${relativeId}`;
          // An account that only invitation links open: its password is random and never shown.
          await createUser(client, {
            id: userId,
            username: `rel-${relativeId}`,
            displayName: rel.rows[0]?.name ?? relativeId,
            roles: ['relative'],
            password: newSecret(24),
          });
          await client.query('UPDATE relatives SET user_id = $1 WHERE id = $2', [userId, relativeId]);
        }
        const u = await client.query<{
          display_name: string;
          roles: ('relative' | 'staff')[];
          locale: string;
          session_epoch: number;
        }>('SELECT display_name, roles, locale, session_epoch FROM users WHERE id = $1', [userId]);
        await client.query('COMMIT');
        const row = u.rows[0];
        if (!row) throw new TryggError('TRYGG_ERR_INTERNAL', 'invited user missing');
        const principal = { userId, name: row.display_name, roles: row.roles, locale: row.locale };
        const { token, expiresAt } = await tokens.issue(principal, undefined, row.session_epoch);
        req.log.info({ userId, relativeId }, 'signed in by invitation');
        return { token, expiresAt, user: principal };
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
  );

  app.get(
    '/api/relative/alarms',
    {
      config: { action: 'relative:read', audit: { entity: 'alarm', subtype: 'search' } },
      schema: {
        tags: ['relatives'],
        response: {
          200: Type.Object({
            people: Type.Array(
              Type.Object({ residentId: Type.String(), name: Type.String(), relation: Type.Union([Type.String(), Type.Null()]) }),
            ),
            alarms: Type.Array(Alarm),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const userId = req.principal?.userId ?? '';
      const people = await pool.query<{ residentId: string; name: string; relation: string | null }>(
        // Only people whose consent to share with this relative stands (withdrawn = consent_at cleared).
        `SELECT r.resident_id AS "residentId", res.name, r.relation
           FROM relatives r JOIN residents res ON res.id = r.resident_id
          WHERE r.user_id = $1 AND r.consent_at IS NOT NULL ORDER BY res.name`,
        [userId],
      );
      const ids = people.rows.map((p) => p.residentId);
      // Only their own person's alarms: open ones, and those closed in the last 30 days.
      const alarms = await pool.query<{ doc: Alarm }>(
        `SELECT doc FROM alarms WHERE resident_id = ANY($1) AND doc->>'class' = 'care'
            AND (closed_at IS NULL OR closed_at > now() - interval '30 days')
          ORDER BY opened_at DESC LIMIT 50`,
        [ids],
      );
      req.audit.patients(ids);
      return { people: people.rows, alarms: alarms.rows.map((r) => r.doc) };
    },
  );
};
export default relatives;
