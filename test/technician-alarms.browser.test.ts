/**
 * Technical alarms reach a technician who can act (issue 19): a real MQTT device reports a low
 * battery; the technician's app on a phone-sized Chromium shows the alarm live (the people
 * stream, no reload), the technician accepts ("I'm going") and resolves it with a note there; the
 * closed technical alarm writes no patient-journal record. Around it, through the real API: a
 * technician may not act on a care alarm even when a policy names technicians, and a policy with
 * `journalTechnical: true` does put a technical alarm into the journal.
 *
 * The technician has the app on a phone (a push subscription at the faithful push service): a
 * person with no channel is recorded unreachable and never alerted (docs/escalation.md).
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { LocalPushService, type TestSubscription } from '@trygg/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOTS, launchBrowser, signIn } from './support/browser.js';
import { startTestService, type TestService } from './support/service.js';
import type { Alarm } from './support/types.js';

let svc: TestService;
let browser: Browser;
let page: Page;
let pushService: LocalPushService;
let techPhone: TestSubscription;

beforeAll(async () => {
  pushService = new LocalPushService();
  await pushService.start();
  svc = await startTestService({ config: { pushAllowOrigins: [pushService.origin] } });
  // Tekla has the app on her phone: push reaches her.
  const { token } = await svc.login('tech');
  const vapidKey = (await svc.api<{ publicKey: string }>('GET', '/api/push/key', token)).body.publicKey;
  techPhone = pushService.subscribe(vapidKey);
  expect((await svc.api('PUT', '/api/push/subscriptions/tekla-phone', token, techPhone.json)).status).toBe(200);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'nb-NO', isMobile: true, hasTouch: true });
});

afterAll(async () => {
  await browser?.close();
  await svc?.stop();
  await pushService?.stop();
});

/** A demo device publishes one event over MQTT (QoS 1: resolved once Trygg committed it). */
async function publish(deviceId: string, type: string): Promise<void> {
  const dev = await svc.device(deviceId);
  const event = JSON.stringify({ id: randomUUID(), type, ts: new Date().toISOString() });
  await dev.publishAsync(`trygg/v1/devices/${deviceId}/events`, event, { qos: 1 });
}

/** The device's open (or latest) alarm of this type, once the engine has opened it. */
async function alarmOf(deviceId: string, type: string): Promise<Alarm> {
  let found: Alarm | undefined;
  await expect
    .poll(
      async () => {
        const { rows } = await svc.trygg.pool.query<{ doc: Alarm }>(
          'SELECT doc FROM alarms WHERE device_id = $1 AND type = $2 ORDER BY opened_at DESC LIMIT 1',
          [deviceId, type],
        );
        found = rows[0]?.doc;
        return found?.id ?? null;
      },
      { timeout: 15_000 },
    )
    .not.toBeNull();
  if (!found) throw new Error('unreachable');
  return found;
}

const command = async (username: string, alarmId: string, body: Record<string, unknown>) => {
  const { token } = await svc.login(username);
  return svc.api<{ alarm: Alarm; code?: string }>('POST', `/api/alarms/${alarmId}/commands`, token, {
    id: randomUUID(),
    ...body,
  });
};

const journalRows = async (alarmId: string) =>
  (await svc.trygg.pool.query('SELECT 1 FROM journal_outbox WHERE alarm_id = $1', [alarmId])).rowCount;

describe('technician app', () => {
  it('a battery-low alarm from a real MQTT device reaches the technician, who accepts and resolves it in the app; no journal record', async () => {
    await signIn(page, svc, 'tech');
    await page.locator('[data-action="alarms"]').click();
    await page.locator('[data-testid="no-alarms"]').waitFor();
    // The people stream is open: what follows arrives live, without a reload.
    await page.waitForFunction(() => document.body.dataset.connected === 'true');

    await publish('res-kari-button', 'technical.battery-low');
    const alarm = await alarmOf('res-kari-button', 'technical.battery-low');
    expect(alarm).toMatchObject({ class: 'technical', escalation: { chain: { source: 'default:technical' } } });
    expect(alarm.escalation.alerts.map((a) => [a.recipient.name, a.state])).toEqual([['Tekla Tekniker', 'pending']]);
    // … and her phone was sent the alert.
    await pushService.waitFor((m) => m.subscriptionId === techPhone.id && m.text.includes(alarm.id), 15_000);

    const card = page.locator(`article[data-alarm-id="${alarm.id}"]`);
    await card.waitFor({ timeout: 15_000 });
    expect(await card.getAttribute('data-state')).toBe('open');
    expect(await card.locator('h3').textContent()).toMatch(/Lavt batteri – Kari Nordmann/);
    expect((await page.locator('[data-testid="alarm-count"]').textContent())?.trim()).toBe('1');
    await page.screenshot({ path: `${SHOTS}technician-alarm-open.png`, fullPage: true });

    await card.locator('[data-action="accept"]').click();
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 15_000 }).toBe('claimed');
    expect(await card.locator('[data-testid="status"]').textContent()).toMatch(/Tekla Tekniker/);

    await card.locator('[data-action="resolve"]').click();
    await card.locator('textarea').fill('Byttet batteri i alarmknappen');
    await card.locator('[data-action="confirm-resolve"]').click();
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 15_000 }).toBe('resolved');
    await expect.poll(() => page.locator('[data-testid="alarm-count"]').count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}technician-alarm-resolved.png`, fullPage: true });

    const { rows } = await svc.trygg.pool.query<{ doc: Alarm }>('SELECT doc FROM alarms WHERE id = $1', [alarm.id]);
    expect(rows[0]?.doc).toMatchObject({
      state: 'resolved',
      claimedBy: { name: 'Tekla Tekniker', role: 'technician' },
      resolution: { note: 'Byttet batteri i alarmknappen' },
    });
    // A technical alarm closed: no patient-journal record (no policy asks for one).
    expect(await journalRows(alarm.id)).toBe(0);
  });

  it('a technician may not act on a care alarm, even one a policy sends to technicians, and does not see it', async () => {
    const admin = await svc.login('admin');
    const saved = await svc.api('PUT', '/api/escalation-policies', admin.token, {
      scope: 'resident',
      scopeId: 'res-per',
      alarmType: 'alarm.button',
      chain: { source: 'test', steps: [{ type: 'notify', to: ['technicians', 'response-centre'], timeoutS: 600 }] },
    });
    expect(saved.status).toBe(200);
    const care = await svc.raiseAlarm('res-per-button', 'alarm.button');
    expect(care.escalation.alerts.map((a) => a.recipient.name)).toContain('Tekla Tekniker');
    const refused = await command('tech', care.id, { type: 'accept' });
    expect([refused.status, refused.body.code]).toEqual([403, 'TRYGG_ERR_FORBIDDEN']);
    const { token } = await svc.login('tech');
    const mine = await svc.api<{ alarms: Alarm[] }>('GET', '/api/technician/alarms', token);
    expect(mine.status).toBe(200);
    expect(mine.body.alarms.map((a) => a.id)).not.toContain(care.id);
    // Night staff have no technician's list.
    const staff = await svc.login('staff1');
    expect((await svc.api('GET', '/api/technician/alarms', staff.token)).status).toBe(403);
  });

  it('a technical alarm is journaled when its policy says journalTechnical', async () => {
    const admin = await svc.login('admin');
    const saved = await svc.api('PUT', '/api/escalation-policies', admin.token, {
      scope: 'alarm-type',
      scopeId: 'technical.mains-failure',
      alarmType: null,
      chain: { source: 'test', steps: [{ type: 'notify', to: ['technicians'], timeoutS: 3600 }], journalTechnical: true },
    });
    expect(saved.status).toBe(200);
    await publish('res-astrid-button', 'technical.mains-failure');
    const alarm = await alarmOf('res-astrid-button', 'technical.mains-failure');
    expect(alarm.escalation.chain.journalTechnical).toBe(true);
    expect((await command('tech', alarm.id, { type: 'accept' })).status).toBe(200);
    const done = await command('tech', alarm.id, { type: 'resolve', note: 'Strømmen er tilbake' });
    expect(done.body.alarm?.state).toBe('resolved');
    expect(await journalRows(alarm.id)).toBe(1);
  });
});
