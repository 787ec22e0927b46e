/**
 * The CLI's commands: each takes parsed options, validates them against the same contracts the
 * REST API uses, calls the registry and returns what to print (JSON).
 */
import { Compile } from 'typebox/compile';
import {
  DEVICE_STATUSES,
  DeviceInput,
  RelativeInput,
  ResidentInput,
  SITE_KINDS,
  SiteInput,
  StaffInput,
  TryggError,
  type DeviceStatus,
  type Pool,
} from '@trygg/alarm-core';
import {
  addRelative,
  createResident,
  createSite,
  createStaff,
  importCsv,
  listDevices,
  listResidents,
  registerDevice,
  revokeCredentials,
} from '@trygg/devices';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { DATASETS, exportDataset } from '../data/export.js';

export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

const str = (v: Values[string]): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: Values[string]): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : undefined;
const int = (v: Values[string], name: string): number | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d+$/.test(v)) throw new TryggError('TRYGG_ERR_VALIDATION', `--${name} must be a whole number`);
  return Number(v);
};

/** Drops undefined fields, then checks against a contract schema. */
function checked<T>(
  check: { Check(v: unknown): boolean; Errors(v: unknown): Iterable<{ instancePath: string; message: string }> },
  raw: Record<string, unknown>,
): T {
  const value = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
  if (!check.Check(value)) {
    const why = [...check.Errors(value)].map((e) => `${e.instancePath.replace(/^\//, '') || 'input'} ${e.message}`).join('; ');
    throw new TryggError('TRYGG_ERR_VALIDATION', why);
  }
  return value as T;
}

const checkDevice = Compile(DeviceInput);
const checkResident = Compile(ResidentInput);
const checkRelative = Compile(RelativeInput);
const checkStaff = Compile(StaffInput);
const checkSite = Compile(SiteInput);

/** Who the CLI records as having done things (consents, installations). */
const CLI_ACTOR = 'trygg CLI';

export interface Command {
  /** Options (all strings unless `boolean`, `multiple` for repeatable ones). */
  options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;
  positionals?: string;
  help: string;
  run(pool: Pool, values: Values, positionals: string[]): Promise<unknown>;
}

export const COMMANDS: Record<string, Command> = {
  'device register': {
    help: 'register a device in stock; prints its credentials once',
    options: {
      serial: { type: 'string' },
      kind: { type: 'string' },
      protocol: { type: 'string' },
      vendor: { type: 'string' },
      model: { type: 'string' },
      firmware: { type: 'string' },
      heartbeat: { type: 'string' },
      id: { type: 'string' },
    },
    run: (pool, v) =>
      registerDevice(
        pool,
        checked(checkDevice, {
          id: str(v.id),
          serial: str(v.serial),
          kind: str(v.kind),
          protocol: str(v.protocol) ?? 'mqtt',
          vendor: str(v.vendor),
          model: str(v.model),
          firmware: str(v.firmware),
          heartbeatIntervalS: int(v.heartbeat, 'heartbeat'),
        }),
      ),
  },
  'device list': {
    help: 'list devices (--status, --resident, --attention)',
    options: {
      status: { type: 'string' },
      resident: { type: 'string' },
      attention: { type: 'boolean' },
      limit: { type: 'string' },
    },
    run: async (pool, v) => {
      const status = str(v.status);
      if (status && !(DEVICE_STATUSES as readonly string[]).includes(status)) {
        throw new TryggError('TRYGG_ERR_VALIDATION', `--status is one of ${DEVICE_STATUSES.join(', ')}`);
      }
      return {
        devices: await listDevices(pool, {
          status: status as DeviceStatus | undefined,
          residentId: str(v.resident),
          attention: v.attention === true,
          limit: int(v.limit, 'limit'),
        }),
      };
    },
  },
  'device revoke': {
    help: "revoke a device's credentials: trygg device revoke <device id>",
    positionals: '<device id>',
    options: {},
    run: (pool, _v, [id]) => {
      if (!id) throw new TryggError('TRYGG_ERR_VALIDATION', 'which device? trygg device revoke <device id>');
      return revokeCredentials(pool, id);
    },
  },
  'site add': {
    help: `add a site (--kind ${SITE_KINDS.join('|')}, --name, --parent, --address, --id)`,
    options: {
      id: { type: 'string' },
      kind: { type: 'string' },
      name: { type: 'string' },
      parent: { type: 'string' },
      address: { type: 'string' },
    },
    run: (pool, v) =>
      createSite(
        pool,
        checked(checkSite, {
          id: str(v.id),
          kind: str(v.kind),
          name: str(v.name),
          parentId: str(v.parent),
          address: str(v.address),
        }),
      ),
  },
  'resident add': {
    help: 'add a resident (--name, --site or just --address for a new home, --national-id, --key-safe, --digital-lock, --notes, --language, --consent)',
    options: {
      id: { type: 'string' },
      name: { type: 'string' },
      site: { type: 'string' },
      'national-id': { type: 'string' },
      address: { type: 'string' },
      'key-safe': { type: 'string' },
      'digital-lock': { type: 'string' },
      notes: { type: 'string' },
      language: { type: 'string' },
      consent: { type: 'boolean' },
    },
    run: async (pool, v) => {
      let site = str(v.site);
      const address = str(v.address);
      const name = str(v.name);
      if (!site && address && name) {
        // No site but an address: the resident lives at home, and the home is made here.
        site = (await createSite(pool, checked(checkSite, { kind: 'home', name, address }))).id;
      }
      return createResident(
        pool,
        checked(checkResident, {
          id: str(v.id),
          name,
          siteId: site,
          nationalId: str(v['national-id']),
          address,
          keySafe: str(v['key-safe']),
          digitalLock: str(v['digital-lock']),
          notes: str(v.notes),
          language: str(v.language),
          consent: v.consent === true ? true : undefined,
        }),
        CLI_ACTOR,
      );
    },
  },
  'resident list': {
    help: 'list residents (--site, --q)',
    options: { site: { type: 'string' }, q: { type: 'string' }, limit: { type: 'string' } },
    run: async (pool, v) => ({
      residents: await listResidents(pool, { siteId: str(v.site), q: str(v.q), limit: int(v.limit, 'limit') }),
    }),
  },
  'relative add': {
    help: 'add a relative (--resident, --name, --phone, --email, --relation, --order, --not-at-night or --unavailable 22:00-07:00, --user, --consent)',
    options: {
      resident: { type: 'string' },
      name: { type: 'string' },
      phone: { type: 'string' },
      email: { type: 'string' },
      relation: { type: 'string' },
      order: { type: 'string' },
      'not-at-night': { type: 'boolean' },
      unavailable: { type: 'string' },
      user: { type: 'string' },
      consent: { type: 'boolean' },
    },
    run: (pool, v) => {
      const window = v['not-at-night'] === true ? '22:00-07:00' : str(v.unavailable);
      const [from, to] = window?.split('-') ?? [];
      return addRelative(
        pool,
        checked(checkRelative, {
          residentId: str(v.resident),
          name: str(v.name),
          phone: str(v.phone),
          email: str(v.email),
          relation: str(v.relation),
          order: int(v.order, 'order'),
          unavailable: window ? { from, to } : undefined,
          userId: str(v.user),
          consent: v.consent === true ? true : undefined,
        }),
        CLI_ACTOR,
      );
    },
  },
  'user add': {
    help: 'add a user (--username, --name, --role (repeatable), --site (repeatable), --locale, --password); prints a made password once',
    options: {
      username: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string', multiple: true },
      site: { type: 'string', multiple: true },
      locale: { type: 'string' },
      password: { type: 'string' },
    },
    run: (pool, v) =>
      createStaff(
        pool,
        checked(checkStaff, {
          username: str(v.username),
          displayName: str(v.name),
          roles: list(v.role),
          siteIds: list(v.site),
          locale: str(v.locale),
          password: str(v.password),
        }),
      ),
  },
  import: {
    help: 'import a CSV: trygg import residents|devices <file> [--dry-run]',
    positionals: 'residents|devices <file>',
    options: { 'dry-run': { type: 'boolean' } },
    run: async (pool, v, [kind, file]) => {
      if ((kind !== 'residents' && kind !== 'devices') || !file) {
        throw new TryggError('TRYGG_ERR_VALIDATION', 'trygg import residents|devices <file> [--dry-run]');
      }
      const report = await importCsv(pool, kind, await readFile(file, 'utf8'), {
        dryRun: v['dry-run'] === true,
        by: CLI_ACTOR,
        userId: null,
      });
      if (report.invalid.length > 0) return { ...report, status: 'error', code: 'TRYGG_ERR_IMPORT_INVALID' };
      return report;
    },
  },
  export: {
    help: 'write every dataset as NDJSON into a folder: trygg export <folder> (the audit trail as FHIR AuditEvent)',
    positionals: '<folder>',
    options: {},
    run: async (pool, _v, [folder]) => {
      if (!folder) throw new TryggError('TRYGG_ERR_VALIDATION', 'trygg export <folder>');
      await mkdir(folder, { recursive: true });
      const files: string[] = [];
      for (const dataset of DATASETS) {
        const file = path.resolve(folder, `${dataset}.ndjson`);
        await pipeline(Readable.from(exportDataset(pool, dataset)), createWriteStream(file));
        files.push(file);
      }
      return { files };
    },
  },
};
