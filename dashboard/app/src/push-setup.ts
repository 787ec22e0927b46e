/**
 * Alerts on this phone: registers the service worker, asks for permission, subscribes with the
 * installation's VAPID key and registers the subscription for this user and device. Says what
 * stands in the way when it cannot (no push in this browser, blocked, not installed).
 */
import { fetchPushKey, savePushSubscription } from './data/push.js';

export type PushState = 'unsupported' | 'denied' | 'prompt' | 'on' | 'failed';

const DEVICE_KEY = 'trygg.device';

/** A stable name for this browser installation (one subscription per user and device). */
export function deviceName(): string {
  try {
    let id = localStorage.getItem(DEVICE_KEY);
    if (!id) {
      id = `web-${crypto.randomUUID().slice(0, 8)}`;
      localStorage.setItem(DEVICE_KEY, id);
    }
    return id;
  } catch {
    return 'web';
  }
}

export function registerServiceWorker(): void {
  if ('serviceWorker' in navigator) void navigator.serviceWorker.register('/sw.js').catch(() => undefined);
}

/** Installed to the home screen (standalone), which iOS requires for web push. */
export function isInstalled(): boolean {
  return window.matchMedia('(display-mode: standalone)').matches;
}

export async function pushState(): Promise<PushState> {
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  if (Notification.permission === 'default') return 'prompt';
  const reg = await navigator.serviceWorker.getRegistration('/');
  const sub = await reg?.pushManager.getSubscription();
  return sub ? 'on' : 'prompt';
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const b64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** Turns alerts on for this phone; resolves with the resulting state. */
export async function enablePush(token: string): Promise<PushState> {
  if ((await pushState()) === 'unsupported') return 'unsupported';
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return permission === 'denied' ? 'denied' : 'prompt';
  try {
    const reg = await navigator.serviceWorker.register('/sw.js');
    await navigator.serviceWorker.ready;
    const { publicKey } = await fetchPushKey(token);
    const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
    await savePushSubscription(token, deviceName(), sub.toJSON());
    return 'on';
  } catch {
    // No push service reachable (offline, or a browser without one): say so, keep the app usable.
    return 'failed';
  }
}
