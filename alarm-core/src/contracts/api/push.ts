/**
 * Web push: the installation's public VAPID key, each person's subscriptions (per device), and
 * the endpoint a notification's Accept / Decline buttons call from the service worker with the
 * action token the message carried (no signed-in page needed, so it works from the lock screen).
 */
import Type, { type Static } from 'typebox';
import { Alarm } from '../alarm.js';
import { PushActionRequest, PushReceiptRequest, PushSubscriptionBody } from '../push.js';
import { route, SIGNED_IN } from './route.js';

/** A name for this browser, chosen by the web app and kept in it. */
export const PushDeviceParams = Type.Object({
  device: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }),
});

export const PushDevice = Type.Object({ device: Type.String(), createdAt: Type.String() });
export type PushDevice = Static<typeof PushDevice>;

const errors = [...SIGNED_IN, 404, 409] as const;

export const pushApi = {
  pushKey: route({
    method: 'GET',
    path: '/api/push/key',
    tag: 'push',
    summary: "The installation's public VAPID key (applicationServerKey)",
    response: Type.Object({ publicKey: Type.String() }),
    errors,
  }),
  listPushDevices: route({
    method: 'GET',
    path: '/api/push/subscriptions',
    tag: 'push',
    summary: 'Your devices that get push notifications',
    response: Type.Object({ devices: Type.Array(PushDevice) }),
    errors,
  }),
  savePushSubscription: route({
    method: 'PUT',
    path: '/api/push/subscriptions/:device',
    tag: 'push',
    summary: "Registers this device's push subscription (or renews it)",
    params: PushDeviceParams,
    body: PushSubscriptionBody,
    response: Type.Object({
      id: Type.String(),
      replaced: Type.Array(Type.String(), {
        description: 'your devices this one displaced: a person keeps the newest TRYGG_PUSH_MAX_SUBSCRIPTIONS',
      }),
    }),
    errors,
  }),
  deletePushSubscription: route({
    method: 'DELETE',
    path: '/api/push/subscriptions/:device',
    tag: 'push',
    summary: 'Stops push notifications to this device',
    params: PushDeviceParams,
    response: Type.Object({ removed: Type.Boolean() }),
    errors,
  }),
  pushAction: route({
    method: 'POST',
    path: '/api/push/actions',
    tag: 'push',
    summary: 'Accept or decline from a notification button; `Authorization: Bearer <action token from the push message>`.',
    body: PushActionRequest,
    response: Type.Object({ alarm: Alarm }),
    errors,
  }),
  pushReceipt: route({
    method: 'POST',
    path: '/api/push/receipts',
    tag: 'push',
    summary:
      'The service worker confirms a notification reached the phone (`delivered`) or was opened (`seen`); `Authorization: Bearer <action token from the push message>`.',
    body: PushReceiptRequest,
    response: Type.Object({ recorded: Type.Boolean() }),
    errors,
  }),
} as const;
