/**
 * The operator console's resident card, dispatch and statistics in a real browser: the card
 * shows address with map link, notes, relatives with their state in this alarm and devices; the
 * key-safe information appears only after this operator claimed the alarm, and the read is
 * audited (another operator is refused); dispatch to home care lands in the timeline; the
 * statistics view draws its charts. axe-core checks the console for WCAG 2.1 A/AA.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from './support/axe.js';
import { SHOTS, launchBrowser, signIn } from './support/browser.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  svc = await startTestService();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'nb-NO' });
});
afterAll(async () => {
  await browser?.close();
  await svc?.stop();
});

describe('operator console', () => {
  it('resident card, key safe only after claiming (audited), dispatch, resolve', async () => {
    await signIn(page, svc, 'operator');
    await page.waitForFunction(() => document.body.dataset.connected === 'true');
    const alarm = await svc.raiseAlarm('res-kari-button', 'alarm.button');
    const row = page.locator(`[data-alarm-id="${alarm.id}"]`);
    await row.waitFor();
    await row.locator('[data-action="details"]').click();
    const card = page.locator('[data-testid="resident-card"]');
    await card.waitFor({ timeout: 10_000 });
    expect(await card.textContent()).toContain('Storgata 12, 0155 Oslo');
    expect(await card.locator('a[href^="https://www.openstreetmap.org/search?query="]').count()).toBe(1);
    expect(await card.locator('[data-testid="resident-notes"]').textContent()).toBe('Bruker rullator.');
    expect(await card.locator('[data-relative="rel-res-kari-1"]').getAttribute('data-state')).toBe('pending');
    expect(await card.locator('[data-device="res-kari-button"]').count()).toBe(1);
    // Not claimed yet: no code, no button.
    expect(await card.locator('[data-action="reveal-key-safe"]').count()).toBe(0);
    const { token: other } = await svc.login('operator2');
    const refused = await svc.api<{ code: string }>('POST', `/api/alarms/${alarm.id}/key-safe`, other);
    expect([refused.status, refused.body.code]).toEqual([409, 'TRYGG_ERR_ALARM_NOT_CLAIMED_BY_YOU']);
    await page.screenshot({ path: `${SHOTS}operator-resident-card.png`, fullPage: true });
    expect(await axeViolations(page)).toEqual([]);

    await row.locator('[data-action="claim"]').click();
    await card.locator('[data-action="reveal-key-safe"]').click();
    await expect.poll(() => card.locator('[data-testid="key-safe"]').textContent()).toContain('Nøkkelboks ved inngangsdøren');
    const audit = await svc.trygg.pool.query<{ action: string; actor_user_id: string; outcome: string }>(
      `SELECT action, actor_user_id, outcome FROM audit_events WHERE entity_id = $1 AND action LIKE 'key-safe.%' ORDER BY id`,
      [alarm.id],
    );
    expect(audit.rows.map((r) => r.action)).toContain('key-safe.read');
    expect(audit.rows.find((r) => r.action === 'key-safe.read' && r.outcome === 'success')?.actor_user_id).toBe('user-operator');
    // The refused attempt is in the trail too.
    expect(audit.rows.some((r) => r.actor_user_id === 'user-operator2' && r.outcome === 'http-409')).toBe(true);
    // The other operator still cannot read it: it is not their alarm.
    expect((await svc.api('POST', `/api/alarms/${alarm.id}/key-safe`, other)).status).toBe(409);

    await row.locator('[data-action="dispatch"]').click();
    await row.locator('[data-action="confirm-dispatch"]').click();
    const timeline = page.locator('[data-testid="timeline"] li[data-kind="dispatched"]');
    await expect.poll(() => timeline.textContent(), { timeout: 10_000 }).toMatch(/sendte Hjemmetjenesten til utrykning/);
    await page.screenshot({ path: `${SHOTS}operator-dispatched.png`, fullPage: true });

    await row.locator('[data-action="resolve"]').click();
    await row.locator('textarea').fill('Hjemmetjenesten var der, alt i orden');
    await row.locator('[data-action="confirm-resolve"]').click();
    await row.waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('statistics: service levels per site as charts', async () => {
    await page.locator('nav [data-view="statistics"]').click();
    const home = page.locator('trygg-statistics section[data-site="home"]');
    await home.waitFor({ timeout: 10_000 });
    expect(await home.locator('[data-testid="alarms"]').textContent()).toBe('1');
    // Claimed within seconds of opening: inside both service levels.
    expect(await home.locator('[data-testid="within60"]').textContent()).toBe('100 %');
    expect(await home.locator('svg[role="img"]').count()).toBe(2);
    await page.screenshot({ path: `${SHOTS}operator-statistics.png`, fullPage: true });
    expect(await axeViolations(page)).toEqual([]);
  });
});
