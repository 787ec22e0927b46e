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
import { summarise, type Summary } from './stats.js';

export interface FanoutResult {
  clients: number;
  updates: number;
  trygg: Summary;
  ws: Summary;
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
  return {
    /** Closes the clients and returns every receipt's latency. */
    collect: async (expected: number): Promise<number[]> => {
      worker.postMessage({ type: 'collect' });
      const samples = await new Promise<number[]>((resolve) =>
        worker.on('message', (m: { type: string; samples?: number[] }) => {
          if (m.type === 'samples') resolve(m.samples ?? []);
        }),
      );
      await worker.terminate();
      if (samples.length < expected) throw new Error(`${expected - samples.length} deliveries missing`);
      return samples;
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
  const a = await clientsIn('socket.io', `http://127.0.0.1:${portA}`, opts.clients);
  opts.log(`  ${live.connections} operator sockets connected`);
  await publishAll((u) => live.publish([u]), opts.updates, opts.gapMs);
  const tryggSamples = await a.collect(opts.clients * opts.updates);
  await live.close();
  httpA.close();

  // Peer: raw ws broadcast of the same JSON.
  const httpB = http.createServer();
  const wss = new WebSocketServer({ server: httpB });
  const portB = await listen(httpB);
  const b = await clientsIn('ws', `ws://127.0.0.1:${portB}`, opts.clients);
  await publishAll(
    (u) => {
      const data = JSON.stringify(u);
      for (const c of wss.clients) c.send(data);
    },
    opts.updates,
    opts.gapMs,
  );
  const wsSamples = await b.collect(opts.clients * opts.updates);
  wss.close();
  httpB.close();
  return { clients: opts.clients, updates: opts.updates, trygg: summarise(tryggSamples), ws: summarise(wsSamples) };
}
export function fanoutRows(r: FanoutResult): string[][] {
  const f = (n: number) => n.toFixed(1);
  return [
    [`live fan-out p50 (ms, ${r.clients} sockets)`, f(r.trygg.p50), `ws ${f(r.ws.p50)}`, (r.trygg.p50 / r.ws.p50).toFixed(1), ''],
    [
      `live fan-out p99 (ms, ${r.clients} sockets)`,
      f(r.trygg.p99),
      `ws ${f(r.ws.p99)}`,
      (r.trygg.p99 / r.ws.p99).toFixed(1),
      `≤ 50: ${r.trygg.p99 <= 50 ? 'met' : 'missed'}`,
    ],
    [`live fan-out max (ms)`, f(r.trygg.max), `ws ${f(r.ws.max)}`, '', ''],
  ];
}
