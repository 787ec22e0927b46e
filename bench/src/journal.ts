/**
 * Journal delivery benchmark: a backlog of closed alarms in the journal outbox (10 000 by
 * default) delivered by the journal worker to the local FHIR receiver (OAuth private_key_jwt,
 * DPoP, R4 schema validation, conditional create) — goal ≥ 500 entries/s. Peer in the same run:
 * the same client posting ready-made bundles to a fresh receiver with no outbox, database or
 * mapping in the way (the ceiling the receiver and HTTP set).
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import {
  Inbox,
  JournalClient,
  JournalWorker,
  alarmBundle,
  getTimeline,
  journalBacklog,
  type Alarm,
  type Bundle,
  type Pool,
} from '@trygg/alarm-core';
import { journalPatient, syntheticNationalId } from '@trygg/devices';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { JWK } from 'jose';
import { benchEngine } from './escalation.js';
import { figure, type Figure } from './figures.js';
import { fmt, median } from './stats.js';

export interface JournalBenchResult {
  entries: number;
  /** Median of the rounds. */
  deliveredPerSecond: number;
  peerPerSecond: number;
  /** Each round, interleaved: a backlog through the outbox, then ready bundles. */
  deliveredRounds: number[];
  peerRounds: number[];
  duplicates: number;
  rejected: number;
}

const quiet = pino({ level: 'warn' });

interface Remote {
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  clientPrivateJwk: JWK;
  /** Stops it and returns what it saw. */
  stop(): Promise<{ records: number; duplicates: number; rejected: number }>;
}

/** Starts the receiver in a child process (see simulators/src/fhir-receiver/main.ts). */
async function remoteReceiver(): Promise<Remote> {
  const script = fileURLToPath(import.meta.resolve('@trygg/simulators/fhir-receiver/main'));
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  if (!child.stdout) throw new Error('no stdout');
  const lines = createInterface({ input: child.stdout });
  const next = () =>
    new Promise<Record<string, unknown>>((resolve) =>
      lines.once('line', (l) => resolve(JSON.parse(l) as Record<string, unknown>)),
    );
  const ready = (await next()).ready as Omit<Remote, 'stop'>;
  return {
    ...ready,
    stop: async () => {
      const stats = next();
      child.kill('SIGTERM');
      return (await stats).stats as { records: number; duplicates: number; rejected: number };
    },
  };
}

function client(r: Omit<Remote, 'stop'>): JournalClient {
  return new JournalClient({
    baseUrl: r.baseUrl,
    tokenUrl: r.tokenUrl,
    clientId: r.clientId,
    privateJwk: r.clientPrivateJwk,
    dpop: true,
    timeoutMs: 30_000,
  });
}

/** Clones one handled alarm (document, timeline) into `n` closed alarms waiting in the outbox. */
async function backlog(pool: Pool, template: string, n: number): Promise<void> {
  await pool.query(
    `WITH g AS (SELECT gen_random_uuid() AS id FROM generate_series(1, $2)),
          a AS (INSERT INTO alarms (id, device_id, resident_id, site_id, type, state, priority, opened_at, updated_at, closed_at, version, doc, class)
                SELECT g.id, s.device_id, s.resident_id, s.site_id, s.type, s.state, s.priority, s.opened_at, s.updated_at, s.closed_at,
                       s.version, jsonb_set(s.doc, '{id}', to_jsonb(g.id::text)), s.class
                  FROM alarms s, g WHERE s.id = $1 RETURNING id, doc),
          t AS (INSERT INTO alarm_timeline (alarm_id, at, kind, actor, data)
                SELECT a.id, t.at, t.kind, t.actor, t.data FROM a, alarm_timeline t WHERE t.alarm_id = $1 ORDER BY a.id, t.seq)
     INSERT INTO journal_outbox (entry_id, kind, alarm_id, resident_id, record) SELECT id, 'alarm', id, doc #>> '{subject,residentId}', doc FROM a`,
    [template, n],
  );
}

/**
 * Delivers a backlog of `entries` through the outbox to the receiver: entries per second. Each
 * round's entries are new alarms, so one receiver serves every round.
 */
async function deliverBacklog(pool: Pool, template: string, entries: number, receiver: Remote): Promise<number> {
  await pool.query(`UPDATE journal_outbox SET status = 'journaled'`); // earlier entries are not part of this
  await backlog(pool, template, entries);
  const worker = new JournalWorker({
    pool,
    client: client(receiver),
    patientOf: (id) => journalPatient(pool, id),
    logger: quiet,
    concurrency: 32,
    pollMs: 5,
  });
  const t0 = performance.now();
  worker.start();
  for (;;) {
    const b = await journalBacklog(pool);
    if (b.pending + b.sent === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - t0) / 1000;
  await worker.stop();
  return entries / seconds;
}

/**
 * The peer: ready-made bundles of the latest round's entries (new to the peer's receiver),
 * posted by the same client with the same concurrency.
 */
async function postReady(pool: Pool, sample: number, receiver: Remote): Promise<number> {
  const { rows } = await pool.query<{ record: Alarm }>('SELECT record FROM journal_outbox ORDER BY created_at DESC LIMIT $1', [
    sample,
  ]);
  const timeline = rows[0] ? await getTimeline(pool, rows[0].record.id) : [];
  const patient = await journalPatient(pool, rows[0]?.record.subject.residentId ?? null);
  const bundles: Bundle[] = rows.map((r) =>
    alarmBundle({ alarm: r.record, timeline: timeline.map((e) => ({ ...e, alarmId: r.record.id })), patient }),
  );
  const peerClient = client(receiver);
  await peerClient.deliver(bundles[0] as Bundle); // token and first compile out of the timing
  const p0 = performance.now();
  let next = 1;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < bundles.length) await peerClient.deliver(bundles[next++] as Bundle);
    }),
  );
  return (bundles.length - 1) / ((performance.now() - p0) / 1000);
}

export async function benchJournal(
  pool: Pool,
  template: string,
  entries: number,
  rounds: number,
  log: (l: string) => void,
): Promise<JournalBenchResult> {
  log(`  delivering a backlog of ${entries} journal entries, ${rounds} rounds alternating with ready bundles`);
  const deliveredRounds: number[] = [];
  const peerRounds: number[] = [];
  // Each side has a receiver of its own, so the peer's bundles are new to the one it posts to.
  const receiver = await remoteReceiver();
  const peerReceiver = await remoteReceiver().catch(async (err: unknown) => {
    await receiver.stop();
    throw err;
  });
  let seen = { duplicates: 0, rejected: 0 };
  try {
    for (let r = 0; r < rounds; r++) {
      deliveredRounds.push(await deliverBacklog(pool, template, entries, receiver));
      peerRounds.push(await postReady(pool, Math.min(entries, 2_000), peerReceiver));
      log(
        `  round ${r + 1}: ${fmt(deliveredRounds.at(-1) ?? NaN, 0)} entries/s through the outbox; ${fmt(peerRounds.at(-1) ?? NaN, 0)}/s ready bundles`,
      );
    }
  } finally {
    seen = await receiver.stop();
    await peerReceiver.stop();
  }
  return {
    entries,
    deliveredPerSecond: median(deliveredRounds),
    peerPerSecond: median(peerRounds),
    deliveredRounds,
    peerRounds,
    duplicates: seen.duplicates,
    rejected: seen.rejected,
  };
}

export function journalFigures(r: JournalBenchResult): Figure[] {
  const wrong = r.duplicates || r.rejected ? ` — ${r.duplicates} duplicates, ${r.rejected} refused!` : '';
  return [
    figure({
      section: 'journal',
      name: `journal entries delivered / s (backlog ${r.entries}, median of rounds)`,
      kind: 'rate',
      trygg: r.deliveredPerSecond,
      peer: { name: 'ready bundles', value: r.peerPerSecond },
      goal: { text: `≥ 500, nothing refused or twice${wrong}`, met: r.deliveredPerSecond >= 500 && !wrong },
      rounds: { trygg: r.deliveredRounds, peer: r.peerRounds },
    }),
  ];
}
/** One alarm opened, claimed and resolved through the engine: the template for the backlog. */
export async function handledAlarm(pool: Pool): Promise<string> {
  const engine = benchEngine(pool);
  await engine.start();
  try {
    const deviceId = 'bd-journal';
    await pool.query(
      `INSERT INTO sites (id, kind, name, address) VALUES ('bh-journal', 'home', 'Journal home', 'Journalveien 1, 0150 Oslo')`,
    );
    await pool.query(
      `INSERT INTO residents (id, national_id, name, site_id) VALUES ('br-journal', $1, 'Journal Person', 'bh-journal')`,
      [syntheticNationalId('1936-02-14', 3)],
    );
    await pool.query(
      `INSERT INTO relatives (id, resident_id, name, consent_at, consent_by) VALUES ('brl-journal', 'br-journal', 'Journal Relative', now(), 'bench')`,
    );
    await pool.query(
      `INSERT INTO devices (id, kind, serial, protocol, status, resident_id) VALUES ($1, 'alarm-button', 'BENCH-JOURNAL', 'mqtt', 'active', 'br-journal')`,
      [deviceId],
    );
    await new Inbox(pool, engine, quiet).acceptAndApply(deviceId, {
      id: randomUUID(),
      type: 'alarm.fall',
      ts: new Date().toISOString(),
    });
    const { rows } = await pool.query<{ id: string }>(`SELECT id FROM alarms WHERE device_id = $1`, [deviceId]);
    const id = rows[0]?.id ?? '';
    const operator = { userId: 'bench-operator', name: 'Bench Operatør', role: 'operator' };
    await engine.command(id, { id: randomUUID(), type: 'claim' }, operator);
    await engine.command(
      id,
      { id: randomUUID(), type: 'resolve', note: 'Hjalp opp, ingen skade', cause: 'fall', action: 'home-visit' },
      operator,
    );
    return id;
  } finally {
    await engine.stop();
  }
}
