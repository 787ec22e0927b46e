/**
 * `npm run sim` against the real service: the demo devices (MQTT and SCAIP) connect and alarms
 * arrive; and the whole simulator as a user runs it, at a small scale and high speed, with a
 * synthetic municipality provisioned through the admin API and simulated people answering.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { stat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

it('npm run sim --devices 60: provisions a synthetic municipality, and simulated people accept, decline and escalate', async () => {
  const dataDir = path.dirname(svc.trygg.demoFile ?? '');
  const script = fileURLToPath(new URL('../simulators/src/sim.ts', import.meta.url));
  const args = ['--devices', '60', '--speed', '3000', '--summary', '2', '--accept', '0.5', '--decline', '0.4'];
  const env = {
    ...process.env,
    INIT_CWD: dataDir,
    TRYGG_DATA_DIR: dataDir,
    PORT: String(svc.trygg.ports.http),
    TRYGG_MQTT_PORT: String(svc.trygg.ports.mqtt),
    TRYGG_SIP_UDP_PORT: String(svc.trygg.ports.sip.udp),
  };
  const sim = spawn(process.execPath, ['--import', 'tsx', script, ...args, '--app-share', '1', '--people-speed', '10'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  sim.stdout.on('data', (c: Buffer) => (out += c.toString()));
  sim.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const extra = 60 - svc.demo.devices.length;
  let again: ChildProcess | undefined;
  const exited = new Promise<number | null>((resolve) => sim.once('exit', (code) => resolve(code)));
  const q = async (sql: string) => Number((await svc.trygg.pool.query<{ n: string }>(sql)).rows[0]?.n);
  try {
    // The devices beyond the demo's, with their residents, relatives (with consent) and app accounts, all through the API.
    await expect.poll(() => out, { timeout: 30_000 }).toContain('people online');
    expect(
      await q(`SELECT count(*) AS n FROM devices WHERE id LIKE 'sim1-%' AND status = 'installed' AND secret_hash IS NOT NULL`),
    ).toBe(extra);
    expect(await q(`SELECT count(*) AS n FROM relatives WHERE id LIKE 'sim1-%' AND consent_at IS NOT NULL`)).toBeGreaterThan(0);
    expect(await q(`SELECT count(*) AS n FROM users WHERE id LIKE 'user-rel-sim1-%'`)).toBeGreaterThan(0);
    expect(await q(`SELECT count(*) AS n FROM audit_events WHERE entity_type = 'registry-import'`)).toBeGreaterThan(0);
    const fleet = path.join(dataDir, 'sim-fleet.json');
    expect((await stat(fleet)).mode & 0o777).toBe(0o600);
    const kept = JSON.parse(await readFile(fleet, 'utf8')) as { parts: { devices: unknown[] }[] };
    expect(kept.parts[0]?.devices).toHaveLength(extra);
    // Relatives and staff took alarms; some went on to the response centre and an operator claimed them; some were resolved.
    const poll = { timeout: 40_000, interval: 500 };
    await expect
      .poll(() => q(`SELECT count(*) AS n FROM alarms WHERE doc->'claimedBy'->>'role' IN ('relative', 'staff')`), poll)
      .toBeGreaterThan(0);
    await expect
      .poll(
        () =>
          q(`SELECT count(*) AS n FROM alarms
              WHERE doc->'escalation'->'alerts' @> '[{"recipient": {"kind": "response-centre"}}]' AND doc->'claimedBy'->>'role' = 'operator'`),
        poll,
      )
      .toBeGreaterThan(0);
    await expect.poll(() => q(`SELECT count(*) AS n FROM alarms WHERE state = 'resolved'`), poll).toBeGreaterThan(0);
    await expect.poll(() => q(`SELECT count(*) AS n FROM alarm_timeline WHERE kind = 'declined'`), poll).toBeGreaterThan(0);
    // What it prints: each alarm's way, and the summary line.
    await expect.poll(() => out, poll).toMatch(/taken by .+ after \d+\.\d s/);
    expect(out).toMatch(/presses \d+, alarms opened \d+, handled \d+/);
    sim.kill('SIGTERM');
    expect(await exited).toBe(0);
    // A second run reuses the kept fleet (no second provisioning) and may play part of it.
    again = spawn(process.execPath, ['--import', 'tsx', script, '--devices', '45', '--no-people', '--every', '3600'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out2 = '';
    again.stdout?.on('data', (c: Buffer) => (out2 += c.toString()));
    await expect.poll(() => out2, { timeout: 20_000 }).toContain('simulating 45 devices');
    again.kill('SIGTERM');
    expect(out2).toContain('reusing the synthetic municipality');
    expect(out2).toMatch(/45 devices connected/);
    expect(await q(`SELECT count(*) AS n FROM devices WHERE id LIKE 'sim2-%'`)).toBe(0);
  } catch (err) {
    process.stderr.write(out);
    throw err;
  } finally {
    sim.kill('SIGKILL');
    again?.kill('SIGKILL');
  }
}, 90_000);
