/**
 * Live fan-out: one update to 1 000 connected operator sockets through Trygg's LiveServer
 * (socket.io, the operators' room), measured from `publish` to each client's receipt, against a
 * raw `ws` server broadcasting the same JSON to 1 000 plain WebSocket clients in the same run.
 * Clients live in the bench's own process (the machine has two cores), so both sides pay for
 * their clients' parsing; the ratio is the fair figure.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { WebSocketServer } from 'ws';
import type { LiveUpdate } from '@trygg/alarm-core';
import { LiveServer } from '@trygg/dashboard';
import { figure, type Figure } from './figures.js';
import { summarise, type Summary } from './stats.js';

export interface FanoutResult {
  clients: number;
  /** Updates per round. */
  updates: number;
  /** Every receipt of every round. */
  trygg: Summary;
  ws: Summary;
  /** Each round's p99, interleaved in time: Trygg, ws, Trygg, ws … */
  tryggRoundsP99: number[];
  wsRoundsP99: number[];
}

const quiet = { info() {}, warn() {}, error() {}, debug() {} };

/** An update of realistic size: an alarm with its roster, alerts and timeline entry (~2 KB). */
function update(seq: number): LiveUpdate {
  const person = (i: number, kind: 'relative' | 'staff' | 'response-centre') => ({
    id: `p${i}`,
    name: `Person ${i}`,
    kind,
    userId: `user-${i}`,
  });
  const at = new Date().toISOString();
  return {
    seq,
    entry: {
      seq,
      alarmId: '6f1c9a64-3c55-4a49-8f7c-0e0d3c6f1a2b',
      at,
      kind: 'notified',
      actor: null,
      data: { step: 0, to: ['relatives'] },
    },
    alarm: {
      id: '6f1c9a64-3c55-4a49-8f7c-0e0d3c6f1a2b',
      type: 'alarm.button',
      class: 'care',
      state: 'open',
      priority: 40,
      subject: {
        deviceId: 'res-kari-button',
        residentId: 'res-kari',
        residentName: 'Kari Nordmann',
        siteId: 'home-kari',
        siteName: 'Kari Nordmann',
        address: 'Storgata 12, 0155 Oslo',
        room: null,
      },
      openedAt: at,
      updatedAt: at,
      closedAt: null,
      claimedBy: null,
      arrivedAt: null,
      eventCount: 1,
      escalation: {
        chain: {
          source: 'default:home',
          steps: [
            { type: 'notify', to: ['relatives'], timeoutS: 120 },
            { type: 'notify', to: ['response-centre'], timeoutS: 60 },
          ],
        },
        roster: {
          relatives: [person(1, 'relative'), person(2, 'relative')],
          'floor-staff': [],
          'site-staff': [],
          'response-centre': [person(3, 'response-centre')],
          technicians: [],
        },
        step: 0,
        cursor: 0,
        repeats: {},
        alerts: [
          { recipient: person(1, 'relative'), step: 0, at, state: 'pending', changedAt: at },
          { recipient: person(2, 'relative'), step: 0, at, state: 'pending', changedAt: at },
        ],
        timers: [{ token: 'x:t1', kind: 'step', dueAt: at }],
        realerts: 0,
        seq: 3,
      },
      resolution: null,
      version: 2,
    },
  };
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Starts the clients in a worker thread; resolves once all are connected. */
async function clientsIn(mode: 'socket.io' | 'ws', url: string, clients: number) {
  // The worker runs TypeScript through tsx's loader, registered inside the worker.
  const file = new URL('./fanout-clients.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((t) => t.register()).then(() => import(${JSON.stringify(file)}))`;
  const worker = new Worker(boot, { eval: true, workerData: { mode, url, clients } });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  const receipts = async (type: 'drain' | 'collect', expected: number): Promise<number[]> => {
    const samples = new Promise<number[]>((resolve) => {
      const on = (m: { type: string; samples?: number[] }) => {
        if (m.type !== 'samples') return;
        worker.off('message', on);
        resolve(m.samples ?? []);
      };
      worker.on('message', on);
    });
    worker.postMessage({ type });
    const got = await samples;
    if (got.length < expected) throw new Error(`${expected - got.length} deliveries missing`);
    return got;
  };
  return {
    /** This round's receipts' latencies; the clients stay connected. */
    drain: (expected: number) => receipts('drain', expected),
    /** Closes the clients. */
    close: async () => {
      await receipts('collect', 0);
      await worker.terminate();
    },
  };
}

async function publishAll(publish: (u: LiveUpdate) => void, updates: number, gapMs: number): Promise<void> {
  for (let i = 1; i <= updates; i++) {
    const u = update(i);
    u.entry.data.sentAt = performance.timeOrigin + performance.now();
    publish(u);
    await new Promise((r) => setTimeout(r, gapMs));
  }
  // Let the last update reach everyone before collecting.
  await new Promise((r) => setTimeout(r, 1000));
}

export async function benchFanout(opts: {
  clients: number;
  updates: number;
  gapMs: number;
  rounds: number;
  log: (l: string) => void;
}): Promise<FanoutResult> {
  // Trygg: the LiveServer exactly as the service runs it (token check stubbed to an operator).
  const httpA = http.createServer();
  const live = new LiveServer({
    verify: async () => ({ userId: 'op', name: 'Operator', roles: ['operator'], locale: 'nb' }),
    mayWatchOperators: () => true,
    mayAdminister: () => false,
    updatesAfter: async () => [],
    snapshot: async () => ({ alarms: [], head: 0 }),
    logger: quiet,
  });
  live.attach(httpA);
  const portA = await listen(httpA);
  // Peer: raw ws broadcast of the same JSON. Both crowds stay connected (idle) through every
  // round, so the rounds can alternate and drift in the machine's load hits both.
  const httpB = http.createServer();
  const wss = new WebSocketServer({ server: httpB });
  const portB = await listen(httpB);
  const a = await clientsIn('socket.io', `http://127.0.0.1:${portA}`, opts.clients);
  const b = await clientsIn('ws', `ws://127.0.0.1:${portB}`, opts.clients);
  opts.log(`  ${live.connections} operator sockets and ${wss.clients.size} plain WebSockets connected`);
  const tryggSamples: number[] = [];
  const wsSamples: number[] = [];
  const tryggRoundsP99: number[] = [];
  const wsRoundsP99: number[] = [];
  try {
    for (let r = 0; r < opts.rounds; r++) {
      await publishAll((u) => live.publish([u]), opts.updates, opts.gapMs);
      const t = await a.drain(opts.clients * opts.updates);
      await publishAll(
        (u) => {
          const data = JSON.stringify(u);
          for (const c of wss.clients) c.send(data);
        },
        opts.updates,
        opts.gapMs,
      );
      const w = await b.drain(opts.clients * opts.updates);
      tryggSamples.push(...t);
      wsSamples.push(...w);
      tryggRoundsP99.push(summarise(t).p99);
      wsRoundsP99.push(summarise(w).p99);
      opts.log(`  round ${r + 1}: p99 Trygg ${tryggRoundsP99.at(-1)?.toFixed(1)} ms, ws ${wsRoundsP99.at(-1)?.toFixed(1)} ms`);
    }
  } finally {
    await a.close();
    await b.close();
    await live.close();
    httpA.close();
    wss.close();
    httpB.close();
  }
  return {
    clients: opts.clients,
    updates: opts.updates,
    trygg: summarise(tryggSamples),
    ws: summarise(wsSamples),
    tryggRoundsP99,
    wsRoundsP99,
  };
}

export function fanoutFigures(r: FanoutResult): Figure[] {
  return [
    figure({
      section: 'fanout',
      name: `live fan-out p50 / p99 / p99.9 / max (ms), ${r.clients} sockets`,
      kind: 'latency',
      trygg: r.trygg,
      peer: { name: 'raw ws', value: r.ws },
      goal: { text: 'p99 ≤ 50', met: r.trygg.p99 <= 50 },
      rounds: { trygg: r.tryggRoundsP99, peer: r.wsRoundsP99 },
    }),
  ];
}
