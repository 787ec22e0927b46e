/**
 * The service worker: shows push alerts (with Accept / Decline buttons on an alert) and answers
 * a button straight to the API with the short-lived action token the message carried, so a
 * night nurse or a relative can take an alarm from the lock screen with no page open.
 *
 * One notification per alarm on the phone (`tag` = alarm id): a newer message for the alarm
 * replaces the older one ("taken by Nina" replaces the alert); a redelivered or older message
 * (`seq` not newer than what is shown) is ignored, so each notification shows once.
 *
 * Built by Vite as its own entry (`/sw.js`, scope `/`). Worker types are declared here because
 * the app's DOM types and the worker's do not mix in one program.
 */
import type { Api, PushActionRequest, PushPayload, PushReceiptRequest } from '@trygg/alarm-core';

/**
 * The notification buttons' route, held to the route map by the compiler. Not imported from the
 * generated table: the worker is a classic script and must stay one file, and an import shared
 * with the app would make it load the app's chunk.
 */
const ACTION_ROUTE = { method: 'POST', path: '/api/push/actions' } as const satisfies Pick<Api['pushAction'], 'method' | 'path'>;
/** Where the worker confirms a message reached the phone, or was opened (the same rules as above). */
const RECEIPT_ROUTE = { method: 'POST', path: '/api/push/receipts' } as const satisfies Pick<
  Api['pushReceipt'],
  'method' | 'path'
>;

/**
 * Tells Trygg this message reached the phone (`delivered`) or was opened (`seen`): without the
 * receipt, Trygg tries the person's next channel (SMS) at the step's receipt timeout. Best effort:
 * a receipt that cannot be sent changes nothing on the phone.
 */
async function receipt(p: PushPayload, state: PushReceiptRequest['state']): Promise<void> {
  if (!p.actionToken) return;
  const body: PushReceiptRequest = { state };
  try {
    await fetch(RECEIPT_ROUTE.path, {
      method: RECEIPT_ROUTE.method,
      headers: { authorization: `Bearer ${p.actionToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    // Offline for a moment: the receipt timeout decides.
  }
}

interface ShownNotification {
  data: unknown;
  close(): void;
}
interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface PushEvent extends ExtendableEvent {
  data: { json(): unknown; text(): string } | null;
}
interface NotificationEvent extends ExtendableEvent {
  action: string;
  notification: ShownNotification;
}
interface WindowClient {
  url: string;
  focus(): Promise<unknown>;
}
interface WorkerScope {
  registration: {
    showNotification(title: string, options: Record<string, unknown>): Promise<void>;
    getNotifications(filter?: { tag?: string }): Promise<ShownNotification[]>;
  };
  clients: {
    claim(): Promise<void>;
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<WindowClient[]>;
    openWindow(url: string): Promise<unknown>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', fn: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'push', fn: (e: PushEvent) => void): void;
  addEventListener(type: 'notificationclick', fn: (e: NotificationEvent) => void): void;
}

const sw = globalThis as unknown as WorkerScope;

/** Keeps the worker alive until `work` settles. Synthetic events (devtools, tests) cannot be extended; they still run. */
function extend(e: ExtendableEvent, work: Promise<unknown>): void {
  try {
    e.waitUntil(work);
  } catch {
    // An untrusted event refuses waitUntil (InvalidStateError); the work runs regardless.
  }
}

sw.addEventListener('install', (e) => extend(e, sw.skipWaiting()));
sw.addEventListener('activate', (e) => extend(e, sw.clients.claim()));

function isPayload(v: unknown): v is PushPayload {
  const p = v as Partial<PushPayload> | null;
  return typeof p === 'object' && p !== null && typeof p.alarmId === 'string' && typeof p.notificationId === 'string';
}

async function show(p: PushPayload): Promise<void> {
  const shown = await sw.registration.getNotifications({ tag: p.alarmId });
  for (const n of shown) {
    const d = n.data as Partial<PushPayload> | null;
    // Shown already, or a newer message for this alarm is on screen: nothing to do.
    if (d?.notificationId === p.notificationId || (d?.seq ?? 0) > p.seq) return;
  }
  await sw.registration.showNotification(p.title, {
    body: p.body,
    tag: p.alarmId,
    icon: '/icon.svg',
    badge: '/icon.svg',
    lang: '',
    renotify: p.kind === 'alert',
    requireInteraction: p.kind === 'alert',
    actions: p.actions,
    data: p,
  });
}

sw.addEventListener('push', (e) => {
  let payload: unknown = null;
  try {
    payload = e.data?.json() ?? null;
  } catch {
    payload = null;
  }
  // Shown (or already on screen): it reached this phone, which is what the receipt says.
  if (isPayload(payload)) {
    const p = payload;
    extend(
      e,
      show(p).then(() => receipt(p, 'delivered')),
    );
  }
});

async function answer(p: PushPayload, action: 'accept' | 'decline'): Promise<void> {
  let ok = false;
  try {
    const body: PushActionRequest = { action };
    const res = await fetch(ACTION_ROUTE.path, {
      method: ACTION_ROUTE.method,
      headers: { authorization: `Bearer ${p.actionToken ?? ''}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    ok = res.ok;
  } catch {
    ok = false;
  }
  // Say what happened in the same place (the notification), in the person's language.
  await sw.registration.showNotification(p.title, {
    body: ok ? p.done[action] : p.done.failed,
    tag: p.alarmId,
    icon: '/icon.svg',
    data: { ...p, actions: [], actionToken: null, kind: ok ? 'taken' : p.kind, answered: ok ? action : null },
    actions: [],
  });
}

async function openApp(): Promise<void> {
  const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows[0];
  if (open) await open.focus();
  else await sw.clients.openWindow('/');
}

sw.addEventListener('notificationclick', (e) => {
  const p = e.notification.data;
  e.notification.close();
  if (isPayload(p) && p.actionToken && (e.action === 'accept' || e.action === 'decline')) extend(e, answer(p, e.action));
  else extend(e, Promise.all([openApp(), isPayload(p) ? receipt(p, 'seen') : null]));
});
