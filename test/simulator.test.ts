/** `npm run sim`'s engine against the real service: the demo devices connect and alarms arrive. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSimulation } from '@trygg/simulators';
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
    expect(svc.trygg.gateway.connectedDevices).toBe(svc.demo.devices.length);
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
