/**
 * Directory benchmark: 10 000 residents (8 000 at home with two relatives each, one of them not
 * available at night; 2 000 in rooms of four care homes with staff on shifts) and 30 000 devices.
 * Measures a look-up as the engine does it (`contextFor` for a new alarm): uncached (the SQL),
 * cached (goal p99 ≤ 2 ms), and how soon a registry change reaches the cache (NOTIFY → cleared →
 * the next look-up has the new answer). Peer in the same run: a bare `SELECT … WHERE id = $1`
 * on the devices table through pg, the cheapest question the database can be asked.
 */
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import type { Pool } from '@trygg/alarm-core';
import { DirectoryListener, SqlDirectory } from '@trygg/devices';
import { figure, type Figure } from './figures.js';
import { fmt, summarise, type Summary } from './stats.js';

export interface DirectoryBenchOptions {
  pool: Pool;
  databaseUrl: string;
  residents: number;
  devices: number;
  /** Look-ups timed per measurement (spread over the rounds). */
  samples: number;
  rounds: number;
  log: (line: string) => void;
}

export interface DirectoryBenchResult {
  residents: number;
  devices: number;
  uncachedMs: Summary;
  cachedMs: Summary;
  peerMs: Summary;
  invalidationMs: Summary;
  /** Each round's p99, interleaved with the peer's: uncached, peer, uncached, peer …; then cached, peer … */
  rounds: { uncached: number[]; cached: number[]; peer: number[] };
}

const HOMES_SHARE = 0.8;
const INSTITUTIONS = 4;
const FLOORS = 10; // per institution, two buildings of five floors

/** The registry, made with set-based SQL so seeding 30 000 devices takes seconds. */
async function seed(pool: Pool, residents: number, devices: number): Promise<void> {
  const homes = Math.round(residents * HOMES_SHARE);
  const rooms = residents - homes;
  const perFloor = Math.ceil(rooms / (INSTITUTIONS * FLOORS));
  await pool.query(
    `INSERT INTO sites (id, kind, name, address) SELECT 'dh-' || g, 'home', 'Home ' || g, 'Dirveien ' || g FROM generate_series(1, $1) g`,
    [homes],
  );
  await pool.query(
    `INSERT INTO sites (id, kind, name, address) SELECT 'di-' || i, 'institution', 'Care home ' || i, 'Omsorgsveien ' || i FROM generate_series(1, $1) i`,
    [INSTITUTIONS],
  );
  await pool.query(
    `INSERT INTO sites (id, kind, parent_id, name) SELECT 'di-' || i || '-b' || b, 'building', 'di-' || i, 'Building ' || b
       FROM generate_series(1, $1) i, generate_series(1, 2) b`,
    [INSTITUTIONS],
  );
  await pool.query(
    `INSERT INTO sites (id, kind, parent_id, name) SELECT 'di-' || i || '-b' || b || '-f' || f, 'floor', 'di-' || i || '-b' || b, 'Floor ' || f
       FROM generate_series(1, $1) i, generate_series(1, 2) b, generate_series(1, $2::int) f`,
    [INSTITUTIONS, FLOORS / 2],
  );
  await pool.query(
    `INSERT INTO sites (id, kind, parent_id, name)
     SELECT 'dr-' || n, 'room', 'di-' || (1 + (n - 1) / ($2::int * $3::int)) || '-b' || (1 + ((n - 1) / ($2::int * $3::int / 2)) % 2) || '-f' || (1 + ((n - 1) / $2::int) % ($3::int / 2)), 'Room ' || n
       FROM generate_series(1, $1) n`,
    [rooms, perFloor, FLOORS],
  );
  await pool.query(
    `INSERT INTO residents (id, name, site_id, address)
     SELECT 'dres-' || g, 'Resident ' || g, CASE WHEN g <= $1 THEN 'dh-' || g ELSE 'dr-' || (g - $1) END, NULL
       FROM generate_series(1, $2) g`,
    [homes, residents],
  );
  await pool.query(
    `INSERT INTO relatives (id, resident_id, name, chain_order, unavailable_from, unavailable_to, consent_at, consent_by)
     SELECT 'drel-' || g || '-' || o, 'dres-' || g, 'Relative ' || g || '/' || o, o,
            CASE WHEN o = 2 THEN time '22:00' END, CASE WHEN o = 2 THEN time '07:00' END, now(), 'bench'
       FROM generate_series(1, $1) g, generate_series(1, 2) o`,
    [homes],
  );
  await pool.query(
    `INSERT INTO devices (id, kind, serial, protocol, status, heartbeat_interval_s, resident_id, site_id)
     SELECT 'ddev-' || g, (ARRAY['alarm-button', 'fall-sensor', 'smoke-detector'])[1 + g % 3], 'DIR-' || g, 'mqtt', 'active', 300,
            'dres-' || (1 + (g - 1) % $2), CASE WHEN 1 + (g - 1) % $2 > $3 THEN 'dr-' || (1 + (g - 1) % $2 - $3) END
       FROM generate_series(1, $1) g`,
    [devices, residents, homes],
  );
  // Night staff: two per floor, one with a shift now, one with staff_sites only (always on duty).
  await pool.query(
    `INSERT INTO users (id, username, display_name, password_hash, roles)
     SELECT 'dstaff-' || s.id || '-' || k, 'dstaff-' || s.id || '-' || k, 'Staff ' || s.id || '/' || k, 'x', ARRAY['staff']
       FROM sites s, generate_series(1, 2) k WHERE s.kind = 'floor' AND s.id LIKE 'di-%'`,
  );
  await pool.query(
    `INSERT INTO staff_sites (user_id, site_id) SELECT u.id, substr(u.id, 8, length(u.id) - 9) FROM users u WHERE u.id LIKE 'dstaff-%-2'`,
  );
  await pool.query(
    `INSERT INTO staff_shifts (user_id, site_id, starts_at, ends_at)
     SELECT u.id, substr(u.id, 8, length(u.id) - 9), now() - interval '1 hour', now() + interval '8 hours'
       FROM users u WHERE u.id LIKE 'dstaff-%-1'`,
  );
  await pool.query('ANALYZE');
}

const pick = (n: number) => `ddev-${1 + Math.floor(Math.random() * n)}`;

async function time(samples: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await fn(i);
    ms.push(performance.now() - t0);
  }
  return ms;
}

/** Rounds of a measurement alternating with rounds of the peer; every sample, and each round's p99. */
async function interleaved(
  rounds: number,
  samples: number,
  trygg: () => Promise<unknown>,
  peer: () => Promise<unknown>,
  into: { peer: number[]; peerRounds: number[] },
): Promise<{ all: number[]; rounds: number[] }> {
  const all: number[] = [];
  const p99s: number[] = [];
  const per = Math.max(1, Math.ceil(samples / rounds));
  for (let r = 0; r < rounds; r++) {
    const t = await time(per, trygg);
    const p = await time(per, peer);
    all.push(...t);
    p99s.push(summarise(t).p99);
    into.peer.push(...p);
    into.peerRounds.push(summarise(p).p99);
  }
  return { all, rounds: p99s };
}

export async function benchDirectory(o: DirectoryBenchOptions): Promise<DirectoryBenchResult> {
  const t0 = Date.now();
  await seed(o.pool, o.residents, o.devices);
  o.log(`  seeded ${o.residents} residents and ${o.devices} devices in ${Date.now() - t0} ms`);
  // Cached answers kept for 10 min without a notice (default 60 s), so that warming all 30 000
  // devices does not outlast the first answers; changes still clear the cache at once (NOTIFY).
  const directory = new SqlDirectory(o.pool, { ttlMs: 600_000 });
  let cleared: (() => void) | null = null;
  const listener = new DirectoryListener(
    o.databaseUrl,
    () => {
      directory.invalidate();
      cleared?.();
    },
    pino({ level: 'warn' }),
  );
  await listener.start();
  try {
    const peer = { peer: [] as number[], peerRounds: [] as number[] };
    const peerLookup = () => o.pool.query('SELECT * FROM devices WHERE id = $1', [pick(o.devices)]);
    // Uncached: every answer read from SQL (the cache cleared before each).
    const uncached = await interleaved(
      o.rounds,
      o.samples,
      async () => {
        directory.invalidate();
        await directory.contextFor(pick(o.devices), 'alarm.button');
      },
      peerLookup,
      peer,
    );
    const uncachedMs = summarise(uncached.all);
    o.log(`  uncached p50 ${fmt(uncachedMs.p50, 2)} ms, p99 ${fmt(uncachedMs.p99, 2)} ms`);
    // Warm every device once, then time cached look-ups across all of them.
    const warm = Date.now();
    for (let i = 0; i < o.devices; i += 8) {
      await Promise.all(
        Array.from({ length: Math.min(8, o.devices - i) }, (_, k) => directory.contextFor(`ddev-${i + k + 1}`, 'alarm.button')),
      );
    }
    o.log(`  warmed ${directory.size} answers in ${Date.now() - warm} ms`);
    const misses = directory.misses;
    const cached = await interleaved(
      o.rounds,
      o.samples * 10,
      () => directory.contextFor(pick(o.devices), 'alarm.button'),
      peerLookup,
      peer,
    );
    const cachedMs = summarise(cached.all);
    o.log(
      `  cached p50 ${fmt(cachedMs.p50, 3)} ms, p99 ${fmt(cachedMs.p99, 3)} ms (${directory.misses - misses} misses in ${cachedMs.n})`,
    );
    const peerMs = summarise(peer.peer);
    o.log(`  peer: pg SELECT by primary key p50 ${fmt(peerMs.p50, 2)} ms, p99 ${fmt(peerMs.p99, 2)} ms`);
    // A change: from the committed UPDATE to the next look-up returning the new order.
    const invalidation = await time(Math.max(20, Math.floor(o.samples / 50)), async (i) => {
      const resident = `dres-${1 + (i % 100)}`;
      const device = `ddev-${1 + (i % 100)}`;
      await directory.contextFor(device, 'alarm.button');
      const gone = new Promise<void>((resolve) => (cleared = resolve));
      const start = performance.now();
      await o.pool.query('UPDATE relatives SET chain_order = 3 - chain_order WHERE resident_id = $1', [resident]);
      await gone;
      await directory.contextFor(device, 'alarm.button');
      return performance.now() - start;
    });
    const invalidationMs = summarise(invalidation);
    o.log(`  change → new answer p50 ${fmt(invalidationMs.p50, 2)} ms, p99 ${fmt(invalidationMs.p99, 2)} ms`);
    return {
      residents: o.residents,
      devices: o.devices,
      uncachedMs,
      cachedMs,
      peerMs,
      invalidationMs,
      rounds: { uncached: uncached.rounds, cached: cached.rounds, peer: peer.peerRounds },
    };
  } finally {
    cleared = null;
    await listener.stop();
  }
}

export function directoryFigures(r: DirectoryBenchResult): Figure[] {
  const peer = { name: 'pg SELECT by id', value: r.peerMs };
  const half = r.rounds.uncached.length;
  return [
    figure({
      section: 'directory',
      name: `directory look-up, cached, p50 / p99 / p99.9 / max (ms), ${r.residents} residents / ${r.devices} devices`,
      kind: 'latency',
      trygg: r.cachedMs,
      peer,
      goal: { text: 'p99 ≤ 2', met: r.cachedMs.p99 <= 2 },
      rounds: { trygg: r.rounds.cached, peer: r.rounds.peer.slice(half) },
    }),
    figure({
      section: 'directory',
      name: 'directory look-up, uncached, p50 / p99 / p99.9 / max (ms)',
      kind: 'latency',
      trygg: r.uncachedMs,
      peer,
      rounds: { trygg: r.rounds.uncached, peer: r.rounds.peer.slice(0, half) },
    }),
    figure({
      section: 'directory',
      name: 'directory change → new answer p50 / p99 / p99.9 / max (ms)',
      kind: 'latency',
      trygg: r.invalidationMs,
    }),
  ];
}
