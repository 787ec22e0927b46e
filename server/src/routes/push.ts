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
import Type from 'typebox';
import {
  Alarm,
  ErrorEnvelope,
  PushActionRequest,
  PushSubscriptionBody,
  TryggError,
  type AlarmEngine,
  type Pool,
} from '@trygg/alarm-core';
import {
  deleteSubscription,
  listSubscriptions,
  saveSubscription,
  validateSubscriptionKeys,
  type EndpointGuard,
} from '@trygg/dashboard';
import { actorRole } from '../actor.js';

const Device = Type.Object({ device: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }) });
const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope, 409: ErrorEnvelope };

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
  app.get(
    '/api/push/key',
    {
      config: { action: 'push:subscribe' },
      schema: { tags: ['push'], response: { 200: Type.Object({ publicKey: Type.String() }), ...errors } },
    },
    async () => ({ publicKey: vapidPublicKey }),
  );

  app.get(
    '/api/push/subscriptions',
    {
      config: { action: 'push:subscribe' },
      schema: {
        tags: ['push'],
        response: {
          200: Type.Object({ devices: Type.Array(Type.Object({ device: Type.String(), createdAt: Type.String() })) }),
          ...errors,
        },
      },
    },
    async (req) => ({ devices: await listSubscriptions(pool, req.principal?.userId ?? '') }),
  );

  app.put(
    '/api/push/subscriptions/:device',
    {
      config: { action: 'push:subscribe' },
      schema: {
        tags: ['push'],
        params: Device,
        body: PushSubscriptionBody,
        response: {
          200: Type.Object({
            id: Type.String(),
            replaced: Type.Array(Type.String(), {
              description: 'your devices this one displaced: a person keeps the newest TRYGG_PUSH_MAX_SUBSCRIPTIONS',
            }),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const p = req.principal;
      if (!p) throw new TryggError('TRYGG_ERR_UNAUTHENTICATED');
      validateSubscriptionKeys(req.body.keys);
      const url = await guard.check(req.body.endpoint);
      const { id, replaced } = await saveSubscription(pool, p.userId, req.params.device, req.body, maxSubscriptions);
      req.log.info({ userId: p.userId, device: req.params.device, origin: url.origin, replaced }, 'push subscription saved');
      return { id, replaced };
    },
  );

  app.delete(
    '/api/push/subscriptions/:device',
    {
      config: { action: 'push:subscribe' },
      schema: { tags: ['push'], params: Device, response: { 200: Type.Object({ removed: Type.Boolean() }), ...errors } },
    },
    async (req) => ({ removed: await deleteSubscription(pool, req.principal?.userId ?? '', req.params.device) }),
  );

  app.post(
    '/api/push/actions',
    {
      config: { action: 'alarm:command', actionToken: true },
      schema: {
        tags: ['push'],
        description:
          'Accept or decline from a notification button; `Authorization: Bearer <action token from the push message>`.',
        body: PushActionRequest,
        response: { 200: Type.Object({ alarm: Alarm }), ...errors },
      },
    },
    async (req) => {
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
      return { alarm };
    },
  );
};
export default push;
