/**
 * The operator page shows the service's own trouble in words a centre understands (issue 20,
 * items 2 and 3), live, in a real browser: the journal receiver unreachable appears as
 * "Journal: ikke nåbar siden 22:14; 1 poster venter" and goes away when it answers again; an
 * alarm from a floor with nobody on shift says on its card that there was nobody to alert.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOTS, launchBrowser, signIn } from './support/browser.js';
import { startWithJournal, type JournalSetup } from './support/journal.js';

let setup: JournalSetup;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  setup = await startWithJournal({ healthWatchS: 1 });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'nb-NO' });
});
afterAll(async () => {
  await browser?.close();
  await setup?.stop();
});

describe('the operator page', () => {
  it('shows an unreachable journal in words, live, and clears it when it answers', { timeout: 120_000 }, async () => {
    const { svc, receiver } = setup;
    await signIn(page, svc, 'operator');
    await page.locator('[data-testid="queue-empty"], li[data-alarm-id]').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="integration-banner"]').count()).toBe(0);

    receiver.setMode('down');
    const id = await setup.handledAlarm('res-per-button');
    const line = page.locator('[data-testid="integration-banner"] li[data-integration="journal"]');
    await line.waitFor({ timeout: 15_000 });
    await expect
      .poll(() => line.textContent(), { timeout: 15_000 })
      .toMatch(/Journal: ikke nåbar siden \d\d:\d\d; \d+ poster venter/);
    await page.screenshot({ path: `${SHOTS}integration-banner.png`, fullPage: true });

    receiver.setMode('ok');
    const admin = (await svc.login('admin')).token;
    await expect
      .poll(async () => (await svc.api<{ status: string }>('GET', `/api/alarms/${id}/journal/status`, admin)).body.status, {
        timeout: 15_000,
      })
      .toBe('journaled');
    await page.locator('[data-testid="integration-banner"]').waitFor({ state: 'detached', timeout: 15_000 });
  });

  it('says on the card when a step of the chain found nobody to alert', { timeout: 60_000 }, async () => {
    const { svc } = setup;
    // Nina (floor 1) now plans shifts, and hers is tomorrow: nobody on shift on floor 1.
    await svc.trygg.pool.query(
      `INSERT INTO staff_shifts (user_id, site_id, starts_at, ends_at)
       VALUES ('user-staff1', 'solbakken-a-1', now() + interval '1 day', now() + interval '1 day 8 hours')`,
    );
    const alarm = await svc.raiseAlarm('rom-101-cord', 'alarm.pull-cord');
    const row = page.locator(`li[data-alarm-id="${alarm.id}"]`);
    await row.waitFor({ timeout: 15_000 });
    await expect.poll(() => row.textContent(), { timeout: 15_000 }).toContain('Ingen å varsle: Personale på etasjen');
    await page.screenshot({ path: `${SHOTS}card-nobody-to-alert.png`, fullPage: true });
  });
});
