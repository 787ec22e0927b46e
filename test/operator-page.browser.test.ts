/**
 * The operator page in a real browser (Debian's Chromium via playwright-core): sign in, watch an
 * alarm appear without reload when a device publishes, claim and resolve it, and survive a
 * dropped connection. Screenshots go to test-results/.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOTS, launchBrowser, signIn } from './support/browser.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  svc = await startTestService();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'nb-NO' });
});

afterAll(async () => {
  await browser?.close();
  await svc?.stop();
});

const publishAlarm = async (deviceId: string, type = 'alarm.button') => {
  const dev = await svc.device(deviceId);
  await dev.publishAsync(
    `trygg/v1/devices/${deviceId}/events`,
    JSON.stringify({ id: randomUUID(), type, ts: new Date().toISOString() }),
    { qos: 1 },
  );
};

describe('operator page', () => {
  it('signs in, sees an alarm arrive live, claims and resolves it', async () => {
    await signIn(page, svc, 'operator');
    await page.waitForFunction(() => document.body.dataset.connected === 'true');
    await page.screenshot({ path: `${SHOTS}operator-empty-queue.png` });

    // No reload from here on: the alarm must arrive over the socket.
    await publishAlarm('res-kari-button');
    const row = page.locator('[data-alarm-id][data-state="open"]', { hasText: 'Kari Nordmann' });
    await row.waitFor({ timeout: 10_000 });
    await expect.poll(() => row.textContent()).toContain('Storgata 12');
    // Its escalation: Kari's son is asked first, the response centre comes next.
    const summary = row.locator('[data-testid="escalation-summary"]');
    await expect.poll(() => summary.textContent()).toContain('Ola Nordmann');
    expect(await summary.textContent()).toMatch(/Responssenteret/);
    await page.screenshot({ path: `${SHOTS}operator-alarm-arrived.png` });
    await row.locator('[data-action="details"]').click();
    const escalation = page.locator('[data-testid="escalation"]');
    await escalation.waitFor();
    expect(await escalation.locator('[data-alert-state="pending"][data-recipient="Ola Nordmann"]').count()).toBe(1);
    expect(await escalation.locator('[aria-current="step"]').count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}operator-alarm-escalation.png`, fullPage: true });
    await page.locator('[data-action="close-details"]').click();

    await row.locator('[data-action="claim"]').click();
    const claimed = page.locator('[data-alarm-id][data-state="claimed"]', { hasText: 'Kari Nordmann' });
    await claimed.waitFor();
    await page.screenshot({ path: `${SHOTS}operator-alarm-claimed.png` });

    await claimed.locator('[data-action="resolve"]').click();
    await claimed.locator('textarea[name="note"]').fill('Snakket med Kari, alt i orden.');
    await claimed.locator('[data-action="confirm-resolve"]').click();
    await page.locator('[data-alarm-id]', { hasText: 'Kari Nordmann' }).waitFor({ state: 'detached' });
    await page.screenshot({ path: `${SHOTS}operator-alarm-resolved.png` });

    const { rows } = await svc.trygg.pool.query<{ state: string; note: string }>(
      `SELECT state, doc->'resolution'->>'note' AS note FROM alarms WHERE device_id = 'res-kari-button'`,
    );
    expect(rows).toEqual([{ state: 'resolved', note: 'Snakket med Kari, alt i orden.' }]);
  });

  it('shows a lost connection and catches up on what it missed, once', async () => {
    const before = Number(await page.evaluate(() => document.body.dataset.liveSeq));
    // Drop the page's socket from the server side, the way a network blip would.
    svc.trygg.live.dropAllConnections();
    await page.waitForFunction(() => document.body.dataset.connected === 'false');
    await page.screenshot({ path: `${SHOTS}operator-connection-lost.png` });
    await publishAlarm('rom-201-cord', 'alarm.pull-cord');
    await page.waitForFunction(() => document.body.dataset.connected === 'true', undefined, { timeout: 15_000 });
    const row = page.locator('[data-alarm-id]', { hasText: 'Rom 201' });
    await row.waitFor();
    expect(await row.count()).toBe(1);
    await expect
      .poll(async () => Number(await page.evaluate(() => document.body.dataset.liveSeq)))
      .toBeGreaterThanOrEqual(before + 2);
  });
});
