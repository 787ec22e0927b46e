/**
 * The self-test's own latency (issue 20): a synthetic test alarm per ingress (MQTT, SIP over UDP
 * and TCP), from the self-test device's send to the live channel publishing it, beside a device
 * alarm through the same embedded MQTT broker, from the device's send to an operator's console
 * receiving the `alarm:update` (the peer: what an alarm of a person costs on the same path). They
 * should agree within noise: a self-test that is much faster than a real alarm proves little.
 * The service runs in this process on its own database, with the demo municipality.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, LoginResponse, ServerToClientEvents } from '@trygg/alarm-core';
import type { DemoCredentials } from '@trygg/devices';
import { loadConfig, startTrygg } from '@trygg/server';
import { figure, type Figure } from './figures.js';
import { summarise, type Summary } from './stats.js';

export interface SelfTestResult {
  rounds: number;
  /** Send → live published, per ingress, every probe of every round. */
  synthetic: Record<string, Summary>;
  syntheticRoundsP99: Record<string, number[]>;
  /** A demo device's alarm: send → an operator's console has the `alarm:update`. */
  device: Summary;
  deviceRoundsP99: number[];
}

export async function benchSelfTest(opts: {
  databaseUrl: string;
  rounds: number;
  /** Probes per ingress and device alarms per round. */
  perRound: number;
  log: (s: string) => void;
}): Promise<SelfTestResult> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'trygg-bench-selftest-'));
  const config = loadConfig({}, [], {
    databaseUrl: opts.databaseUrl,
    dataDir,
    port: 0,
    mqttPort: 0,
    sipUdpPort: 0,
    sipTcpPort: 0,
    sipTlsPort: null,
    host: '127.0.0.1',
    demo: true,
    logLevel: 'warn',
    // Rounds are driven by the benchmark (probeNow); the timer stays out of the way.
    selfTestIntervalS: 300,
    selfTestLateS: 30,
  });
  const trygg = await startTrygg(config, { logger: pino({ level: 'warn' }) });
  const chain = trygg.chain;
  if (!chain) throw new Error('self-test is off');
  const demo = JSON.parse(await readFile(path.join(dataDir, 'demo.json'), 'utf8')) as DemoCredentials;
  const http = `http://127.0.0.1:${trygg.ports.http}`;
  const op = demo.users.find((u) => u.username === 'operator');
  const login = (await (
    await fetch(`${http}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'operator', password: op?.password }),
    })
  ).json()) as LoginResponse;
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(http, {
    path: '/socket.io',
    auth: { token: login.token },
    transports: ['websocket'],
  });
  const dev = demo.devices.find((d) => d.protocol === 'mqtt');
  if (!dev) throw new Error('no demo MQTT device');
  const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${trygg.ports.mqtt}`, {
    clientId: dev.id,
    username: dev.id,
    password: dev.secret,
    reconnectPeriod: 0,
  });
  const waiting = new Map<string, () => void>();
  socket.on('alarm:update', (u) => {
    const eventId = (u.entry.data as { eventId?: unknown }).eventId;
    if (typeof eventId === 'string') waiting.get(eventId)?.();
  });
  if (!socket.connected) await new Promise<void>((resolve) => socket.once('connect', () => resolve()));

  const synthetic: Record<string, number[]> = {};
  const syntheticRoundsP99: Record<string, number[]> = {};
  const deviceAll: number[] = [];
  const deviceRoundsP99: number[] = [];
  try {
    await chain.probeNow(); // warm: connections made, statements prepared
    for (let r = 0; r < opts.rounds; r++) {
      const round: Record<string, number[]> = {};
      for (let i = 0; i < opts.perRound; i++) {
        for (const ing of (await chain.probeNow()).ingresses) {
          if (ing.hops.live === null) continue;
          (round[ing.ingress] ??= []).push(ing.hops.live);
        }
      }
      for (const [k, xs] of Object.entries(round)) {
        (synthetic[k] ??= []).push(...xs);
        (syntheticRoundsP99[k] ??= []).push(summarise(xs).p99);
      }
      const times: number[] = [];
      for (let i = 0; i < opts.perRound; i++) {
        const id = randomUUID();
        const seen = new Promise<void>((resolve) => waiting.set(id, resolve));
        const t0 = performance.now();
        const event = JSON.stringify({ id, type: 'alarm.button', ts: new Date().toISOString() });
        await device.publishAsync(`trygg/v1/devices/${dev.id}/events`, event, { qos: 1 });
        await seen;
        times.push(performance.now() - t0);
        waiting.delete(id);
      }
      deviceAll.push(...times);
      deviceRoundsP99.push(summarise(times).p99);
      opts.log(
        `  round ${r + 1}: ${Object.entries(round)
          .map(([k, xs]) => `${k} p99 ${summarise(xs).p99} ms`)
          .join(', ')}; device alarm p99 ${summarise(times).p99.toFixed(1)} ms`,
      );
    }
  } finally {
    device.end(true);
    socket.close();
    await trygg.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  return {
    rounds: opts.rounds,
    synthetic: Object.fromEntries(Object.entries(synthetic).map(([k, xs]) => [k, summarise(xs)])),
    syntheticRoundsP99,
    device: summarise(deviceAll),
    deviceRoundsP99,
  };
}

export function selfTestFigures(r: SelfTestResult): Figure[] {
  return Object.entries(r.synthetic).map(([ingress, s]) =>
    figure({
      section: 'selftest',
      name: `self-test alarm via ${ingress}, send → live (ms), p50 / p99 / p99.9 / max`,
      kind: 'latency',
      trygg: s,
      peer: { name: 'device alarm via MQTT, send → console', value: r.device },
      goal: { text: 'within noise of the device alarm (ratio ≤ 1.5)', met: s.p99 <= 1.5 * r.device.p99 },
      rounds: { trygg: r.syntheticRoundsP99[ingress] ?? [], peer: r.deviceRoundsP99 },
    }),
  );
}
