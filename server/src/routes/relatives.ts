/**
 * The relative's side: an administrator makes a single-use invitation link for a relative; the
 * link signs the relative in (creating their account on first use); a signed-in relative sees
 * only the alarms of their own person, who took each and when it was resolved.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  API,
  TryggError,
  createInvitation,
  linkRelativeAccount,
  listRelatives,
  lockRelative,
  readRelativeView,
  redeemInvitation,
  relativeExists,
  withTransaction,
  type Pool,
} from '@trygg/alarm-core';
import { createUser, newSecret, readUser } from '@trygg/devices';
import type { LastingSignIns } from '../auth/lasting.js';
import { serve } from './serve.js';

const hash = (token: string) => createHash('sha256').update(token).digest('hex');
const INVITATION_DAYS = 7;

const relatives: FastifyPluginAsyncTypebox<{ pool: Pool; lasting: LastingSignIns }> = async (app, { pool, lasting }) => {
  serve(app, API.listRelatives, { action: 'relative:invite', audit: { entity: 'relative', subtype: 'search' } }, async (req) => {
    const rows = await listRelatives(pool);
    req.audit.patients(rows.map((r) => r.residentId));
    return { relatives: rows };
  });

  serve(app, API.inviteRelative, { action: 'relative:invite' }, async (req) => {
    const relativeId = req.params.id;
    if (!(await relativeExists(pool, relativeId))) throw new TryggError('TRYGG_ERR_NOT_FOUND', `no relative ${relativeId}`);
    const token = randomBytes(32).toString('base64url');
    const expires = await createInvitation(pool, {
      id: randomUUID(),
      relativeId,
      tokenHash: hash(token),
      createdBy: req.principal?.userId ?? null,
      days: INVITATION_DAYS,
    });
    req.log.info({ relativeId, by: req.principal?.userId }, 'relative invitation made');
    // The token travels in the fragment: never sent to a server in a Referer or an access log.
    return { token, path: `/#invitation=${token}`, expiresAt: expires.toISOString() };
  });

  serve(app, API.signInByInvitation, { public: true }, async (req) => {
    const { userId, relativeId, user } = await withTransaction(pool, async (db) => {
      const relativeId = await redeemInvitation(db, hash(req.body.token));
      if (!relativeId) {
        req.log.warn({ code: 'TRYGG_ERR_INVITATION_INVALID', ip: req.ip }, 'invitation refused');
        throw new TryggError('TRYGG_ERR_INVITATION_INVALID');
      }
      const rel = await lockRelative(db, relativeId);
      let userId = rel?.userId ?? null;
      if (!userId) {
        userId = `user-rel-${relativeId}`;
        // An account that only invitation links open: its password is random and never shown.
        await createUser(db, {
          id: userId,
          username: `rel-${relativeId}`,
          displayName: rel?.name ?? relativeId,
          roles: ['relative'],
          password: newSecret(24),
        });
        await linkRelativeAccount(db, relativeId, userId);
      }
      return { userId, relativeId, user: await readUser(db, userId) };
    });
    if (!user) throw new TryggError('TRYGG_ERR_INTERNAL', 'invited user missing');
    const principal = { userId, name: user.displayName, roles: user.roles, locale: user.locale };
    // The relative stays signed in on this phone (lasting.ts): the next time needs no invitation.
    const session = await lasting.signIn(principal, user.sessionEpoch, req.headers['user-agent']);
    req.log.info({ userId, relativeId }, 'signed in by invitation');
    return session;
  });

  serve(app, API.relativeAlarms, { action: 'relative:read', audit: { entity: 'alarm', subtype: 'search' } }, async (req) => {
    const view = await readRelativeView(pool, req.principal?.userId ?? '');
    req.audit.patients(view.people.map((p) => p.residentId));
    return view;
  });
};
export default relatives;
