/**
 * The directory on a real PostgreSQL: who an alarm reaches, from the seeded demo, and a cache
 * that a registry change invalidates at once (NOTIFY) while heartbeats do not.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '@trygg/alarm-core';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.js';
import { seedDemo } from './demo.js';
import { DirectoryListener } from './directory-listener.js';
import { SqlDirectory } from './directory.js';

let db: TestDatabase;
let pool: Pool;
let dir: string;
let directory: SqlDirectory;
let listener: DirectoryListener;
let changes = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, 4);
  dir = await mkdtemp(path.join(os.tmpdir(), 'trygg-dir-'));
  await seedDemo(pool, dir);
  directory = new SqlDirectory(pool);
  listener = new DirectoryListener(
    db.url,
    () => {
      changes += 1;
      directory.invalidate();
    },
    pino({ level: 'silent' }),
  );
  await listener.start();
});
afterAll(async () => {
  await listener?.stop();
  await pool?.end();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

const names = async (deviceId: string) =>
  (await directory.contextFor(deviceId, 'alarm.button'))?.roster.relatives.map((r) => r.name);

describe('SqlDirectory', () => {
  it('places a home device: resident, address, relatives in order, the home chain', async () => {
    const ctx = await directory.contextFor('res-per-button', 'alarm.button');
    expect(ctx?.subject).toMatchObject({ residentName: 'Per Hansen', address: 'Bjørkeveien 3, 0371 Oslo', room: null });
    expect(ctx?.roster.relatives.map((r) => r.name)).toEqual(['Liv Hansen', 'Nils Hansen']);
    expect(ctx?.roster['floor-staff']).toEqual([]);
    expect(ctx?.chain.source).toBe('default:home');
  });

  it('places a room device: floor staff, site staff, the institution chain', async () => {
    const ctx = await directory.contextFor('rom-201-door', 'alarm.door');
    expect(ctx?.subject).toMatchObject({
      siteName: 'Solbakken sykehjem',
      floor: '2. etasje',
      room: 'Rom 201',
      address: 'Solbakkveien 1, 0860 Oslo',
    });
    expect(ctx?.roster['floor-staff'].map((r) => r.name)).toEqual(['Tor Natt (2. etasje)']);
    expect(ctx?.roster['site-staff'].map((r) => r.name).sort()).toEqual(['Nina Natt (1. etasje)', 'Tor Natt (2. etasje)']);
    expect(ctx?.chain.source).toBe('default:institution');
    expect(await directory.contextFor('nobody', 'alarm.button')).toBeNull();
  });

  it('hands out copies: a caller changing its answer changes nothing for the next', async () => {
    const a = await directory.contextFor('res-per-button', 'alarm.button');
    a?.roster.relatives.pop();
    expect(await names('res-per-button')).toEqual(['Liv Hansen', 'Nils Hansen']);
  });

  it('shares one look-up between an early look (prefetch) and the callers that come while it runs', async () => {
    const fresh = new SqlDirectory(pool);
    fresh.prefetch('res-kari-button', 'alarm.button');
    const [a, b] = await Promise.all([
      fresh.contextFor('res-kari-button', 'alarm.button'),
      fresh.contextFor('res-kari-button', 'alarm.button'),
    ]);
    expect(fresh.misses).toBe(1);
    expect(a).toEqual(b);
    expect(a).not.toBe(b); // each caller still gets its own copy
    expect(a?.subject.residentName).toBe('Kari Nordmann');
    expect(fresh.size).toBe(1);
  });

  it('does not keep an answer read across a registry change', async () => {
    const fresh = new SqlDirectory(pool);
    const read = fresh.contextFor('res-per-button', 'alarm.button');
    fresh.invalidate(); // a change notice while the read is in flight
    await read;
    expect(fresh.size).toBe(0);
    await fresh.contextFor('res-per-button', 'alarm.button');
    expect(fresh.misses).toBe(2);
  });

  it('sees a registry change at once, and is not disturbed by heartbeats', async () => {
    expect(await names('res-per-button')).toEqual(['Liv Hansen', 'Nils Hansen']);
    const before = changes;
    await pool.query(`UPDATE devices SET last_seen_at = now() WHERE id = 'res-per-button'`);
    await new Promise((r) => setTimeout(r, 200));
    expect(changes).toBe(before);
    await pool.query(`UPDATE relatives SET chain_order = 3 - chain_order WHERE resident_id = 'res-per'`);
    await expect.poll(() => names('res-per-button')).toEqual(['Nils Hansen', 'Liv Hansen']);
    expect(changes).toBeGreaterThan(before);
  });

  it('alerts a relative only while the resident’s consent to tell them stands (without it: unreachable, no-consent)', async () => {
    const fresh = () => new SqlDirectory(pool).contextFor('res-astrid-button', 'alarm.button');
    const before = (await fresh())?.roster.relatives.map((r) => r.name) ?? [];
    expect(before.length).toBeGreaterThan(0);
    await pool.query(`UPDATE relatives SET consent_at = NULL WHERE resident_id = 'res-astrid'`);
    // Still named on the roster, so the operator sees why nobody was told, but never alerted:
    // no channel, and the reason.
    const without = (await fresh())?.roster.relatives ?? [];
    expect(without.map((r) => r.name)).toEqual(before);
    for (const r of without) expect(r).toMatchObject({ reach: [], unreachable: 'no-consent' });
    await pool.query(`UPDATE relatives SET consent_at = now(), consent_by = 'test' WHERE resident_id = 'res-astrid'`);
    for (const r of (await fresh())?.roster.relatives ?? []) expect(r.unreachable).not.toBe('no-consent');
  });

  it('skips a relative who is not available at night, and asks them again in the morning', async () => {
    await pool.query(
      `UPDATE relatives SET unavailable_from = '22:00', unavailable_to = '07:00' WHERE resident_id = 'res-per' AND name = 'Nils Hansen'`,
    );
    // 23:30 and 08:00 in Oslo (UTC+1 in January).
    const at = (iso: string) => new SqlDirectory(pool, { clock: () => new Date(iso) });
    const night = await at('2026-01-15T22:30:00Z').contextFor('res-per-button', 'alarm.button');
    expect(night?.roster.relatives.map((r) => r.name)).toEqual(['Liv Hansen']);
    const morning = await at('2026-01-16T07:00:00Z').contextFor('res-per-button', 'alarm.button');
    expect(morning?.roster.relatives.map((r) => r.name).sort()).toEqual(['Liv Hansen', 'Nils Hansen']);
  });

  it('puts staff with shifts on the roster only during a shift; a cached answer ends when the shift does', async () => {
    let now = new Date('2026-01-15T21:00:00Z');
    const timed = new SqlDirectory(pool, { clock: () => now });
    await pool.query(
      `INSERT INTO staff_shifts (user_id, site_id, starts_at, ends_at)
       VALUES ('user-staff2', 'solbakken-a-2', '2026-01-15T21:30:00Z', '2026-01-16T07:30:00Z')`,
    );
    const floorStaff = async () =>
      (await timed.contextFor('rom-201-door', 'alarm.door'))?.roster['floor-staff'].map((r) => r.name) ?? [];
    expect(await floorStaff()).toEqual([]);
    now = new Date('2026-01-15T21:30:00Z');
    expect(await floorStaff()).toEqual(['Tor Natt (2. etasje)']);
    now = new Date('2026-01-16T07:29:59Z');
    expect(await floorStaff()).toEqual(['Tor Natt (2. etasje)']);
    now = new Date('2026-01-16T07:30:00Z');
    expect(await floorStaff()).toEqual([]);
    // Staff without any shift (Nina on floor 1) are always on duty.
    expect((await timed.contextFor('rom-101-door', 'alarm.door'))?.roster['floor-staff'].map((r) => r.name)).toEqual([
      'Nina Natt (1. etasje)',
    ]);
  });
});
