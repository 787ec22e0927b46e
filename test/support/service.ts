/**
 * Boots the whole service in-process on ephemeral ports against a fresh real database, with the
 * demo municipality seeded, and gives tests the clients a person or device would use.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import mqtt, { type MqttClient, type IClientOptions } from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import type { Alarm, ClientToServerEvents, DemoCredentials, LoginResponse, ServerToClientEvents } from './types.js';
import { loadConfig, startTrygg, type Config, type StartOptions, type Trygg } from '@trygg/server';
import { createTestDatabase, type TestDatabase } from './db.js';

export interface TestService {
  trygg: Trygg;
  db: TestDatabase;
  /** Every log line the service wrote, parsed (level debug and up). */
  logs: Record<string, unknown>[];
  demo: DemoCredentials;
  httpUrl: string;
  mqttUrl: string;
  login(username: string): Promise<LoginResponse>;
  api<T = unknown>(method: string, url: string, token: string | null, body?: unknown): Promise<{ status: number; body: T }>;
  device(id: string, opts?: Partial<IClientOptions>): Promise<MqttClient>;
  /** A demo device publishes an alarm event; resolves with the open alarm once the queue shows it. */
  raiseAlarm(deviceId: string, type?: string): Promise<Alarm>;
  /** A signed-in live socket; `listen` adds listeners before it connects (to hear what is sent on connect). */
  operatorSocket(
    token: string,
    listen?: (socket: Socket<ServerToClientEvents, ClientToServerEvents>) => void,
  ): Promise<Socket<ServerToClientEvents, ClientToServerEvents>>;
  stop(): Promise<void>;
}

export async function startTestService(
  opts: {
    config?: Partial<Config>;
    start?: StartOptions;
    /** Rewrites the service's database URL (e.g. through a TCP proxy a test can cut). */
    databaseUrl?: (url: string) => string;
  } = {},
): Promise<TestService> {
  const db = await createTestDatabase({ migrate: false });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'trygg-test-'));
  const config = loadConfig({}, [], {
    databaseUrl: opts.databaseUrl ? opts.databaseUrl(db.url) : db.url,
    dataDir,
    port: 0,
    mqttPort: 0,
    sipUdpPort: 0,
    sipTcpPort: 0,
    sipTlsPort: null,
    // The self-test's probes are off unless a test turns them on (they would add devices and events to every test).
    selfTestIntervalS: 0,
    host: '127.0.0.1',
    demo: true,
    logLevel: 'debug',
    ...opts.config,
  });
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      if (process.env.TRYGG_TEST_LOG === '1') process.stderr.write(chunk);
      cb();
    },
  });
  const trygg = await startTrygg(config, { logger: pino({ level: 'debug' }, sink), ...opts.start });
  // A service started with `demo: false` (e.g. one with no SMS gateway, since the demo starts a local SMSC) has no demo.json.
  const demo: DemoCredentials = config.demo
    ? (JSON.parse(await readFile(path.join(dataDir, 'demo.json'), 'utf8')) as DemoCredentials)
    : { municipality: '', users: [], devices: [], scaipUnits: [] };
  const httpUrl = `http://127.0.0.1:${trygg.ports.http}`;
  const mqttUrl = `mqtt://127.0.0.1:${trygg.ports.mqtt}`;
  const clients: { end(): unknown }[] = [];
  const sessions = new Map<string, Promise<LoginResponse>>();

  const api = async <T>(method: string, url: string, token: string | null, body?: unknown) => {
    const res = await fetch(httpUrl + url, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  };

  const service: TestService = {
    trygg,
    db,
    logs,
    demo,
    httpUrl,
    mqttUrl,
    api,
    // One sign-in per user per service, as an app keeps its session (sign-in is rate-limited per address).
    login: (username) => {
      let session = sessions.get(username);
      if (!session) {
        session = (async () => {
          const user = demo.users.find((u) => u.username === username);
          if (!user) throw new Error(`no demo user ${username}`);
          const res = await api<LoginResponse>('POST', '/api/auth/login', null, { username, password: user.password });
          if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`);
          return res.body;
        })();
        sessions.set(username, session);
        session.catch(() => sessions.delete(username));
      }
      return session;
    },
    device: async (id, opts = {}) => {
      const dev = demo.devices.find((d) => d.id === id);
      const client = await mqtt.connectAsync(mqttUrl, {
        clientId: id,
        username: id,
        password: dev?.secret ?? 'nope',
        reconnectPeriod: 0,
        protocolVersion: 4,
        ...opts,
      });
      clients.push({ end: () => client.end(true) });
      return client;
    },
    raiseAlarm: async (deviceId, type = 'alarm.button') => {
      const dev = await service.device(deviceId);
      const event = JSON.stringify({ id: randomUUID(), type, ts: new Date().toISOString() });
      await dev.publishAsync(`trygg/v1/devices/${deviceId}/events`, event, { qos: 1 });
      const { token } = await service.login('operator');
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
        const { body } = await api<{ alarms: Alarm[] }>('GET', '/api/alarms', token);
        const found = body.alarms.find((a) => a.subject.deviceId === deviceId);
        if (found) return found;
      }
      throw new Error(`no open alarm from ${deviceId} within 10 s`);
    },
    operatorSocket: async (token, listen) => {
      const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(httpUrl, {
        path: '/socket.io',
        auth: { token },
        transports: ['websocket'],
        reconnection: false,
      });
      clients.push({ end: () => socket.close() });
      listen?.(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', (err) => reject(err));
      });
      return socket;
    },
    stop: async () => {
      for (const c of clients) c.end();
      await trygg.stop();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return service;
}

/** Resolves with the first value `pick` returns non-undefined for, or rejects after `ms`. */
export function waitFor<T>(
  subscribe: (cb: (v: unknown) => void) => () => void,
  pick: (v: unknown) => T | undefined,
  ms = 10_000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${ms} ms`));
    }, ms);
    const off = subscribe((v) => {
      const hit = pick(v);
      if (hit !== undefined) {
        clearTimeout(timer);
        off();
        resolve(hit);
      }
    });
  });
}
