/**
 * The embedded default after a crash (issue 17, item 3). Trygg is SIGKILLed — the one way out
 * nothing can clean up after — and its embedded PostgreSQL lives on as an orphan holding the data
 * folder. The next start stops that orphan (fast shutdown) and comes up on the same data, with the
 * alarm stored before the crash. And the other side of "safely": a second Trygg on the folder of
 * one that is running never touches its PostgreSQL; it refuses to start and the first serves on;
 * nor does a start that cannot tell (no record of which Trygg started the server).
 *
 * Real processes throughout (`server/src/main.ts` as the container runs it); each start of the
 * embedded default is a real initdb or PostgreSQL start, hence the generous timeouts.
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alarm, DemoCredentials, LoginResponse } from './support/types.js';
import { alive, cleanUp, startServiceProcess, type ServiceProcess } from './support/service-process.js';

let dataDir: string;
const started: ServiceProcess[] = [];
const start = (env: Record<string, string> = {}) => {
  const p = startServiceProcess({ TRYGG_DATA_DIR: dataDir, ...env });
  started.push(p);
  return p;
};
const postmasterPid = async () => Number((await readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'trygg-orphan-'));
  await chmod(dataDir, 0o755); // run as root, PostgreSQL runs as `postgres` and must reach its folder
});
afterAll(async () => {
  for (const p of started) await cleanUp(p, dataDir);
  await rm(dataDir, { recursive: true, force: true });
});

describe('the embedded PostgreSQL after a crash', () => {
  it('stops the PostgreSQL a SIGKILLed Trygg left running and starts on the same data', { timeout: 240_000 }, async () => {
    const first = start();
    const { mqtt: mqttPort } = await first.running();
    const demo = JSON.parse(await readFile(path.join(dataDir, 'demo.json'), 'utf8')) as DemoCredentials;
    const deviceId = 'res-kari-button';
    const dev = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
      clientId: deviceId,
      username: deviceId,
      password: demo.devices.find((d) => d.id === deviceId)?.secret,
      reconnectPeriod: 0,
    });
    const event = JSON.stringify({ id: randomUUID(), type: 'alarm.button', ts: new Date().toISOString() });
    await dev.publishAsync(`trygg/v1/devices/${deviceId}/events`, event, { qos: 1 }); // PUBACK: stored
    dev.end(true);

    const orphan = await postmasterPid();
    first.child.kill('SIGKILL');
    await first.exited;
    expect(alive(orphan)).toBe(true); // the fault: PostgreSQL outlived its Trygg

    // Without the record of who started it, it cannot be told from one that is in use: left alone.
    const owner = path.join(dataDir, 'pg-owner.pid');
    await rename(owner, owner + '.away');
    const unsure = start();
    expect((await unsure.exited).code).toBe(1);
    expect(unsure.stderr()).toContain(`kill -INT ${orphan}`);
    expect(alive(orphan)).toBe(true);
    await rename(owner + '.away', owner);

    const second = start();
    const { http } = await second.running();
    expect(alive(orphan)).toBe(false);
    expect(second.logs.some((l) => String(l.msg).startsWith('embedded PostgreSQL left running') && l.pid === orphan)).toBe(true);
    const password = demo.users.find((u) => u.username === 'operator')?.password;
    const login = await fetch(`http://127.0.0.1:${http}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'operator', password }),
    });
    const { token } = (await login.json()) as LoginResponse;
    const alarms = (await (
      await fetch(`http://127.0.0.1:${http}/api/alarms`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as {
      alarms: Alarm[];
    };
    expect(alarms.alarms.some((a) => a.subject.deviceId === deviceId)).toBe(true); // the alarm from before the crash

    const server = await postmasterPid();
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(alive(server)).toBe(false); // stopped with it, not left behind
  });

  it(
    'never touches the PostgreSQL of a Trygg that is running: it refuses, and the first serves on',
    { timeout: 120_000 },
    async () => {
      const first = start();
      const { http } = await first.running();
      const server = await postmasterPid();

      const second = start();
      expect((await second.exited).code).toBe(1);
      expect(second.stderr()).toContain(`another Trygg (pid ${first.child.pid}) is running on`);
      expect(alive(server)).toBe(true);
      expect((await fetch(`http://127.0.0.1:${http}/readyz`)).status).toBe(200);

      first.child.kill('SIGTERM');
      expect(await first.exited).toEqual({ code: 0, signal: null });
      expect(alive(server)).toBe(false);
    },
  );
});
