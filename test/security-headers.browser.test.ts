/**
 * Security headers, seen by real clients: every answer carries a Content-Security-Policy,
 * framing protection, `nosniff` and `Referrer-Policy`; HSTS only when browsers reach Trygg over
 * TLS. In Chromium the web app works under its CSP with no violation (an operator's console,
 * statistics, a relative's app, OpenAPI at /docs), and a page on a foreign origin cannot frame it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOTS, launchBrowser, signIn } from './support/browser.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  svc = await startTestService();
});
afterAll(async () => {
  await browser?.close();
  await svc?.stop();
});

/** Every CSP violation the page reports, from its console and from `securitypolicyviolation`. */
async function watchCsp(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.exposeFunction('reportCspViolation', (v: string) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const w = window as unknown as { reportCspViolation(v: string): void };
      w.reportCspViolation(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return violations;
}

describe('headers', () => {
  it('are on the web app, the API and its errors', async () => {
    for (const url of ['/', '/api/auth/methods', '/api/alarms', '/api/nothing-here']) {
      const res = await fetch(svc.httpUrl + url);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, url).toContain("default-src 'self'");
      expect(csp, url).toContain("script-src 'self'");
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(csp, url).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(res.headers.get('x-frame-options'), url).toBe('DENY');
      expect(res.headers.get('x-content-type-options'), url).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), url).toBe('no-referrer');
      // Plain http to this machine: no HSTS, no upgrade (a browser would ignore or break on them).
      expect(res.headers.get('strict-transport-security'), url).toBeNull();
      expect(csp, url).not.toContain('upgrade-insecure-requests');
    }
  });

  it('add HSTS and upgrade-insecure-requests when browsers reach Trygg over https', async () => {
    const behindTls = await startTestService({ config: { publicUrl: 'https://trygg.kommune.example' } });
    try {
      const res = await fetch(`${behindTls.httpUrl}/`);
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=31536000; includeSubDomains/);
      expect(res.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
    } finally {
      await behindTls.stop();
    }
  });
});

describe('in Chromium', () => {
  it('the operator console and statistics work under the CSP with no violation', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'nb-NO' });
    const violations = await watchCsp(page);
    await signIn(page, svc, 'operator');
    await page.waitForFunction(() => document.body.dataset.connected === 'true', undefined, { timeout: 15_000 });
    await svc.raiseAlarm('res-kari-button');
    await page.locator('[data-alarm-id]').first().waitFor({ timeout: 10_000 });
    await page.locator('[data-view="statistics"]').click();
    await page.locator('trygg-statistics svg, trygg-statistics table').first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: `${SHOTS}csp-operator.png` });
    expect(violations).toEqual([]);
    await page.close();
  });

  it('a relative’s phone app, with its service worker, works under the CSP', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'nb-NO' });
    const violations = await watchCsp(page);
    await signIn(page, svc, 'ola');
    await page.locator('trygg-relative-app').waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => navigator.serviceWorker.ready.then(() => true), undefined, { timeout: 10_000 });
    expect(violations).toEqual([]);
    await page.close();
  });

  it('OpenAPI at /docs renders under its own CSP', async () => {
    const page = await browser.newPage();
    const violations = await watchCsp(page);
    await page.goto(`${svc.httpUrl}/docs`);
    await page.locator('.swagger-ui .opblock').first().waitFor({ timeout: 15_000 });
    expect(violations).toEqual([]);
    const res = await fetch(`${svc.httpUrl}/docs`, { redirect: 'follow' });
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    await page.close();
  });

  it('a page on another origin cannot frame the app', async () => {
    const foreign = http.createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(
        `<!doctype html><title>Not Trygg</title><iframe id="victim" src="${svc.httpUrl}/" width="800" height="600"></iframe>`,
      );
    });
    await new Promise<void>((r) => foreign.listen(0, '127.0.0.2', r));
    try {
      const page = await browser.newPage();
      const refused = new Promise<string>((resolve) =>
        page.on('console', (m) => {
          if (/frame-ancestors|X-Frame-Options/i.test(m.text())) resolve(m.text());
        }),
      );
      await page.goto(`http://127.0.0.2:${(foreign.address() as AddressInfo).port}/`);
      expect(await refused).toMatch(/frame-ancestors 'none'/);
      // The frame holds Chromium's error page, never the app.
      const frame = page.frames().find((f) => f !== page.mainFrame());
      expect(await frame?.locator('trygg-app').count()).toBe(0);
      await page.screenshot({ path: `${SHOTS}csp-framing-refused.png` });
      await page.close();
    } finally {
      foreign.close();
    }
  });
});
