/**
 * A relative gets back in without an administrator, in Chromium on a phone-sized screen: signed
 * out, they ask for a new sign-in link on the sign-in page and open it from the SMS; with an
 * access session that ran out the app renews it silently; with a lasting sign-in that ran out
 * they are back in through "send me a new link"; a used link says so and offers a new one. The
 * SMS gateway is a recording double (test/support/sms-double.ts) until the SMPP simulator
 * replaces it. axe-core checks WCAG 2.1 AA on the pages added.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from './support/axe.js';
import { SHOTS, launchBrowser, signIn } from './support/browser.js';
import { freePort } from './support/ports.js';
import { startTestService, type TestService } from './support/service.js';
import { linkIn } from './support/sms-double.js';
import { startPhones, type TestPhones } from './support/sms-phones.js';

const OLA = '+4791234567';
let svc: TestService;
let browser: Browser;
let sms: TestPhones;

beforeAll(async () => {
  browser = await launchBrowser();
  const port = await freePort();
  // The links in the SMS point at the address browsers use.
  svc = await startTestService({ config: { port, publicUrl: `http://127.0.0.1:${port}` } });
  sms = await startPhones(svc);
}, 60_000);
afterAll(async () => {
  sms?.stop();
  await browser?.close();
  await svc?.stop();
});

const phone = () =>
  browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, locale: 'nb-NO' });
const stored = async (page: Page) =>
  JSON.parse((await page.evaluate(() => localStorage.getItem('trygg.session'))) ?? 'null') as {
    token: string;
    expiresAt: string;
    refreshToken?: string;
  } | null;
const signedInAsOla = async (page: Page) => {
  const name = page.locator('[data-testid="user-name"]');
  await name.waitFor({ timeout: 15_000 });
  expect(await name.textContent()).toContain('Ola Nordmann');
};
const renew = (refreshToken: string | undefined) => svc.api('POST', '/api/auth/refresh', null, { refreshToken });

/** On the sign-in page: "send me a new link", the number, and the link from the SMS that arrives. */
const askForLink = async (page: Page) => {
  const nth = sms.inbox.filter((m) => m.to === OLA).length;
  await page.locator('[data-action="ask-link"]').click();
  const input = page.locator('input[name="phone"]');
  await input.fill('912 34 567');
  await page.locator('[data-action="send-link"]').click();
  await page.locator('[data-testid="link-sent"]').waitFor({ timeout: 10_000 });
  return linkIn((await sms.next(OLA, nth)).text);
};

describe('a relative signs back in without an administrator', () => {
  let context: BrowserContext;
  afterAll(async () => context?.close());

  it('signs out, asks for a new link, and is back in from the SMS', async () => {
    context = await phone();
    const page = await context.newPage();
    await signIn(page, svc, 'ola');
    await signedInAsOla(page);
    const before = await stored(page);
    expect(before?.refreshToken).toBeTruthy();

    // The device list shows this phone.
    await page.locator('[data-testid="signed-in-devices"] summary').click();
    await page.getByText('Denne enheten', { exact: true }).waitFor({ timeout: 10_000 });

    await page.locator('[data-action="sign-out"]').click();
    await page.locator('input[name="username"]').waitFor({ timeout: 10_000 });
    expect(await stored(page)).toBeNull();
    // Signed out for real: the lasting sign-in of this phone is revoked at the server.
    for (let i = 0; i < 100 && (await renew(before?.refreshToken)).status !== 401; i++) await page.waitForTimeout(100);
    expect((await renew(before?.refreshToken)).status).toBe(401);

    await page.locator('[data-action="ask-link"]').click();
    await page.locator('input[name="phone"]').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}relative-ask-link.png`, fullPage: true });
    await page.reload();
    const link = await askForLink(page);
    expect(link.startsWith(svc.httpUrl)).toBe(true);

    await page.goto(link);
    await signedInAsOla(page);
    expect(page.url()).not.toContain('link=');
    expect((await stored(page))?.refreshToken).toBeTruthy();
    await page.screenshot({ path: `${SHOTS}relative-back-in.png`, fullPage: true });
  });
});

describe('a relative whose session ran out', () => {
  let context: BrowserContext;
  let usedLink = '';
  afterAll(async () => context?.close());

  it('is renewed silently while the lasting sign-in stands', async () => {
    context = await phone();
    const page = await context.newPage();
    await signIn(page, svc, 'ola');
    await signedInAsOla(page);
    const before = await stored(page);
    // The short access session has run out (as after a night with the phone in a drawer).
    await page.evaluate(() => {
      const s = JSON.parse(localStorage.getItem('trygg.session') ?? '{}') as { expiresAt: string };
      s.expiresAt = new Date(Date.now() - 60_000).toISOString();
      localStorage.setItem('trygg.session', JSON.stringify(s));
    });
    await page.reload();
    await signedInAsOla(page);
    for (let i = 0; i < 100 && (await stored(page))?.refreshToken === before?.refreshToken; i++) await page.waitForTimeout(100);
    const after = await stored(page);
    expect(after?.refreshToken).not.toBe(before?.refreshToken);
    expect(after?.token).not.toBe(before?.token);
    expect((await svc.api('GET', '/api/relative/alarms', after?.token ?? '')).status).toBe(200);
    await page.close();
  });

  it('is back in through "send me a new link" when the lasting sign-in ran out too', async () => {
    const page = await context.newPage();
    await svc.trygg.pool.query(`UPDATE signin_devices SET expires_at = now() - interval '1 second' WHERE user_id = 'user-ola'`);
    await page.goto(svc.httpUrl);
    await page.evaluate(() => {
      const s = JSON.parse(localStorage.getItem('trygg.session') ?? '{}') as { expiresAt: string };
      s.expiresAt = new Date(Date.now() - 60_000).toISOString();
      localStorage.setItem('trygg.session', JSON.stringify(s));
    });
    await page.reload();
    await page.locator('input[name="username"]').waitFor({ timeout: 15_000 });
    expect(await stored(page)).toBeNull();
    usedLink = await askForLink(page);
    await page.goto(usedLink);
    await signedInAsOla(page);
  });

  it('shows a used link as used, with the way to a new one', async () => {
    const fresh = await phone();
    const page = await fresh.newPage();
    await page.goto(usedLink);
    const refused = page.locator('[data-testid="link-refused"]');
    await refused.waitFor({ timeout: 15_000 });
    expect(await refused.textContent()).toContain('allerede brukt');
    expect(await page.locator('input[name="phone"]').isVisible()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}relative-link-used.png`, fullPage: true });
    await fresh.close();
  });
});
