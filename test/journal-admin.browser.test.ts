/**
 * The administrator's journal page in a real browser: an entry the journal refused shows as
 * failed with the journal's reason, the backlog alert appears live when it has waited too long,
 * and "Send again" gets it into the journal once the journal accepts it.
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
  setup = await startWithJournal();
  // A phone in the hand of an administrator on call.
  page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'nb-NO' });
});
afterAll(async () => {
  await browser?.close();
  await setup?.stop();
});

describe('journal page', () => {
  it('shows a refused entry with its reason, raises the alert live, and re-sends it', async () => {
    const { svc, receiver } = setup;
    receiver.setMode('unknown-patient');
    const id = await setup.handledAlarm('rom-202-cord');

    await signIn(page, svc, 'admin');
    await page.locator('nav [data-view="journal"]').click();
    const entry = page.locator(`[data-entry="${id}"]`);
    await entry.waitFor({ timeout: 10_000 });
    await expect.poll(() => entry.getAttribute('data-status'), { timeout: 10_000 }).toBe('failed');
    await page.locator('button', { hasText: 'Oppdater' }).click();
    await expect.poll(() => entry.textContent()).toContain('Feilet');
    expect(await entry.textContent()).toContain('no patient');
    expect(await page.locator('[data-testid="journal-alert"]').count()).toBe(0);

    // It has now waited two hours: the alert comes over the socket, with no reload.
    await svc.trygg.pool.query(`UPDATE journal_outbox SET created_at = now() - interval '2 hours' WHERE alarm_id = $1`, [id]);
    await page.locator('[data-testid="journal-alert"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-testid="journal-alert"]').textContent()).toContain('60 min');
    await page.screenshot({ path: `${SHOTS}journal-alert.png`, fullPage: true });

    receiver.setMode('ok');
    await entry.locator('[data-action="resend"]').click();
    await page.locator('trygg-journal-admin select').selectOption('all');
    await expect.poll(() => entry.getAttribute('data-status'), { timeout: 15_000 }).toBe('journaled');
    await page.locator('[data-testid="journal-alert"]').waitFor({ state: 'detached', timeout: 10_000 });
    expect(await entry.textContent()).toContain('I journalen');
    await page.screenshot({ path: `${SHOTS}journal-resent.png`, fullPage: true });
  });

  it('is not offered to an operator, and its API refuses one', async () => {
    const { svc } = setup;
    const operator = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'nb-NO' });
    await signIn(operator, svc, 'operator');
    await operator.waitForFunction(() => document.body.dataset.connected === 'true');
    expect(await operator.locator('nav [data-view="journal"]').count()).toBe(0);
    const { token } = await svc.login('operator');
    expect((await svc.api('GET', '/api/journal/entries', token)).status).toBe(403);
    await operator.close();
  });
});
