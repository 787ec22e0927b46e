/**
 * Staying signed in on one's own phone and getting back in without an administrator: renewing
 * the access session (rotating refresh tokens, lasting.ts), the person's signed-in devices and
 * their revocation (by the person, or by an administrator), redeeming a single-use sign-in link,
 * and "send me a new sign-in link" by SMS (signin-links.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { API, TryggError } from '@trygg/alarm-core';
import type { LastingSignIns } from '../auth/lasting.js';
import type { SignInLinks } from '../auth/signin-links.js';
import type { SessionStates } from '../auth/sessions.js';
import type { TokenService } from '../auth/tokens.js';
import { bearer } from '../plugins/auth.js';
import type { SessionEnded } from './auth.js';
import { serve } from './serve.js';

export interface SignInRouteOptions {
  tokens: TokenService;
  sessions: SessionStates;
  lasting: LastingSignIns;
  links: SignInLinks;
  /** Requests per minute from one address (renewals, links). */
  attemptsPerMinute: number;
  onSessionEnded: (ended: SessionEnded) => void;
}

const signin: FastifyPluginAsyncTypebox<SignInRouteOptions> = async (
  app,
  { tokens, sessions, lasting, links, attemptsPerMinute, onSessionEnded },
) => {
  /** Ends the access sessions of revoked devices here and on the live channel. */
  const ended = (revoked: readonly { userId: string; sessionId: string | null }[]) => {
    sessions.forget(revoked.map((r) => r.sessionId));
    for (const r of revoked) if (r.sessionId) onSessionEnded({ userId: r.userId, sessionId: r.sessionId });
  };

  serve(
    app,
    API.refreshSession,
    // A phone renews every quarter of an hour or so; several tabs, a NAT: generous, still a limit.
    { public: true, rateLimit: { max: attemptsPerMinute * 3, timeWindow: 60_000 } },
    async (req) => {
      const renewal = await lasting.renew(req.body.refreshToken);
      if ('session' in renewal) {
        req.log.info({ userId: renewal.session.user.userId, deviceId: renewal.session.deviceId }, 'session renewed');
        const { deviceId: _, ...session } = renewal.session;
        return session;
      }
      if (renewal.refused === 'reused') {
        req.log.warn(
          { code: 'TRYGG_ERR_REFRESH_REUSED', userId: renewal.userId, deviceId: renewal.deviceId, ip: req.ip },
          'refresh token used twice: its device is signed out',
        );
        if (renewal.userId) ended([{ userId: renewal.userId, sessionId: renewal.sessionId ?? null }]);
        throw new TryggError('TRYGG_ERR_REFRESH_REUSED');
      }
      req.log.info({ code: 'TRYGG_ERR_UNAUTHENTICATED', reason: renewal.refused, userId: renewal.userId }, 'renewal refused');
      throw new TryggError('TRYGG_ERR_UNAUTHENTICATED', 'this sign-in has ended; sign in again');
    },
  );

  serve(app, API.signInByLink, { public: true, rateLimit: { max: attemptsPerMinute, timeWindow: 60_000 } }, async (req) => {
    const redeemed = await links.redeem(req.body.token);
    if ('refused' in redeemed) {
      req.log.warn({ code: 'TRYGG_ERR_SIGNIN_LINK_INVALID', reason: redeemed.refused, ip: req.ip }, 'sign-in link refused');
      throw new TryggError('TRYGG_ERR_SIGNIN_LINK_INVALID');
    }
    const session = await lasting.signIn(redeemed.user, redeemed.sessionEpoch, req.headers['user-agent']);
    req.log.info({ userId: redeemed.user.userId, purpose: redeemed.purpose, alarmId: redeemed.alarmId }, 'signed in by link');
    return { ...session, alarmId: redeemed.alarmId };
  });

  serve(
    app,
    API.requestSignInLink,
    {
      public: true,
      rateLimit: { max: attemptsPerMinute, timeWindow: 60_000 },
      // No resident's data; the request is on the trail all the same (who asked from where, when).
      audit: { entity: 'signin-link', subtype: 'create' },
    },
    async (req, reply) => {
      const outcome = await links.request(req.body.phone, req.ip);
      if (outcome === 'unavailable') {
        req.log.warn({ code: 'TRYGG_ERR_SMS_UNAVAILABLE' }, 'sign-in link asked for, but no SMS gateway');
        throw new TryggError('TRYGG_ERR_SMS_UNAVAILABLE');
      }
      if (outcome === 'limited') throw new TryggError('TRYGG_ERR_RATE_LIMITED');
      req.log.info({ ip: req.ip }, 'sign-in link requested');
      void reply.status(202);
      return { accepted: true as const };
    },
  );

  /** The signed-in device of this request's session, if it is a lasting one. */
  const currentDevice = async (token: string | null) => (token ? (await tokens.verifySession(token)).device : null);

  serve(app, API.myDevices, { action: 'me:read' }, async (req) => {
    const userId = req.principal?.userId ?? '';
    const current = await currentDevice(bearer(req));
    return { devices: (await lasting.list(userId)).map((d) => ({ ...d, current: d.id === current })) };
  });

  serve(app, API.revokeMyDevice, { action: 'session:end' }, async (req) => {
    const userId = req.principal?.userId ?? '';
    const revoked = await lasting.revoke(userId, req.params.id, 'by-person');
    if (revoked.length === 0) throw new TryggError('TRYGG_ERR_NOT_FOUND', 'no such signed-in device');
    req.log.info({ userId, deviceId: req.params.id }, 'device signed out by its person');
    ended(revoked);
    return { revoked: true as const };
  });

  serve(app, API.userDevices, { action: 'signin:admin' }, async (req) => ({
    devices: (await lasting.list(req.params.id)).map((d) => ({ ...d, current: false })),
  }));

  serve(
    app,
    API.revokeUserDevices,
    { action: 'signin:admin', audit: { entity: 'signin-device', subtype: 'delete' } },
    async (req) => {
      const revoked = await lasting.revoke(req.params.id, null, 'by-admin');
      req.log.info(
        { userId: req.params.id, by: req.principal?.userId, devices: revoked.length },
        'devices signed out by an administrator',
      );
      ended(revoked);
      return { revoked: revoked.length };
    },
  );
};
export default signin;
