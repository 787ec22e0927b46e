/**
 * Web push from the page: the installation's VAPID key and this device's subscription. (The
 * service worker answers notification buttons with the route table directly: it has no session
 * and no page.)
 */
import { call } from './call.js';

export const fetchPushKey = (token: string) => call('pushKey', { token });

/** Registers (or renews) a browser's subscription as this device's. */
export const savePushSubscription = (token: string, device: string, sub: PushSubscriptionJSON) =>
  call('savePushSubscription', {
    token,
    params: { device },
    body: {
      endpoint: sub.endpoint ?? '',
      keys: { p256dh: sub.keys?.p256dh ?? '', auth: sub.keys?.auth ?? '' },
      expirationTime: sub.expirationTime ?? null,
    },
  });
