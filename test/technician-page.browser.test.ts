/**
 * The technician's page in a real browser on a phone-sized screen (Debian's Chromium via
 * playwright-core): type a new serial, register the device (credentials shown once), install it
 * at a resident, start the test; the simulator plays the device and sends the test alarm over
 * MQTT; the page shows "passed" live and the device is active. Screenshots go to test-results/.
 */
import mqtt from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulation, type Simulation } from '@trygg/simulators';
import { SHOTS, launchBrowser, signIn } from './support/browser.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let browser: Browser;
let page: Page;
let sim: Simulation | null = null;

beforeAll(async () => {
  svc = await startTestService();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'nb-NO', isMobile: true, hasTouch: true });
});

afterAll(async () => {
  await sim?.stop();
  await browser?.close();
  await svc?.stop();
});

describe('technician page', () => {
  it('registers a device, installs it at a resident, sees the simulator’s test alarm pass live, and the device is active', async () => {
    await signIn(page, svc, 'tech');
    await page.waitForFunction(() => document.body.dataset.techConnected === 'true');

    // A serial Trygg has never seen: the page offers to register it.
    await page.locator('input[name="serial"]').fill('TUN-7781-0042');
    await page.locator('[data-action="find-serial"]').click();
    await page.locator('select[name="kind"]').selectOption('alarm-button');
    await page.locator('input[name="vendor"]').fill('Tunstall');
    await page.locator('input[name="model"]').fill('Lifeline Smart Hub');
    await page.locator('[data-action="register"]').click();
    const creds = page.locator('[data-testid="credentials"]');
    await creds.waitFor();
    const deviceId = (await creds.locator('[data-testid="username"]').textContent())?.trim() ?? '';
    const secret = (await creds.locator('[data-testid="secret"]').textContent())?.trim() ?? '';
    expect(deviceId).toMatch(/^dev-/);
    expect(secret.length).toBeGreaterThan(16);
    await expect.poll(() => page.locator('[data-testid="device-status"]').getAttribute('data-status')).toBe('in_stock');
    await page.screenshot({ path: `${SHOTS}technician-registered.png`, fullPage: true });

    // Install at Kari Nordmann's, in the hallway.
    await page.locator('input[name="q"]').fill('Kari');
    await page.locator('[data-action="search-resident"]').click();
    await page.locator('[data-choice="res-kari"]').click();
    await page.locator('input[name="location"]').fill('gangen');
    await page.locator('[data-action="install"]').click();
    await expect.poll(() => page.locator('[data-testid="device-status"]').getAttribute('data-status')).toBe('installed');

    // The device, played by the simulator with the credentials the page showed: it connects,
    // sends heartbeats with battery and signal, and, once the test is started, its test alarm.
    sim = await startSimulation({
      mqttUrl: svc.mqttUrl,
      devices: [{ id: deviceId, secret, kind: 'alarm-button', where: 'Kari Nordmann (new alarm button)' }],
      alarmEveryMs: 1e9,
      heartbeatEveryMs: 200,
      log: () => undefined,
    });
    const { token } = await svc.login('tech');
    await expect
      .poll(
        async () =>
          (await svc.api<{ battery: unknown[] }>('GET', `/api/devices/${deviceId}/telemetry`, token)).body.battery.length,
      )
      .toBeGreaterThan(1);

    await page.locator('[data-action="start-test"]').click();
    await page.locator('[data-testid="test-status"][data-status="running"]').waitFor();
    await page.screenshot({ path: `${SHOTS}technician-test-running.png`, fullPage: true });
    await sim.test(deviceId);

    const passed = page.locator('[data-testid="test-status"][data-status="passed"]');
    await passed.waitFor({ timeout: 15_000 });
    expect(await passed.textContent()).toMatch(/Testen er bestått/);
    expect(await passed.textContent()).toMatch(/Batteri\s+\d+ %/);
    await expect.poll(() => page.locator('[data-testid="device-status"]').getAttribute('data-status')).toBe('active');
    await page.screenshot({ path: `${SHOTS}technician-test-passed.png`, fullPage: true });

    const { body } = await svc.api<{ status: string; residentId: string }>('GET', `/api/devices/${deviceId}`, token);
    expect(body).toMatchObject({ status: 'active', residentId: 'res-kari' });
    // Battery and signal over time, drawn from the heartbeats' telemetry.
    await expect
      .poll(async () => Number(await page.locator('[data-testid="chart"]').first().getAttribute('data-points')))
      .toBeGreaterThan(1);
    await sim.stop();
    sim = null;

    // The button breaks: swap it for a new one from stock; Kari's installation moves to it.
    const fresh = await svc.api<{ device: { id: string } }>('POST', '/api/devices', token, {
      serial: 'TUN-7781-0043',
      kind: 'alarm-button',
      protocol: 'mqtt',
    });
    await page.locator('[data-action="swap"]').click();
    await page.locator('trygg-device-swap input[name="serial"]').fill('TUN-7781-0043');
    await page.locator('trygg-device-swap [data-action="find-serial"]').click();
    await expect.poll(() => page.locator('[data-testid="device-serial"]').textContent()).toBe('TUN-7781-0043');
    await expect.poll(() => page.locator('[data-testid="device-status"]').getAttribute('data-status')).toBe('installed');
    const old = await svc.api<{ status: string }>('GET', `/api/devices/${deviceId}`, token);
    const swapped = await svc.api<{ status: string; residentId: string }>('GET', `/api/devices/${fresh.body.device.id}`, token);
    expect([old.body.status, swapped.body.residentId]).toEqual(['faulty', 'res-kari']);
    await page.screenshot({ path: `${SHOTS}technician-swapped.png`, fullPage: true });

    // The new device's label with its secret got lost: issue new credentials; they work.
    await page.locator('[data-action="new-credentials"]').click();
    await page.locator('[data-action="confirm-credentials"]').click();
    const newSecret = (await page.locator('trygg-device-credentials [data-testid="secret"]').textContent())?.trim() ?? '';
    const id = fresh.body.device.id;
    const client = await mqtt.connectAsync(svc.mqttUrl, { clientId: id, username: id, password: newSecret, reconnectPeriod: 0 });
    expect(client.connected).toBe(true);
    await client.endAsync();
  });

  it('lists the devices that need attention', async () => {
    await page.locator('[data-action="attention"]').click();
    const list = page.locator('[data-testid="attention-list"]');
    await list.waitFor();
    // Every demo device has been silent since it was seeded: never heard from.
    expect(await list.locator('[data-device-id]').count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}technician-attention.png`, fullPage: true });
  });
});
