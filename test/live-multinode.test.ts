/**
 * Two service instances on one database with socket.io's Redis adapter (Redis on 127.0.0.1:6379):
 * an alarm applied by node A reaches an operator connected to node B, in sequence, and node A
 * knows that a nurse has the app open on node B (presence through the adapter).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, startTrygg, type Trygg } from '@trygg/server';
import type { LiveUpdate } from './support/types.js';
import { startTestService, type TestService } from './support/service.js';

const REDIS = process.env.TRYGG_TEST_REDIS ?? 'redis://127.0.0.1:6379';
let a: TestService;
let b: Trygg;
let dataDir: string;

beforeAll(async () => {
  a = await startTestService({ config: { liveRedisUrl: REDIS } });
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'trygg-node-b-'));
  const config = loadConfig({}, [], {
    databaseUrl: a.db.url,
    dataDir,
    port: 0,
    mqttPort: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    liveRedisUrl: REDIS,
  });
  b = await startTrygg(config, { logger: pino({ level: 'silent' }) });
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('live updates across nodes (Redis adapter)', () => {
  it('an operator on node B sees an alarm node A applied, and node A sees who is online on B', async () => {
    const { token } = await a.login('operator');
    const socket = io(`http://127.0.0.1:${b.ports.http}`, {
      path: '/socket.io',
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
    });
    const seen: LiveUpdate[] = [];
    socket.on('alarm:update', (u: LiveUpdate) => seen.push(u));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const { token: nurse } = await a.login('staff1');
    const people = io(`http://127.0.0.1:${b.ports.http}/people`, {
      path: '/socket.io',
      auth: { token: nurse },
      transports: ['websocket'],
      reconnection: false,
    });
    await new Promise<void>((resolve, reject) => {
      people.once('connect', () => resolve());
      people.once('connect_error', reject);
    });
    try {
      // Raised through node A's broker and applied by node A's engine.
      const alarm = await a.raiseAlarm('rom-103-cord', 'alarm.pull-cord');
      await expect
        .poll(() => seen.some((u) => u.alarm.id === alarm.id && u.entry.kind === 'opened'), { timeout: 10_000 })
        .toBe(true);
      const seqs = seen.map((u) => u.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(await a.trygg.live.online(['user-staff1', 'user-staff2'])).toEqual(new Set(['user-staff1']));
    } finally {
      socket.close();
      people.close();
    }
  });
});
