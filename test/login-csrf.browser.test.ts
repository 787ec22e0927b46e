/**
 * Login CSRF through the address fragment: someone signs in themselves, puts their own session
 * in a link (`/#signin=<their token>&expires=…`, the shape the identity provider's return takes)
 * and gets a colleague or a relative to open it. Their browser must not become the sender's
 * session — anything they did next (a push subscription, a note, an accept) would be done as the
 * sender. The web app takes a session from the fragment only when it carries the state this tab
 * made when it started the sign-in (test/oidc-sign-in.browser.test.ts shows the real return).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOTS, launchBrowser, signIn } from './support/browser.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let browser: Browser;
let link: string;

beforeAll(async () => {
  browser = await launchBrowser();
  svc = await startTestService();
  // The attacker: any account will do, here a relative's.
  const { token, expiresAt } = await svc.login('ola');
  link = `${svc.httpUrl}/#${new URLSearchParams({ signin: token, expires: expiresAt }).toString()}`;
});
afterAll(async () => {
  await browser?.close();
  await svc?.stop();
});

const stored = (page: Page) =>
  page.evaluate(() => sessionStorage.getItem('trygg.session') ?? localStorage.getItem('trygg.session'));

describe('a sign-in link made by someone else', () => {
  it('signs nobody in: the page says it ignored it and shows the sign-in form', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'nb-NO' });
    await page.goto(link);
    const error = page.locator('[data-testid="login-error"]');
    await error.waitFor({ timeout: 10_000 });
    expect(await error.textContent()).toContain('ble oversett');
    expect(await page.locator('input[name="username"]').isVisible()).toBe(true);
    expect(await page.locator('[data-testid="user-name"]').count()).toBe(0);
    expect(await stored(page)).toBeNull();
    expect(page.url()).not.toContain('signin=');
    await page.screenshot({ path: `${SHOTS}login-csrf-refused.png` });
    await page.close();
  });

  it('signs nobody in with a state of the sender’s own either', async () => {
    const page = await browser.newPage({ locale: 'nb-NO' });
    await page.goto(`${link}&state=${'A'.repeat(32)}`);
    await page.locator('[data-testid="login-error"]').waitFor({ timeout: 10_000 });
    expect(await stored(page)).toBeNull();
    await page.close();
  });

  it('does not replace the session of someone already signed in', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'nb-NO' });
    await signIn(page, svc, 'operator');
    await page.locator('[data-testid="user-name"]').waitFor({ timeout: 10_000 });
    await page.goto(link);
    await page.locator('[data-testid="user-name"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-testid="user-name"]').textContent()).toContain('Olav Operatør');
    expect(await stored(page)).toContain('user-operator');
    expect(await stored(page)).not.toContain('user-ola');
    await page.close();
  });
});
