/**
 * Signing in to the web app through the municipality's identity provider (authorization code
 * flow with PKCE, against an in-process `oidc-provider`): a linked person lands in Trygg with
 * their Trygg roles; someone the provider knows but Trygg does not is told to ask for an account.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOTS, launchBrowser } from './support/browser.js';
import { WEB_CLIENT, startIdentityProvider, type TestIdentityProvider } from './support/oidc.js';
import { freePort } from './support/ports.js';
import { startTestService, type TestService } from './support/service.js';

let idp: TestIdentityProvider;
let svc: TestService;
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  idp = await startIdentityProvider({ tryggCallback: `${publicUrl}/api/auth/oidc/callback`, audience: 'trygg-api' });
  svc = await startTestService({
    config: {
      port,
      publicUrl,
      oidcIssuer: idp.issuer,
      oidcClientId: WEB_CLIENT.id,
      oidcClientSecret: WEB_CLIENT.secret,
    },
  });
  await svc.trygg.pool.query(`UPDATE users SET external_subject = 'hid-operator2' WHERE username = 'operator2'`);
});
afterAll(async () => {
  await browser?.close();
  await svc?.stop();
  await idp?.close();
});

/** Through the provider's (development) login and consent pages, back to Trygg. */
async function signInAtProvider(page: Page, subject: string): Promise<void> {
  await page.goto(svc.httpUrl);
  await page.locator('[data-action="oidc-sign-in"]').click();
  await page.locator('input[name="login"]').fill(subject);
  await page.locator('input[name="password"]').fill('any');
  await page.locator('button[type="submit"]').click();
  // Consent to Trygg reading who one is, the first time.
  await page.locator('button[type="submit"]').click();
}

describe('sign-in with the municipality', () => {
  it('brings a linked person into Trygg with their Trygg roles', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'nb-NO' });
    await signInAtProvider(page, 'hid-operator2');
    await page.waitForFunction(() => document.body.dataset.connected === 'true', undefined, { timeout: 15_000 });
    expect(await page.locator('[data-testid="user-name"]').textContent()).toContain('Siri Sentral');
    expect(page.url()).not.toContain('signin='); // the token left the address bar at once
    await page.screenshot({ path: `${SHOTS}oidc-signed-in.png` });
    await page.close();
  });

  it('tells someone without a Trygg account to ask for one', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'nb-NO' });
    await signInAtProvider(page, 'hid-stranger');
    const error = page.locator('[data-testid="login-error"]');
    await error.waitFor({ timeout: 15_000 });
    expect(await error.textContent()).toContain('ingen Trygg-konto');
    await page.screenshot({ path: `${SHOTS}oidc-unknown-person.png` });
    await page.close();
  });
});
