/**
 * The self-test's banner in a real browser (issue 20): when the MQTT listener stops, the synthetic
 * test alarm no longer gets through, and the operator's console and the administrator's page show
 * the banner live, with no reload; when the listener is back, the banner goes and a "works again"
 * line stays. The banner names the ingress in words a centre understands.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOTS, launchBrowser, signIn } from './support/browser.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let browser: Browser;
let operator: Page;
let admin: Page;
const WAIT = { timeout: 60_000 };

beforeAll(async () => {
  browser = await launchBrowser();
  svc = await startTestService({ config: { selfTestIntervalS: 4, selfTestLateS: 2 } });
  operator = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'nb-NO' });
  // An administrator on call, on a phone.
  admin = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'nb-NO' });
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await svc?.stop();
});

describe('the broken-chain banner', () => {
  it('shows on the consoles while the MQTT listener is down and clears itself when it is back', async () => {
    await expect.poll(() => svc.trygg.chain?.status().state, { timeout: 60_000, interval: 200 }).toBe('ok');
    await signIn(operator, svc, 'operator');
    await signIn(admin, svc, 'admin');
    for (const page of [operator, admin]) expect(await page.locator('[data-testid="chain-banner"]').count()).toBe(0);

    const gateway = svc.trygg.gateway;
    if (!gateway) throw new Error('no embedded broker');
    await gateway.stop();
    for (const page of [operator, admin]) {
      const banner = page.locator('[data-testid="chain-banner"]');
      await banner.waitFor(WAIT);
      expect(await banner.getAttribute('role')).toBe('alert');
      expect(await banner.textContent()).toContain('Alarmkjeden svikter (MQTT)');
    }
    await operator.screenshot({ path: `${SHOTS}chain-banner-operator.png`, fullPage: true });
    await admin.screenshot({ path: `${SHOTS}chain-banner-admin.png`, fullPage: true });

    await gateway.start();
    for (const page of [operator, admin]) {
      await page.locator('[data-testid="chain-banner"]').waitFor({ state: 'detached', ...WAIT });
      expect(await page.locator('[data-testid="chain-restored"]').textContent()).toContain('Alarmkjeden virker igjen');
    }
    await operator.screenshot({ path: `${SHOTS}chain-restored-operator.png`, fullPage: true });
  }, 180_000);
});
