/**
 * End to end: a SCAIP unit (the demo's, over SIP) raises an alarm; it appears on the operator's
 * live page in a real browser and goes through the same escalation as an MQTT alarm raised beside
 * it; the operator claims it on the page, and the unit's next poll hears "handled" (snu=0).
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScaipUnit } from '@trygg/simulators';
import { SHOTS, launchBrowser, signIn } from './support/browser.js';
import { startTestService, type TestService } from './support/service.js';
import type { Alarm } from './support/types.js';

let svc: TestService;
let browser: Browser;
let page: Page;
let unit: ScaipUnit;

beforeAll(async () => {
  svc = await startTestService();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'nb-NO' });
  const creds = svc.demo.scaipUnits[0];
  if (!creds) throw new Error('the demo has no SCAIP unit');
  unit = new ScaipUnit({
    host: '127.0.0.1',
    port: svc.trygg.ports.sip.udp ?? 0,
    username: creds.username,
    password: creds.password,
    cid: creds.cid,
  });
  await unit.start();
});

afterAll(async () => {
  await unit?.stop();
  await browser?.close();
  await svc?.stop();
});

const timelineKinds = async (alarmId: string) =>
  (
    await svc.trygg.pool.query<{ kind: string; data: { to?: string[] } }>(
      'SELECT kind, data FROM alarm_timeline WHERE alarm_id = $1 ORDER BY seq',
      [alarmId],
    )
  ).rows.map((r) => r.kind);

describe('a SCAIP alarm on the operator page', () => {
  it('arrives live, escalates like an MQTT alarm, and the unit hears when it is taken', { timeout: 90_000 }, async () => {
    // The same short chain for both residents, so the step timeout is seen within the test.
    const admin = (await svc.login('admin')).token;
    const chain = {
      source: 'e2e',
      steps: [
        { type: 'notify', to: ['relatives'], timeoutS: 1 },
        { type: 'notify', to: ['response-centre'], timeoutS: 600 },
      ],
    };
    for (const scopeId of ['res-ingrid', 'res-kari'])
      expect((await svc.api('PUT', '/api/escalation-policies', admin, { scope: 'resident', scopeId, chain })).status).toBe(200);

    await signIn(page, svc, 'operator');
    await page.waitForFunction(() => document.body.dataset.connected === 'true');

    expect(await unit.register()).toBe(200);
    const ref = unit.nextRef();
    const first = await unit.mrq({ ref, dty: '0003', stc: '0010', lte: 'stue' });
    expect(first.mrs).toMatchObject({ ref, snu: 4 }); // held: nobody has it yet
    const mqttDevice = await svc.device('res-kari-button');
    await mqttDevice.publishAsync(
      'trygg/v1/devices/res-kari-button/events',
      JSON.stringify({ id: randomUUID(), type: 'alarm.button', ts: new Date().toISOString() }),
      { qos: 1 },
    );

    const row = page.locator('[data-alarm-id][data-state="open"]', { hasText: 'Ingrid Berg' });
    await row.waitFor({ timeout: 10_000 });
    await expect.poll(() => row.textContent()).toContain('Elvebakken 4');
    await page.locator('[data-alarm-id]', { hasText: 'Kari Nordmann' }).waitFor();

    const { token } = await svc.login('operator');
    const open = async () => (await svc.api<{ alarms: Alarm[] }>('GET', '/api/alarms', token)).body.alarms;
    const scaipAlarm = (await open()).find((a) => a.subject.deviceId === 'scaip-ingrid');
    const mqttAlarm = (await open()).find((a) => a.subject.deviceId === 'res-kari-button');
    if (!scaipAlarm || !mqttAlarm) throw new Error('both alarms must be open');
    expect(scaipAlarm.escalation.chain.steps).toEqual(mqttAlarm.escalation.chain.steps);
    expect(scaipAlarm.type).toBe(mqttAlarm.type);
    expect(scaipAlarm.priority).toBe(mqttAlarm.priority);
    // Relatives first (Ingrid's son, Kari's son), then the step times out and the response centre is asked.
    expect(scaipAlarm.escalation.alerts.map((a) => a.recipient.name)).toEqual(['Jon Berg']);
    const want = ['opened', 'notified', 'escalated', 'notified'];
    await expect.poll(() => timelineKinds(scaipAlarm.id), { timeout: 15_000 }).toEqual(want);
    await expect.poll(() => timelineKinds(mqttAlarm.id), { timeout: 15_000 }).toEqual(want);
    const summary = row.locator('[data-testid="escalation-summary"]');
    await expect.poll(() => summary.textContent()).toMatch(/Responssenteret/);
    await page.screenshot({ path: `${SHOTS}operator-scaip-alarm.png` });

    // The unit polls while held; the operator takes the alarm on the page; the next poll is handled.
    expect((await unit.mrq({ ref, dty: '0003', stc: '0010', lte: 'stue' })).mrs?.snu).toBe(4);
    await row.locator('[data-action="claim"]').click();
    await page.locator('[data-alarm-id][data-state="claimed"]', { hasText: 'Ingrid Berg' }).waitFor();
    const handled = await unit.mrq({ ref, dty: '0003', stc: '0010', lte: 'stue' });
    expect(handled.mrs).toMatchObject({ ref, snu: 0, fields: { mre: '1' } });
    const events = await svc.trygg.pool.query('SELECT 1 FROM device_events WHERE device_id = $1', ['scaip-ingrid']);
    expect(events.rowCount).toBe(1); // three requests, one event
  });
});
