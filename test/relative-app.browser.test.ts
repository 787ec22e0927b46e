/**
 * The relative's phone app in a real browser: sign-in by a single-use invitation link, only their
 * own person's alarms, and the alarm taken from the notification's Accept button through the
 * service worker with no page open. The push travels through the faithful local push service
 * (VAPID checked, payload decrypted with the subscription's key); a real browser's subscription
 * can only reach its vendor's push service, which this closed machine cannot, so the phone's
 * subscription is made with keys the test owns and the decrypted message is handed to the
 * browser's service worker as the push event the browser would raise. axe-core checks WCAG 2.1 AA.
 */
import type { Browser, BrowserContext, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalPushService } from '@trygg/simulators';
import type { Alarm, PushPayload } from '@trygg/alarm-core';
import { axeViolations } from './support/axe.js';
import { SHOTS, launchBrowser, signIn } from './support/browser.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let browser: Browser;
let phone: BrowserContext;
let pushService: LocalPushService;

beforeAll(async () => {
  browser = await launchBrowser();
  pushService = new LocalPushService();
  await pushService.start();
  svc = await startTestService({ config: { pushAllowOrigins: [pushService.origin] } });
  phone = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, locale: 'nb-NO' });
  await phone.grantPermissions(['notifications'], { origin: svc.httpUrl });
});
afterAll(async () => {
  await browser?.close();
  await svc?.stop();
  await pushService?.stop();
});

/** An administrator makes the invitation link in the web app and copies it. */
const invitation = async (relativeId: string) => {
  const admin = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'nb-NO' });
  await signIn(admin, svc, 'admin');
  await admin.locator('nav [data-view="invitations"]').click();
  const row = admin.locator(`tr[data-relative="${relativeId}"]`);
  await row.locator('[data-action="invite"]').click();
  const link = (await row.getByTestId('invitation-link').textContent()) ?? '';
  await admin.screenshot({ path: `${SHOTS}admin-invitation.png`, fullPage: true });
  expect(await axeViolations(admin)).toEqual([]);
  await admin.close();
  const url = new URL(link);
  return { path: url.pathname + url.hash, token: url.hash.replace('#invitation=', '') };
};
const alarmById = async (id: string) => {
  const { token } = await svc.login('operator');
  return (await svc.api<{ alarm: Alarm }>('GET', `/api/alarms/${id}`, token)).body.alarm;
};

describe('relative app', () => {
  let page: Page;
  let sessionToken = '';

  it('signs in by an invitation link, once', async () => {
    const inv = await invitation('rel-res-kari-1');
    page = await phone.newPage();
    await page.goto(svc.httpUrl + inv.path);
    const title = page.getByRole('heading', { name: 'Alarmer for Kari Nordmann' });
    await title.waitFor({ timeout: 10_000 });
    expect(page.url()).not.toContain('invitation');
    await page.locator('[data-push-state]').first().waitFor();
    await page.screenshot({ path: `${SHOTS}relative-home.png`, fullPage: true });
    sessionToken = await page.evaluate(
      () => (JSON.parse(localStorage.getItem('trygg.session') ?? '{}') as { token: string }).token,
    );
    expect(sessionToken).toBeTruthy();
    // Single use: the same link a second time is refused.
    const again = await svc.api<{ code: string }>('POST', '/api/auth/invitation', null, { token: inv.token });
    expect([again.status, again.body.code]).toEqual([401, 'TRYGG_ERR_INVITATION_INVALID']);
    // A relative reads only their own person's alarms, and not the operators' queue.
    expect((await svc.api('GET', '/api/alarms', sessionToken)).status).toBe(403);
    // Two browser pages, two sign-ins, a screenshot and an accessibility check: 15–25 s on a busy machine.
  }, 60_000);

  it('accepts from the notification action through the service worker, with no page open', async () => {
    const worker: Worker = phone.serviceWorkers()[0] ?? (await phone.waitForEvent('serviceworker', { timeout: 10_000 }));
    // The phone's push subscription (keys owned by the test, see the header).
    const { body: key } = await svc.api<{ publicKey: string }>('GET', '/api/push/key', sessionToken);
    const sub = pushService.subscribe(key.publicKey);
    expect((await svc.api('PUT', '/api/push/subscriptions/ola-phone', sessionToken, sub.json)).status).toBe(200);
    await page.close();
    expect(phone.pages()).toHaveLength(0);

    const alarm = await svc.raiseAlarm('res-kari-button', 'alarm.button');
    const msg = await pushService.waitFor((m) => m.subscriptionId === sub.id && m.text.includes(alarm.id));
    const payload = JSON.parse(msg.text) as PushPayload;
    // The browser raises the push event in the service worker with the decrypted data.
    await worker.evaluate((text) => {
      const g = globalThis as unknown as { dispatchEvent(e: Event): boolean; PushEvent: new (t: string, i: object) => Event };
      g.dispatchEvent(new g.PushEvent('push', { data: text }));
    }, msg.text);
    const shown = async () =>
      worker.evaluate(async (tag) => {
        const g = globalThis as unknown as {
          registration: {
            getNotifications(f: object): Promise<{ title: string; body: string; actions?: { action: string }[] }[]>;
          };
        };
        const ns = await g.registration.getNotifications({ tag });
        return ns.map((n) => ({ title: n.title, body: n.body, actions: (n.actions ?? []).map((a) => a.action) }));
      }, alarm.id);
    await expect
      .poll(shown, { timeout: 10_000 })
      .toEqual([{ title: payload.title, body: 'Kan du ta den?', actions: ['accept', 'decline'] }]);
    // The same message again (a redelivery) is not shown twice.
    await worker.evaluate((text) => {
      const g = globalThis as unknown as { dispatchEvent(e: Event): boolean; PushEvent: new (t: string, i: object) => Event };
      g.dispatchEvent(new g.PushEvent('push', { data: text }));
    }, msg.text);
    expect(await shown()).toHaveLength(1);

    // Ola taps "Jeg drar" on the lock screen.
    await worker.evaluate(async (tag) => {
      const g = globalThis as unknown as {
        registration: { getNotifications(f: object): Promise<unknown[]> };
        dispatchEvent(e: Event): boolean;
        NotificationEvent: new (t: string, i: object) => Event;
      };
      const [n] = await g.registration.getNotifications({ tag });
      g.dispatchEvent(new g.NotificationEvent('notificationclick', { notification: n, action: 'accept' }));
    }, alarm.id);
    await expect.poll(async () => (await alarmById(alarm.id)).claimedBy?.name, { timeout: 10_000 }).toBe('Ola Nordmann');
    expect((await alarmById(alarm.id)).claimedBy?.role).toBe('relative');
    await expect.poll(async () => (await shown())[0]?.body).toBe('Du har tatt alarmen.');
    expect(phone.pages()).toHaveLength(0);
  });

  it('shows who took it and when it was resolved, and meets WCAG 2.1 AA', async () => {
    page = await phone.newPage();
    await page.goto(svc.httpUrl);
    const card = page.locator('trygg-people-alarm').first();
    await expect
      .poll(() => card.locator('[data-testid="status"]').textContent(), { timeout: 10_000 })
      .toMatch(/^Ola Nordmann tok den kl\. \d\d:\d\d$/);
    await page.screenshot({ path: `${SHOTS}relative-taken.png`, fullPage: true });
    expect(await axeViolations(page)).toEqual([]);
    // Ola resolves it from the app; the card says when.
    await card.locator('[data-action="arrived"]').click();
    await card.locator('[data-action="resolve"]').click();
    await card.locator('textarea').fill('Mamma hadde sklidd, alt bra');
    await card.locator('[data-action="confirm-resolve"]').click();
    await expect
      .poll(() => page.locator('[data-state="resolved"] [data-testid="status"]').first().textContent())
      .toMatch(/^Avsluttet kl\. \d\d:\d\d av Ola Nordmann$/);
    await page.screenshot({ path: `${SHOTS}relative-resolved.png`, fullPage: true });
    expect(await axeViolations(page)).toEqual([]);
  });
});
