/**
 * The night staff's phone app in a real browser: two staff phones get the same alarm live, one
 * accepts and the other sees it taken at once (no reload); the floor overview shows the room's
 * state and who else is on shift; the one who took it reports arrival and resolves it; a dropped
 * connection shows "reconnecting" and catches up on what happened meanwhile. Both views are
 * checked with axe-core for WCAG 2.1 A/AA.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from './support/axe.js';
import { SHOTS, launchBrowser, signIn } from './support/browser.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let browser: Browser;
const phones: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  svc = await startTestService();
  // The night staff's phones are reached by SMS too (no push service here): alerted, not unreachable.
  await svc.trygg.pool.query(
    `UPDATE users SET phone = CASE id WHEN 'user-staff1' THEN '+4790000071' ELSE '+4790000072' END WHERE id IN ('user-staff1', 'user-staff2')`,
  );
  // Floor 1's alarms go to every nurse of the institution at once.
  const { token } = await svc.login('admin');
  const res = await svc.api('PUT', '/api/escalation-policies', token, {
    scope: 'site',
    scopeId: 'solbakken-a-1',
    chain: {
      source: 'test',
      steps: [
        { type: 'notify', to: ['site-staff'], timeoutS: 120 },
        { type: 'notify', to: ['response-centre'], timeoutS: 60 },
      ],
    },
  });
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await browser?.close();
  await svc?.stop();
});

async function staffPhone(username: string): Promise<Page> {
  const ctx = await browser.newContext({
    viewport: { width: 390, height: 844 },
    hasTouch: true,
    isMobile: true,
    locale: 'nb-NO',
  });
  phones.push(ctx);
  const page = await ctx.newPage();
  await signIn(page, svc, username);
  await page.getByRole('heading', { name: 'Alarmer på Solbakken sykehjem' }).waitFor({ timeout: 10_000 });
  await page.waitForFunction(() => document.body.dataset.connected === 'true');
  return page;
}

describe('staff app', () => {
  let nina: Page;
  let other: Page;

  it('two staff phones get the alarm; one accepts and the other sees it taken at once', async () => {
    nina = await staffPhone('staff1');
    other = await staffPhone('staff2');
    await nina.screenshot({ path: `${SHOTS}staff-calm.png`, fullPage: true });
    expect(await axeViolations(nina)).toEqual([]);

    const alarm = await svc.raiseAlarm('rom-101-cord', 'alarm.pull-cord');
    const card = (p: Page) => p.locator(`trygg-people-alarm article[data-alarm-id="${alarm.id}"]`);
    await card(nina).waitFor({ timeout: 10_000 });
    await card(other).waitFor({ timeout: 10_000 });
    expect(await card(other).locator('[data-testid="status"]').textContent()).toBe('Ingen har tatt den ennå');
    expect(await nina.locator('[data-room="solbakken-rom-101"]').getAttribute('data-state')).toBe('alarm');
    await nina.screenshot({ path: `${SHOTS}staff-alarm.png`, fullPage: true });
    expect(await axeViolations(nina)).toEqual([]);

    await card(nina).locator('[data-action="accept"]').click();
    // No reload on the other phone: the people namespace says the alarm changed, the app re-reads it.
    await expect
      .poll(() => card(other).locator('[data-testid="status"]').textContent(), { timeout: 10_000 })
      .toMatch(/^Nina Natt \(1\. etasje\) tok den kl\. \d\d:\d\d$/);
    expect(await card(other).locator('[data-action="accept"]').count()).toBe(0);
    const colleague = other.locator('[data-user="user-staff1"]');
    await expect.poll(() => colleague.textContent()).toMatch(/Appen er åpen\s*·\s*opptatt med Rom 101/);
    await other.screenshot({ path: `${SHOTS}staff-taken-by-colleague.png`, fullPage: true });
    expect(await axeViolations(other)).toEqual([]);
  });

  it('the one who took it reports arrival and resolves it', async () => {
    const card = nina.locator('trygg-people-alarm article[data-state]').first();
    await card.locator('[data-action="arrived"]').click();
    await expect.poll(() => card.getAttribute('data-state')).toBe('arrived');
    await card.locator('[data-action="resolve"]').click();
    await card.locator('textarea').fill('Hjalp til toalettet');
    await nina.screenshot({ path: `${SHOTS}staff-resolving.png`, fullPage: true });
    await card.locator('[data-action="confirm-resolve"]').click();
    await nina.getByTestId('no-alarms').waitFor();
    expect(await nina.locator('[data-room="solbakken-rom-101"]').getAttribute('data-state')).toBe('calm');
  });

  it('a dropped connection says so, reconnects and catches up on what it missed', async () => {
    svc.trygg.live.dropAllConnections();
    await nina.waitForFunction(() => document.body.dataset.connected === 'false');
    const alarm = await svc.raiseAlarm('rom-102-bed', 'alarm.bed-exit');
    await nina.locator(`trygg-people-alarm article[data-alarm-id="${alarm.id}"]`).waitFor({ timeout: 15_000 });
    await nina.waitForFunction(() => document.body.dataset.connected === 'true');
    expect(await nina.locator(`trygg-people-alarm article[data-alarm-id="${alarm.id}"]`).count()).toBe(1);
  });
});
