/**
 * Web push: the installation's public VAPID key, each person's subscriptions (per device), and
 * the endpoint a notification's Accept / Decline buttons call from the service worker with the
 * action token the message carried (no signed-in page needed, so it works from the lock screen).
 *
 * A subscription is a URL the server will POST to and keys it will encrypt for, handed in by any
 * signed-in person: the endpoint must pass the EndpointGuard (https, port 443, public addresses
 * only), the keys must be usable, and a person has at most `maxSubscriptions` devices.
 */
import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { API, TryggError, type AlarmEngine, type Pool } from '@trygg/alarm-core';
import {
  deleteSubscription,
  listSubscriptions,
  saveSubscription,
  validateSubscriptionKeys,
  type EndpointGuard,
} from '@trygg/dashboard';
import { actorRole } from '../actor.js';
import { serve } from './serve.js';

/** What the composition root gives the push routes beside the pool and the engine. */
export interface PushRouteOptions {
  vapidPublicKey: string;
  /** Where push endpoints may point (shared with the notifier, which checks again at send time). */
  guard: EndpointGuard;
  /** Devices per person; a new one beyond this replaces the oldest. */
  maxSubscriptions: number;
}

export interface PushRouteDeps extends PushRouteOptions {
  pool: Pool;
  engine: AlarmEngine;
}

const push: FastifyPluginAsyncTypebox<PushRouteDeps> = async (app, { pool, engine, vapidPublicKey, guard, maxSubscriptions }) => {
  serve(app, API.pushKey, { action: 'push:subscribe' }, async () => ({ publicKey: vapidPublicKey }));

  serve(app, API.listPushDevices, { action: 'push:subscribe' }, async (req) => ({
    devices: await listSubscriptions(pool, req.principal?.userId ?? ''),
  }));

  serve(app, API.savePushSubscription, { action: 'push:subscribe' }, async (req) => {
    const p = req.principal;
    if (!p) throw new TryggError('TRYGG_ERR_UNAUTHENTICATED');
    validateSubscriptionKeys(req.body.keys);
    const url = await guard.check(req.body.endpoint);
    const { id, replaced } = await saveSubscription(pool, p.userId, req.params.device, req.body, maxSubscriptions);
    req.log.info({ userId: p.userId, device: req.params.device, origin: url.origin, replaced }, 'push subscription saved');
    return { id, replaced };
  });

  serve(app, API.deletePushSubscription, { action: 'push:subscribe' }, async (req) => ({
    removed: await deleteSubscription(pool, req.principal?.userId ?? '', req.params.device),
  }));

  serve(app, API.pushAction, { action: 'alarm:command', actionToken: true }, async (req) => {
    const scope = req.actionScope;
    if (!scope) throw new TryggError('TRYGG_ERR_UNAUTHENTICATED');
    if (!scope.actions.includes(req.body.action))
      throw new TryggError('TRYGG_ERR_FORBIDDEN', 'the token does not allow this action');
    const p = scope.principal;
    // One command id per notification and action: a second tap (or a retry) is applied once.
    const id = `push-${createHash('sha256').update(`${scope.notificationId}|${req.body.action}`).digest('base64url').slice(0, 40)}`;
    const { alarm } = await engine.command(
      scope.alarmId,
      { id, type: req.body.action },
      { userId: p.userId, name: p.name, role: actorRole(p) },
    );
    // The answer came through push: a fact on the operator's card ("answered", accept / decline).
    await engine.deliveries
      .report({ notificationId: scope.notificationId, channel: 'push', state: 'answered', reason: req.body.action })
      .catch((err: unknown) =>
        req.log.warn({ err, notification: scope.notificationId }, 'answer not recorded as a delivery fact'),
      );
    return { alarm };
  });

  serve(app, API.pushReceipt, { action: 'push:subscribe', actionToken: true }, async (req) => {
    const scope = req.actionScope;
    if (!scope) throw new TryggError('TRYGG_ERR_UNAUTHENTICATED');
    const recorded = await engine.deliveries.take({
      notificationId: scope.notificationId,
      channel: 'push',
      state: req.body.state,
    });
    return { recorded };
  });
};
export default push;
