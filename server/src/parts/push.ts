/**
 * Web push to people's phones and browsers: the VAPID keys (kept in the database), the guard
 * on push endpoints, and the notifier that signs Accept / Decline into each message.
 */
import type { Principal } from '@trygg/alarm-core';
import { EndpointGuard, PushEncryptor, VapidAuth, WebPushNotifier, loadVapidKeys } from '@trygg/dashboard';
import { RecentOutcomes } from '../health/recent-outcomes.js';
import { started, type Part } from './part.js';

export interface Push {
  webPush: WebPushNotifier;
  guard: EndpointGuard;
  vapidPublicKey: string;
}

declare module './part.js' {
  interface Parts {
    push: Push;
  }
}

export const push: Part<'push'> = {
  name: 'push',
  start: ({ config, logger, options, get, health }) =>
    started(logger, async () => {
      const { pool } = get('database');
      const { tokens } = get('identity');
      const vapidKeys = await loadVapidKeys(pool);
      const guard = new EndpointGuard({
        allowOrigins: config.pushAllowOrigins,
        ...(options.pushResolve ? { resolve: options.pushResolve } : {}),
      });
      const outcomes = new RecentOutcomes();
      // Not fatal: someone push cannot reach is skipped and the chain goes on (docs/escalation.md).
      health.register({ name: 'push', check: () => outcomes.report('push service') });
      const webPush = new WebPushNotifier({
        observe: (outcome, error) => (outcome === 'ok' ? outcomes.ok() : outcomes.failed(error)),
        db: pool,
        guard,
        timeoutMs: config.notifyTimeoutS * 1000,
        vapid: new VapidAuth(vapidKeys, config.vapidSubject),
        encryptor: new PushEncryptor(),
        logger,
        signAction: async (c) => {
          const { rows } = await pool.query<{ display_name: string; roles: Principal['roles']; locale: string }>(
            'SELECT display_name, roles, locale FROM users WHERE id = $1',
            [c.userId],
          );
          const u = rows[0];
          if (!u) throw new Error(`no user ${c.userId}`);
          const principal = { userId: c.userId, name: u.display_name, roles: u.roles, locale: u.locale };
          return tokens.issueAction(principal, c, config.pushActionTtlSeconds);
        },
      });
      return { webPush, guard, vapidPublicKey: vapidKeys.publicKey };
    }),
};
