/**
 * Import of residents and devices from CSV, for moving a municipality onto Trygg. Every row is
 * checked (schema, national id check digits, duplicates in the file and in the database, sites
 * and residents that must exist) and every bad row is reported with its line and reasons.
 * Nothing is written unless every row is valid, and then all rows in one transaction. A dry run
 * only checks. Columns (header row, any order; empty = not given):
 *   residents: id, name, national_id, site_id, address, key_safe, digital_lock, notes, language, consent
 *     (no site_id but an address: a home is made for the resident at that address)
 *   devices:   id, serial, kind, protocol, vendor, model, firmware, heartbeat_interval_s, resident_id, site_id, location
 *     (with a resident or room the device is installed there and awaits its test)
 */
import { parse } from 'csv-parse/sync';
import { Compile } from 'typebox/compile';
import {
  DeviceInput,
  ResidentInput,
  TryggError,
  withTransaction,
  type DeviceCredentials,
  type ImportReport,
  type Pool,
} from '@trygg/alarm-core';
import { parseNationalId } from '../national-id.js';
import { registerDevice } from './devices.js';
import { installInTransaction } from './installations.js';
import { createResident } from './residents.js';
import { guarded } from './db-errors.js';
import { newId } from './ids.js';

const checkResident = Compile(ResidentInput);
const checkDevice = Compile(DeviceInput);
const MAX_ROWS = 50_000;

type Rec = Record<string, string>;
const opt = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

function readCsv(text: string): Rec[] {
  try {
    return parse<Rec>(text, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      skip_empty_lines: true,
      bom: true,
      trim: false,
    });
  } catch (err) {
    throw new TryggError('TRYGG_ERR_IMPORT_INVALID', `not readable as CSV: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function schemaErrors(
  check: { Errors(v: unknown): Iterable<{ instancePath: string; message: string }> },
  value: unknown,
): string[] {
  return [...check.Errors(value)].map((e) => `${e.instancePath.replace(/^\//, '') || 'row'}: ${e.message}`);
}

interface Planned<T> {
  line: number;
  value: T;
  errors: string[];
}

async function planResidents(pool: Pool, recs: Rec[]): Promise<Planned<ResidentInput & { homeAddress?: string }>[]> {
  const seenIds = new Map<string, number>();
  const seenNids = new Map<string, number>();
  const rows = recs.map((r, i) => {
    const consent = opt(r.consent)?.toLowerCase();
    const value: ResidentInput & { homeAddress?: string } = {
      id: opt(r.id),
      name: opt(r.name) ?? '',
      nationalId: opt(r.national_id),
      siteId: opt(r.site_id) ?? '',
      address: opt(r.address),
      keySafe: opt(r.key_safe),
      digitalLock: opt(r.digital_lock),
      notes: opt(r.notes),
      language: opt(r.language) as ResidentInput['language'],
      consent: consent === undefined ? undefined : ['yes', 'ja', 'true', '1', 'y'].includes(consent),
    };
    for (const k of Object.keys(value) as (keyof typeof value)[]) if (value[k] === undefined) delete value[k];
    const errors: string[] = [];
    if (!value.siteId) {
      if (value.address) {
        value.id ??= newId('res');
        value.siteId = `home-${value.id}`;
        value.homeAddress = value.address;
      } else errors.push('site_id or address is required');
    }
    const { homeAddress: _h, ...plain } = value;
    errors.push(...schemaErrors(checkResident, plain));
    if (value.nationalId) {
      if (!parseNationalId(value.nationalId)) errors.push(`national_id ${value.nationalId}: wrong check digits or date`);
      const dup = seenNids.get(value.nationalId);
      if (dup) errors.push(`national_id ${value.nationalId} also on line ${dup}`);
      seenNids.set(value.nationalId, i + 2);
    }
    if (value.id) {
      const dup = seenIds.get(value.id);
      if (dup) errors.push(`id ${value.id} also on line ${dup}`);
      seenIds.set(value.id, i + 2);
    }
    return { line: i + 2, value, errors };
  });
  const nids = rows.flatMap((r) => (r.value.nationalId ? [r.value.nationalId] : []));
  const ids = rows.flatMap((r) => (r.value.id ? [r.value.id] : []));
  const sites = rows.flatMap((r) => (r.value.homeAddress ? [] : r.value.siteId ? [r.value.siteId] : []));
  const [takenNids, takenIds, knownSites] = await Promise.all([
    pool.query<{ v: string }>('SELECT national_id AS v FROM residents WHERE national_id = ANY ($1)', [nids]),
    pool.query<{ v: string }>('SELECT id AS v FROM residents WHERE id = ANY ($1)', [ids]),
    pool.query<{ v: string; kind: string }>('SELECT id AS v, kind FROM sites WHERE id = ANY ($1)', [sites]),
  ]);
  const nidSet = new Set(takenNids.rows.map((r) => r.v));
  const idSet = new Set(takenIds.rows.map((r) => r.v));
  const siteKinds = new Map(knownSites.rows.map((r) => [r.v, r.kind]));
  for (const r of rows) {
    if (r.value.nationalId && nidSet.has(r.value.nationalId))
      r.errors.push(`national_id ${r.value.nationalId} is already registered`);
    if (r.value.id && idSet.has(r.value.id)) r.errors.push(`id ${r.value.id} is already in use`);
    if (!r.value.homeAddress && r.value.siteId) {
      const kind = siteKinds.get(r.value.siteId);
      if (!kind) r.errors.push(`site_id ${r.value.siteId} does not exist`);
      else if (kind !== 'home' && kind !== 'room')
        r.errors.push(`site_id ${r.value.siteId} is a ${kind}; a resident lives in a home or a room`);
    }
  }
  return rows;
}

interface DeviceRow extends DeviceInput {
  residentId?: string;
  siteId?: string;
  location?: string;
}

async function planDevices(pool: Pool, recs: Rec[]): Promise<Planned<DeviceRow>[]> {
  const seenSerials = new Map<string, number>();
  const rows = recs.map((r, i) => {
    const hb = opt(r.heartbeat_interval_s);
    const value: DeviceRow = {
      id: opt(r.id),
      serial: opt(r.serial) ?? '',
      kind: opt(r.kind) ?? '',
      protocol: (opt(r.protocol)?.toLowerCase() ?? '') as DeviceInput['protocol'],
      vendor: opt(r.vendor),
      model: opt(r.model),
      firmware: opt(r.firmware),
      heartbeatIntervalS: hb === undefined ? undefined : Number(hb),
      residentId: opt(r.resident_id),
      siteId: opt(r.site_id),
      location: opt(r.location),
    };
    for (const k of Object.keys(value) as (keyof DeviceRow)[]) if (value[k] === undefined) delete value[k];
    const { residentId: _r, siteId: _s, location: _l, ...plain } = value;
    const errors = schemaErrors(checkDevice, plain);
    const dup = seenSerials.get(value.serial);
    if (value.serial && dup) errors.push(`serial ${value.serial} also on line ${dup}`);
    seenSerials.set(value.serial, i + 2);
    return { line: i + 2, value, errors };
  });
  const serials = rows.map((r) => r.value.serial);
  const ids = rows.flatMap((r) => (r.value.id ? [r.value.id] : []));
  const residents = rows.flatMap((r) => (r.value.residentId ? [r.value.residentId] : []));
  const sites = rows.flatMap((r) => (r.value.siteId ? [r.value.siteId] : []));
  const [takenSerials, takenIds, knownResidents, knownSites] = await Promise.all([
    pool.query<{ v: string }>('SELECT serial AS v FROM devices WHERE serial = ANY ($1)', [serials]),
    pool.query<{ v: string }>('SELECT id AS v FROM devices WHERE id = ANY ($1)', [ids]),
    pool.query<{ v: string }>('SELECT id AS v FROM residents WHERE id = ANY ($1)', [residents]),
    pool.query<{ v: string; kind: string }>('SELECT id AS v, kind FROM sites WHERE id = ANY ($1)', [sites]),
  ]);
  const serialSet = new Set(takenSerials.rows.map((r) => r.v));
  const idSet = new Set(takenIds.rows.map((r) => r.v));
  const residentSet = new Set(knownResidents.rows.map((r) => r.v));
  const siteKinds = new Map(knownSites.rows.map((r) => [r.v, r.kind]));
  for (const r of rows) {
    if (serialSet.has(r.value.serial)) r.errors.push(`serial ${r.value.serial} is already registered`);
    if (r.value.id && idSet.has(r.value.id)) r.errors.push(`id ${r.value.id} is already in use`);
    if (r.value.residentId && !residentSet.has(r.value.residentId))
      r.errors.push(`resident_id ${r.value.residentId} does not exist`);
    if (r.value.siteId) {
      const kind = siteKinds.get(r.value.siteId);
      if (!kind) r.errors.push(`site_id ${r.value.siteId} does not exist`);
      else if (kind !== 'home' && kind !== 'room')
        r.errors.push(`site_id ${r.value.siteId} is a ${kind}; devices go in a home or a room`);
    }
  }
  return rows;
}

/** Checks (and unless `dryRun`, imports) a CSV of residents or devices. Never imports part of it. */
export async function importCsv(
  pool: Pool,
  kind: 'residents' | 'devices',
  text: string,
  opts: { dryRun: boolean; by: string; userId: string | null },
): Promise<ImportReport> {
  const recs = readCsv(text);
  if (recs.length > MAX_ROWS) throw new TryggError('TRYGG_ERR_IMPORT_INVALID', `at most ${MAX_ROWS} rows per import`);
  const report: ImportReport = { kind, dryRun: opts.dryRun, rows: recs.length, imported: 0, invalid: [], credentials: [] };
  if (kind === 'residents') {
    const plan = await planResidents(pool, recs);
    report.invalid = plan.filter((p) => p.errors.length > 0).map((p) => ({ line: p.line, errors: p.errors }));
    if (opts.dryRun || report.invalid.length > 0) return report;
    await guarded(() =>
      withTransaction(pool, async (db) => {
        for (const { value } of plan) {
          const { homeAddress, ...input } = value;
          if (homeAddress) {
            await db.query(`INSERT INTO sites (id, kind, name, address) VALUES ($1, 'home', $2, $3)`, [
              input.siteId,
              input.name,
              homeAddress,
            ]);
          }
          await createResident(db, input, opts.by);
        }
      }),
    );
  } else {
    const plan = await planDevices(pool, recs);
    report.invalid = plan.filter((p) => p.errors.length > 0).map((p) => ({ line: p.line, errors: p.errors }));
    if (opts.dryRun || report.invalid.length > 0) return report;
    const creds: { deviceId: string; credentials: DeviceCredentials }[] = [];
    await guarded(() =>
      withTransaction(pool, async (db) => {
        for (const { value } of plan) {
          const { residentId, siteId, location, ...input } = value;
          const { device, credentials } = await registerDevice(db, input);
          creds.push({ deviceId: device.id, credentials });
          if (residentId || siteId)
            await installInTransaction(db, { deviceId: device.id, residentId, siteId, location }, opts.userId);
        }
      }),
    );
    report.credentials = creds;
  }
  report.imported = recs.length;
  return report;
}
