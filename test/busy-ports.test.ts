/**
 * The front door (issue 18): `npm ci && npm start` on a machine where another program holds a
 * port Trygg listens on. The embedded default's broker, with no TRYGG_MQTT_PORT, moves to the
 * next free port and says so; a port that was chosen fails the start with one line naming the
 * listener, the port and the setting, and a non-zero exit — never a bare EADDRINUSE.
 *
 * The failing starts are real processes (`server/src/main.ts`, as `npm start` runs it) on a
 * database of their own; the moving broker is the whole service in-process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { startTestService } from './support/service.js';
import { cleanUp, startServiceProcess, type ServiceProcess } from './support/service-process.js';

let db: TestDatabase;
let dataDir: string;
const held: Server[] = [];
const started: ServiceProcess[] = [];

/** A port "Mosquitto" holds on 127.0.0.1 for the whole file. */
async function holdPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  held.push(s);
  return (s.address() as AddressInfo).port;
}

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'trygg-ports-'));
});
afterAll(async () => {
  for (const p of started) await cleanUp(p);
  for (const s of held) await new Promise((r) => s.close(r));
  await db.drop();
  await rm(dataDir, { recursive: true, force: true });
});

/** `server/src/main.ts` with this environment, to its exit. */
async function startAndFail(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const p = startServiceProcess({ DATABASE_URL: db.url, TRYGG_DATA_DIR: dataDir, ...env });
  started.push(p);
  const { code } = await p.exited;
  return { code, stderr: p.stderr() };
}

describe('a port another program holds', () => {
  it('fails a chosen MQTT port with one line naming the port and TRYGG_MQTT_PORT', { timeout: 60_000 }, async () => {
    const busy = await holdPort();
    const { code, stderr } = await startAndFail({ TRYGG_MQTT_PORT: String(busy) });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      `Trygg failed to start: MQTT port ${busy} is in use by another program (127.0.0.1:${busy}): set TRYGG_MQTT_PORT to a free port, or stop the program that holds it`,
    ]);
  });

  it('fails a held HTTP port naming PORT', { timeout: 60_000 }, async () => {
    const busy = await holdPort();
    const { code, stderr } = await startAndFail({ PORT: String(busy) });
    expect(code).toBe(1);
    expect(stderr).toContain(`HTTP port ${busy} is in use by another program (127.0.0.1:${busy}): set PORT to a free port`);
  });

  it('moves the embedded default broker to the next free port and says where', { timeout: 60_000 }, async () => {
    const busy = await holdPort();
    const svc = await startTestService({ config: { mqttPort: busy, mqttPortMayMove: true } });
    try {
      expect(svc.trygg.ports.mqtt).toBeGreaterThan(busy);
      const moved = svc.logs.find((l) => l.level === 40 && l.configured === busy);
      expect(moved?.mqtt).toBe(svc.trygg.ports.mqtt);
      expect(moved?.msg).toContain(`TRYGG_MQTT_PORT=${svc.trygg.ports.mqtt}`);
      const device = await svc.device('res-kari-button');
      expect(device.connected).toBe(true);
    } finally {
      await svc.stop();
    }
  });
});
