/**
 * SCAIP receiver benchmark: SIPp plays 2 000 registered units sending 500 requests a second over
 * UDP (95 % heartbeats, 5 % alarms, as units in the field do), and a second SIPp at their
 * registered contact takes the `<mrs>` replies. Latency is MESSAGE sent (SIPp's clock) → `<mrs>`
 * received (the other SIPp, same machine clock): parsing, session, inbox commit, reply and both
 * SIP legs (goal p99 ≤ 10 ms, and within 3× the peer). The engine runs beside it in the same
 * process and applies every alarm (heartbeats are stored already applied, as in service). Peer in
 * the same run: the same SIPp load against a bare responder made with the same SIP library
 * (sip-echo.ts), the floor for the stack and the event loop.
 *
 * The units register and send from one SIPp port: the receiver trusts only a unit's registered
 * flow. Each round accounts for every request: answered with an `<mrs>`, refused at the SIP level
 * (a 401 or a 503 the unit would retry), or unanswered; when any went unanswered, the service's
 * log (warnings and up) and SIPp's files of the run are kept and their place printed, with the
 * refs that got nothing. (A whole unanswered round once came from the harness itself: the previous
 * round's `<mrs>` sink had not exited yet, so the next one could not bind the contact port; the
 * sink is now waited for, killed if it lingers, and a sink that dies at start fails the run.)
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Inbox, warmPool, type Pool } from '@trygg/alarm-core';
import { ScaipUnits, SqlDirectory } from '@trygg/devices';
import { ScaipReceiver } from '@trygg/gateway';
import { benchEngine } from './escalation.js';
import { startSipEcho } from './sip-echo.js';
import { figure, type Figure } from './figures.js';
import { fmt, summarise, type Summary } from './stats.js';

const SCENARIOS = path.resolve(import.meta.dirname, 'sipp');

export interface ScaipBenchOptions {
  /** The alarm path's pool: sessions, inbox, engine. */
  pool: Pool;
  /** The directory's look-ups (its own pool, as in service). */
  directoryPool: Pool;
  /** Device ingress that is not an alarm: the units' look-ups and settings. */
  ingressPool: Pool;
  units: number;
  rate: number;
  /** Seconds of each round. */
  seconds: number;
  rounds: number;
  log: (line: string) => void;
}

export interface ScaipBenchResult {
  units: number;
  rate: number;
  sent: number;
  peerSent: number;
  /** Requests Trygg answered at the SIP level without an `<mrs>` (401, 503: the unit would retry). */
  refused: number;
  /** Every answered request of every round. */
  trygg: Summary & { answered: number };
  peer: Summary & { answered: number };
  /** Each round's p99, interleaved in time: Trygg, bare responder, Trygg, … */
  tryggRoundsP99: number[];
  peerRoundsP99: number[];
  registerSeconds: number;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

interface Sipp {
  done: Promise<number | null>;
  exited: () => boolean;
  /** Asks SIPp to stop, then kills it if it has not exited within 5 s; resolves once it has. */
  stop(): Promise<void>;
}

function sipp(args: string[], cwd: string): Sipp {
  const child = spawn('sipp', ['-nostdin', ...args], { cwd, stdio: 'ignore' });
  let exited = false;
  const done = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exited = true;
      resolve(code);
    }),
  );
  return {
    done,
    exited: () => exited,
    stop: async () => {
      if (exited) return;
      child.kill('SIGUSR1');
      const quit = await Promise.race([done.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
      if (!quit) {
        child.kill('SIGKILL');
        await done;
      }
    },
  };
}

/** SEND / RECV log lines → ms per ref. */
async function times(file: string, tag: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const text = await readFile(file, 'utf8').catch(() => '');
  // SIPp's gettimeofday leaves the microseconds empty when they are 0 (`RECV B4221 1796158987.000000 `):
  // an answer all the same (once counted as a request with no <mrs>).
  for (const m of text.matchAll(new RegExp(`^${tag} (B\\d+) (\\d+)(?:\\.\\d+)? ?(\\d+)?(?:\\.\\d+)?\\s*$`, 'gm'))) {
    if (!out.has(m[1] ?? '')) out.set(m[1] ?? '', Number(m[2]) * 1000 + Number(m[3] ?? 0) / 1000);
  }
  return out;
}

async function seed(pool: Pool, units: number): Promise<void> {
  await pool.query(
    `INSERT INTO devices (id, kind, serial, protocol, status, sip_username, sip_realm, sip_ha1, scaip_cid)
     SELECT 'bsu-' || g, 'social-alarm-unit', 'BSU-' || g, 'scaip', 'active', 'bsu-' || g, 'trygg',
            md5('bsu-' || g || ':trygg:pw-' || g), (7000000 + g)::text
       FROM generate_series(1, $1) g`,
    [units],
  );
}

/** What one load run saw: per answered ref its latency; refs refused at the SIP level; refs with no answer. */
interface LoadRun {
  sent: number;
  latencies: number[];
  refused: number;
  unanswered: string[];
}

/** One load run against `port` from the units' port: the sink's and the sender's logs → latency per answered ref. */
async function load(
  dir: string,
  phase: string,
  port: number,
  sinkPort: number,
  uacPort: number,
  opts: ScaipBenchOptions,
): Promise<LoadRun> {
  const sink = sipp(
    [
      '-sf',
      path.join(SCENARIOS, 'mrs-sink.xml'),
      '-i',
      '127.0.0.1',
      '-p',
      String(sinkPort),
      '-t',
      'u1',
      '-trace_logs',
      '-log_file',
      path.join(dir, `${phase}-recv.log`),
    ],
    dir,
  );
  await new Promise((r) => setTimeout(r, 300));
  if (sink.exited()) throw new Error(`the <mrs> sink (SIPp) could not start on port ${sinkPort} (${phase})`);
  const total = opts.rate * opts.seconds;
  const uac = sipp(
    [
      `127.0.0.1:${port}`,
      '-sf',
      path.join(SCENARIOS, 'message.xml'),
      '-inf',
      path.join(dir, 'messages.csv'),
      '-i',
      '127.0.0.1',
      '-p',
      String(uacPort),
      '-t',
      'u1',
      '-m',
      String(total),
      '-r',
      String(opts.rate),
      '-l',
      String(opts.rate * 4),
      '-trace_logs',
      '-log_file',
      path.join(dir, `${phase}-send.log`),
      '-timeout',
      `${opts.seconds * 3 + 30}s`,
      '-trace_err',
      '-error_file',
      path.join(dir, `${phase}-errors.log`),
    ],
    dir,
  );
  await uac.done;
  await new Promise((r) => setTimeout(r, 1500)); // the last replies land
  await sink.stop();
  const sent = await times(path.join(dir, `${phase}-send.log`), 'SEND');
  const recv = await times(path.join(dir, `${phase}-recv.log`), 'RECV');
  const refused = (await times(path.join(dir, `${phase}-send.log`), 'REFUSED')).size;
  const latencies: number[] = [];
  const unanswered: string[] = [];
  for (const [ref, s] of sent) {
    const t = recv.get(ref);
    if (t !== undefined) latencies.push(t - s);
    else unanswered.push(ref);
  }
  return { sent: sent.size, latencies, refused, unanswered };
}

/**
 * Requests that got nothing: the service's log and SIPp's files are kept where a person can read
 * them, and the first refs printed with whatever the service logged about them.
 */
async function keepEvidence(dir: string, phase: string, run: LoadRun, log: (l: string) => void): Promise<void> {
  const keep = path.resolve('bench-results', `scaip-unanswered-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  await mkdir(keep, { recursive: true });
  await cp(dir, keep, { recursive: true });
  const serviceLog = await readFile(path.join(dir, 'service.log'), 'utf8').catch(() => '');
  log(
    `    ${run.unanswered.length} of ${run.sent} requests of ${phase} got no <mrs>, e.g. ${run.unanswered.slice(0, 5).join(', ')}`,
  );
  log(`    service log lines: ${serviceLog.split('\n').filter(Boolean).length}; kept with SIPp's files in ${keep}`);
}

export async function benchScaip(opts: ScaipBenchOptions): Promise<ScaipBenchResult> {
  if (spawnSync('sipp', ['-v']).error) throw new Error('the SCAIP benchmark drives SIPp: apt-get install sip-tester');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'trygg-bench-sip-'));
  const { pool, log } = opts;
  try {
    await seed(pool, opts.units);
    const users = Array.from({ length: opts.units }, (_, i) => `bsu-${i + 1};pw-${i + 1};${7000001 + i}`);
    // SIPp takes the digest credentials of each unit from its injection file.
    const auth = Array.from(
      { length: opts.units },
      (_, i) => `bsu-${i + 1};[authentication username=bsu-${i + 1} password=pw-${i + 1}]`,
    );
    await writeFile(path.join(dir, 'units.csv'), `SEQUENTIAL\n${auth.join('\n')}\n`);
    // 95 % heartbeats, 5 % alarms, spread over the units in turn.
    const rows = Array.from({ length: opts.units }, (_, i) => `${users[i]};${i % 20 === 7 ? 'ME' : 'PI'}`);
    await writeFile(path.join(dir, 'messages.csv'), `SEQUENTIAL\n${rows.join('\n')}\n`);

    // The service's warnings and errors go to a file beside SIPp's, kept when requests go unanswered.
    const quiet = pino(
      { level: process.env.TRYGG_BENCH_LOG ?? 'warn' },
      createWriteStream(path.join(dir, 'service.log'), { flags: 'a' }),
    );
    const directory = new SqlDirectory(opts.directoryPool);
    const engine = benchEngine(pool, undefined, directory);
    await engine.start();
    // Connections made and statements prepared ahead, as the service does at start.
    await Promise.all([engine.warm(8), warmPool(opts.directoryPool, 3, (c) => directory.warm(c))]);
    // The pools as startTrygg has them: the alarm path's, and ingress for the units.
    const receiver = new ScaipReceiver({
      host: '127.0.0.1',
      udpPort: 0,
      tcpPort: null,
      tlsPort: null,
      realm: 'trygg',
      db: pool,
      units: new ScaipUnits(opts.ingressPool),
      inbox: new Inbox(pool, engine, quiet),
      logger: quiet,
    });
    await receiver.start();
    const port = receiver.ports.udp ?? 0;
    const sinkPort = await freePort();
    // The units' own port: they register from it and send from it (the receiver trusts that flow only).
    const uacPort = await freePort();
    let registerSeconds: number;
    const trygg = { sent: 0, refused: 0, latencies: [] as number[], rounds: [] as number[] };
    const peer = { sent: 0, refused: 0, latencies: [] as number[], rounds: [] as number[] };
    try {
      const t0 = Date.now();
      const reg = sipp(
        [
          `127.0.0.1:${port}`,
          '-sf',
          path.join(SCENARIOS, 'register.xml'),
          '-inf',
          path.join(dir, 'units.csv'),
          '-i',
          '127.0.0.1',
          '-p',
          String(uacPort),
          '-t',
          'u1',
          '-m',
          String(opts.units),
          '-r',
          '200',
          '-key',
          'contact_port',
          String(sinkPort),
          '-timeout',
          '120s',
          '-trace_err',
          '-error_file',
          path.join(dir, 'register-errors.log'),
        ],
        dir,
      );
      await reg.done;
      registerSeconds = (Date.now() - t0) / 1000;
      log(`  ${receiver.registeredUnits} of ${opts.units} units registered with digest in ${fmt(registerSeconds)} s`);
      if (receiver.registeredUnits < opts.units) {
        const errors = await readFile(path.join(dir, 'register-errors.log'), 'utf8').catch(() => '');
        throw new Error(`not every unit registered; SIPp said:\n${errors.slice(0, 3000)}`);
      }
      // The peer listens beside Trygg's receiver (idle while the other is loaded), so rounds can
      // alternate and drift in the machine's load hits both.
      const echo = await startSipEcho({ host: '127.0.0.1', port: sinkPort });
      try {
        for (let r = 1; r <= opts.rounds; r++) {
          log(`  round ${r}: ${opts.rate * opts.seconds} requests at ${opts.rate}/s to Trygg, then to the bare responder`);
          for (const [side, target] of [
            [trygg, port],
            [peer, echo.port],
          ] as const) {
            const phase = `${side === trygg ? 'trygg' : 'peer'}-${r}`;
            const got = await load(dir, phase, target, sinkPort, uacPort, opts);
            side.sent += got.sent;
            side.refused += got.refused;
            side.latencies.push(...got.latencies);
            side.rounds.push(summarise(got.latencies).p99);
            if (got.unanswered.length > 0) await keepEvidence(dir, phase, got, log);
          }
          log(`    p99 Trygg ${fmt(trygg.rounds.at(-1) ?? NaN, 2)} ms, bare responder ${fmt(peer.rounds.at(-1) ?? NaN, 2)} ms`);
        }
      } finally {
        await echo.stop();
      }
    } finally {
      await receiver.stop();
      await engine.stop();
    }
    return {
      units: opts.units,
      rate: opts.rate,
      sent: trygg.sent,
      peerSent: peer.sent,
      registerSeconds,
      refused: trygg.refused,
      trygg: { ...summarise(trygg.latencies), answered: trygg.latencies.length },
      peer: { ...summarise(peer.latencies), answered: peer.latencies.length },
      tryggRoundsP99: trygg.rounds,
      peerRoundsP99: peer.rounds,
    };
  } finally {
    if (!process.env.TRYGG_BENCH_KEEP) await rm(dir, { recursive: true, force: true });
    else log(`  SIPp files kept in ${dir}`);
  }
}

export function scaipFigures(r: ScaipBenchResult): Figure[] {
  return [
    figure({
      section: 'scaip',
      name: `SCAIP MESSAGE → <mrs> p50 / p99 / p99.9 / max (ms), ${r.units} units, ${r.rate}/s`,
      kind: 'latency',
      trygg: r.trygg,
      peer: { name: 'bare responder', value: r.peer },
      goal: { text: 'p99 ≤ 10 and ≤ 3× the bare responder', met: r.trygg.p99 <= 10 && r.trygg.p99 <= 3 * r.peer.p99 },
      rounds: { trygg: r.tryggRoundsP99, peer: r.peerRoundsP99 },
    }),
    figure({
      section: 'scaip',
      name: 'SCAIP <mrs> received / requests sent',
      kind: 'count',
      trygg: `${r.trygg.answered} / ${r.sent}${r.refused > 0 ? ` (${r.refused} refused: 401/503)` : ''}`,
      peer: { name: 'bare responder', value: `${r.peer.answered} / ${r.peerSent}` },
      ratio: r.peer.answered > 0 ? r.trygg.answered / r.peer.answered : null,
      goal: { text: 'every request answered', met: r.trygg.answered + r.refused === r.sent },
    }),
  ];
}
