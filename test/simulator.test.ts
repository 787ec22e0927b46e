/** `npm run sim`'s engine against the real service: the demo devices (MQTT and SCAIP) connect and alarms arrive. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startScaipPlayer, startSimulation } from '@trygg/simulators';
import type { Alarm } from './support/types.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc?.stop();
});

it('connects every demo device and its alarms reach the operator queue', async () => {
  const lines: string[] = [];
  const sim = await startSimulation({
    mqttUrl: svc.mqttUrl,
    devices: svc.demo.devices,
    alarmEveryMs: 3_600_000,
    heartbeatEveryMs: 200,
    log: (l) => lines.push(l),
  });
  try {
    expect(svc.trygg.gateway?.connectedDevices).toBe(svc.demo.devices.length);
    const { deviceId } = await sim.raise('res-astrid-button');
    const { token } = await svc.login('operator');
    await expect
      .poll(async () =>
        (await svc.api<{ alarms: Alarm[] }>('GET', '/api/alarms', token)).body.alarms.map((a) => a.subject.deviceId),
      )
      .toContain(deviceId);
    await expect.poll(() => lines.some((l) => l.includes('Astrid Lund (alarm button): alarm received'))).toBe(true);
    // Heartbeats and telemetry flow too.
    await expect
      .poll(async () => Number((await svc.trygg.pool.query<{ n: string }>('SELECT count(*) AS n FROM telemetry')).rows[0]?.n))
      .toBeGreaterThan(0);
  } finally {
    await sim.stop();
  }
});

it("plays the demo's SCAIP unit: heartbeats, an alarm held until taken, a mistaken press cancelled", async () => {
  const lines: string[] = [];
  const player = await startScaipPlayer({
    host: '127.0.0.1',
    port: svc.trygg.ports.sip.udp ?? 0,
    units: svc.demo.scaipUnits,
    alarmEveryMs: 3_600_000,
    heartbeatEveryMs: 3_600_000,
    pollMs: 200,
    log: (l) => lines.push(l),
  });
  try {
    expect(lines).toContain('1 SCAIP units registered at sip:127.0.0.1:' + String(svc.trygg.ports.sip.udp));
    const { token } = await svc.login('operator');
    const played = player.raise('scaip-ingrid', { cancel: false });
    let alarm: Alarm | undefined;
    await expect
      .poll(async () => {
        alarm = (await svc.api<{ alarms: Alarm[] }>('GET', '/api/alarms', token)).body.alarms.find(
          (a) => a.subject.deviceId === 'scaip-ingrid',
        );
        return alarm?.state;
      })
      .toBe('open');
    await svc.api('POST', `/api/alarms/${alarm?.id}/commands`, token, { id: randomUUID(), type: 'claim' });
    const { snus } = await played;
    expect(snus[0]).toBe(4);
    expect(snus.at(-1)).toBe(0);
    await svc.api('POST', `/api/alarms/${alarm?.id}/commands`, token, { id: randomUUID(), type: 'resolve', note: 'ok' });
    const cancelled = await player.raise('scaip-ingrid', { cancel: true });
    expect(cancelled.snus).toEqual([4, 0]);
    await expect
      .poll(
        async () =>
          (
            await svc.trygg.pool.query<{ state: string }>(
              `SELECT state FROM alarms WHERE device_id = 'scaip-ingrid' ORDER BY opened_at DESC LIMIT 1`,
            )
          ).rows[0]?.state,
      )
      .toBe('cancelled');
    expect(lines.some((l) => l.includes('handled — voice mode 1'))).toBe(true);
  } finally {
    await player.stop();
  }
});
