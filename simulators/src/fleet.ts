/**
 * A synthetic municipality beyond the demo, provisioned in the running service the way a
 * municipality moves onto Trygg: through the administrators' REST API with the demo's `admin`
 * login (care-home sites and staff one by one, residents and devices by CSV import, relatives
 * with consent, relatives' app accounts through invitation links). Nothing goes around the API,
 * so every change is checked, audited and hashed as in production: each device secret and staff
 * password is a full-cost scrypt in the service (≈ 70 ms on a 2-core machine; 50 000 devices take
 * about half an hour the first time). The fleet's credentials are therefore kept in
 * `<data dir>/sim-fleet.json` (mode 0600, like demo.json) and reused by the next run against the
 * same service; a run asking for more devices provisions only the extra part.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { ImportReport } from '@trygg/alarm-core';
import type { Api } from './api.js';
import { loopbackAddress, mapLimit } from './api.js';

export interface FleetDevice {
  id: string;
  secret: string;
  kind: string;
  where: string;
  /** The care-home floor the device is on (for bursts), if any. */
  floorId?: string;
  /** The care-home building (a fire spreads to its other floors). */
  buildingId?: string;
}

export interface FleetStaff {
  username: string;
  password: string;
  name: string;
  /** The floor a night nurse works on; none for the response centre's operators. */
  floorId: string | null;
  role: 'staff' | 'operator';
}

export interface FleetPart {
  prefix: string;
  devices: FleetDevice[];
  staff: FleetStaff[];
  /** Relatives who have the app (signed in through an invitation on each run). */
  appRelatives: { id: string; name: string }[];
}

export interface FleetFile {
  /** Which service this fleet lives in: a digest of that service's demo.json. */
  service: string;
  parts: FleetPart[];
}

const FIRST = [
  'Anne',
  'Bjørn',
  'Eva',
  'Gunnar',
  'Hilde',
  'Ivar',
  'Kari',
  'Leif',
  'Marit',
  'Odd',
  'Ragnhild',
  'Svein',
  'Tone',
  'Arne',
];
const LAST = [
  'Berg',
  'Dahl',
  'Eriksen',
  'Haugen',
  'Johansen',
  'Larsen',
  'Moen',
  'Nilsen',
  'Olsen',
  'Pedersen',
  'Solberg',
  'Strand',
];
const STREETS = ['Kirkeveien', 'Skogveien', 'Parkveien', 'Sjøgata', 'Elvegata', 'Bakkeveien', 'Solveien', 'Granveien'];
const RELATIONS = ['datter', 'sønn', 'nabo', 'niese', 'barnebarn'];
const ROOMS_PER_FLOOR = 10;
const FLOORS = 3;
/** Share of the synthetic devices that are in care homes (rooms with pull cord, bed and door sensor). */
const CARE_SHARE = 0.4;

/** A small seeded generator, so a fleet of a given size looks the same every time it is made. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const serviceDigest = (demoJson: string) => createHash('sha256').update(demoJson).digest('hex').slice(0, 16);

export async function readFleet(file: string, service: string): Promise<FleetFile> {
  try {
    const f = JSON.parse(await readFile(file, 'utf8')) as FleetFile;
    if (f.service === service) return f;
  } catch {
    // none yet
  }
  return { service, parts: [] };
}

export async function writeFleet(file: string, fleet: FleetFile): Promise<void> {
  await writeFile(file, JSON.stringify(fleet) + '\n', { mode: 0o600 });
}

interface Plan {
  sites: { id: string; kind: string; parentId: string | null; name: string }[];
  residents: { id: string; name: string; siteId?: string; address?: string }[];
  relatives: { id: string; residentId: string; name: string; relation: string; phone: string }[];
  devices: {
    id: string;
    kind: string;
    residentId: string;
    siteId?: string;
    where: string;
    floorId?: string;
    buildingId?: string;
  }[];
  staff: { username: string; name: string; floorId: string | null; role: 'staff' | 'operator' }[];
}

/** What `n` more devices look like: care homes (3 floors of 10 rooms) and homes with a button and maybe more. */
function plan(prefix: string, n: number): Plan {
  const random = seeded(n * 7919 + prefix.length);
  const name = () => `${FIRST[Math.floor(random() * FIRST.length)]} ${LAST[Math.floor(random() * LAST.length)]}`;
  const p: Plan = { sites: [], residents: [], relatives: [], devices: [], staff: [] };
  const careBudget = Math.floor(n * CARE_SHARE);
  let inst = 0;
  // Care homes: each floor has a smoke detector in its first room, every room a pull cord, bed and door sensor.
  while (p.devices.length + (ROOMS_PER_FLOOR * 3 + 1) * FLOORS <= careBudget) {
    inst++;
    const instId = `${prefix}-ch${inst}`;
    const buildingId = `${instId}-a`;
    p.sites.push({ id: instId, kind: 'institution', parentId: null, name: `${LAST[inst % LAST.length]}tun sykehjem ${inst}` });
    p.sites.push({ id: buildingId, kind: 'building', parentId: instId, name: 'Hus A' });
    for (let f = 1; f <= FLOORS; f++) {
      const floorId = `${buildingId}-${f}`;
      p.sites.push({ id: floorId, kind: 'floor', parentId: buildingId, name: `${f}. etasje` });
      p.staff.push({
        username: `${prefix}-ch${inst}-natt${f}`,
        name: `${name()} (nattevakt ${inst}/${f})`,
        floorId,
        role: 'staff',
      });
      for (let r = 1; r <= ROOMS_PER_FLOOR; r++) {
        const room = `${f}${String(r).padStart(2, '0')}`;
        const roomId = `${instId}-rom${room}`;
        const residentId = `${roomId}-res`;
        const where = `sykehjem ${inst} rom ${room}`;
        p.sites.push({ id: roomId, kind: 'room', parentId: floorId, name: `Rom ${room}` });
        p.residents.push({ id: residentId, name: name(), siteId: roomId });
        for (const kind of ['pull-cord', 'bed-sensor', 'door-sensor', ...(r === 1 ? ['smoke-detector'] : [])])
          p.devices.push({
            id: `${roomId}-${kind}`,
            kind,
            residentId,
            siteId: roomId,
            where: `${where} (${kind})`,
            floorId,
            buildingId,
          });
      }
    }
  }
  // Homes: an alarm button each; some also a smoke detector, a fall sensor or a dispenser.
  let home = 0;
  while (p.devices.length < n) {
    home++;
    const residentId = `${prefix}-h${home}`;
    const who = name();
    p.residents.push({
      id: residentId,
      name: who,
      address: `${STREETS[home % STREETS.length]} ${1 + (home % 97)}, ${String(100 + (home % 900)).padStart(4, '0')} Oslo`,
    });
    const rels = random() < 0.15 ? 0 : random() < 0.6 ? 1 : 2;
    for (let k = 1; k <= rels; k++) {
      p.relatives.push({
        id: `${residentId}-rel${k}`,
        residentId,
        name: `${FIRST[Math.floor(random() * FIRST.length)]} ${who.split(' ')[1]}`,
        relation: RELATIONS[Math.floor(random() * RELATIONS.length)] as string,
        phone: `+479${String(1_000_000 + Math.floor(random() * 8_999_999))}`,
      });
    }
    const kinds = ['alarm-button'];
    if (random() < 0.25) kinds.push('smoke-detector');
    if (random() < 0.12) kinds.push('fall-sensor');
    if (random() < 0.08) kinds.push('medication-dispenser');
    for (const kind of kinds) {
      if (p.devices.length >= n) break;
      p.devices.push({ id: `${residentId}-${kind}`, kind, residentId, where: `${who} (${kind})` });
    }
  }
  // The response centre grows with the municipality: one more operator per 5 000 devices.
  for (let k = 1; k <= Math.ceil(n / 5_000); k++)
    p.staff.push({ username: `${prefix}-op${k}`, name: `${name()} (responssenter)`, floorId: null, role: 'operator' });
  return p;
}

const csvCell = (v: string | undefined) => (v === undefined ? '' : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const csv = (header: string[], rows: (string | undefined)[][]) =>
  [header.join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n';

export interface ProvisionOptions {
  api: Api;
  adminToken: string;
  prefix: string;
  devices: number;
  /** Share of relatives who have the app (capped at `maxAppRelatives`). */
  appShare: number;
  maxAppRelatives: number;
  log: (line: string) => void;
}

/** Provisions `devices` more devices (and their people and places) through the admin API. */
export async function provision(o: ProvisionOptions): Promise<FleetPart> {
  const { api, adminToken: t, log } = o;
  const p = plan(o.prefix, o.devices);
  const started = Date.now();
  const secs = () => `${Math.round((Date.now() - started) / 1000)} s`;
  log(
    `provisioning ${p.devices.length} devices: ${p.sites.filter((s) => s.kind === 'institution').length} care homes, ` +
      `${p.residents.length} residents, ${p.relatives.length} relatives, ${p.staff.length} staff and operators (admin REST API)`,
  );
  // Sites go parent first: institutions, buildings, floors, rooms.
  for (const kind of ['institution', 'building', 'floor', 'room']) {
    await mapLimit(
      p.sites.filter((s) => s.kind === kind),
      8,
      (s) => api.call('POST', '/api/sites', t, s),
    );
  }
  const chunk = <T>(xs: T[], n: number) => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));
  for (const part of chunk(p.residents, 5_000)) {
    await api.call<ImportReport>(
      'POST',
      '/api/import/residents',
      t,
      csv(
        ['id', 'name', 'site_id', 'address', 'consent'],
        part.map((r) => [r.id, r.name, r.siteId, r.address, 'yes']),
      ),
      'text/csv',
    );
  }
  log(`  ${p.sites.length} sites and ${p.residents.length} residents in ${secs()}`);
  await mapLimit(p.relatives, 8, (r) => api.call('POST', '/api/relatives', t, { ...r, consent: true }));
  const staff = await mapLimit(p.staff, 4, async (s) => {
    const password = randomBytes(18).toString('base64url');
    await api.call('POST', '/api/staff', t, {
      username: s.username,
      displayName: s.name,
      roles: [s.role],
      siteIds: s.floorId ? [s.floorId] : [],
      password,
    });
    return { ...s, password };
  });
  log(`  ${p.relatives.length} relatives (with consent) and ${staff.length} staff and operators in ${secs()}`);
  // Devices: CSV imports of 250 rows, two at a time, so the service hashes on both cores.
  const secrets = new Map<string, string>();
  let done = 0;
  let lastLog = Date.now();
  await mapLimit(chunk(p.devices, 250), 2, async (part) => {
    const report = await api.call<ImportReport>(
      'POST',
      '/api/import/devices',
      t,
      csv(
        ['id', 'serial', 'kind', 'protocol', 'vendor', 'model', 'heartbeat_interval_s', 'resident_id', 'site_id'],
        part.map((d) => [d.id, `SIM-${d.id}`.slice(0, 64), d.kind, 'mqtt', 'Trygg', 'Sim', '300', d.residentId, d.siteId]),
      ),
      'text/csv',
    );
    for (const c of report.credentials) {
      const cred = c.credentials;
      if (cred.protocol === 'mqtt') secrets.set(c.deviceId, cred.secret);
    }
    done += part.length;
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      const rate = done / ((Date.now() - started) / 1000);
      log(
        `  ${done}/${p.devices.length} devices registered (${Math.round((p.devices.length - done) / Math.max(rate, 0.1))} s to go)`,
      );
    }
  });
  log(`  ${secrets.size} devices registered and installed in ${secs()}`);
  // A sample of relatives have the app; they sign in through invitation links on each run.
  const random = seeded(o.devices);
  const share = p.relatives.filter(() => random() < o.appShare).slice(0, o.maxAppRelatives);
  return {
    prefix: o.prefix,
    devices: p.devices.map((d) => ({
      id: d.id,
      secret: secrets.get(d.id) ?? '',
      kind: d.kind,
      where: d.where,
      ...(d.floorId ? { floorId: d.floorId, buildingId: d.buildingId } : {}),
    })),
    staff,
    appRelatives: share.map((r) => ({ id: r.id, name: r.name })),
  };
}

/** Signs relatives in the way the app does: an administrator's invitation link, opened by the relative. */
export async function signInRelative(api: Api, adminToken: string, relativeId: string, i: number) {
  const inv = await api.call<{ token: string }>(
    'POST',
    `/api/relatives/${encodeURIComponent(relativeId)}/invitations`,
    adminToken,
  );
  return api
    .from(loopbackAddress(i))
    .call<{ token: string; user: { userId: string; name: string } }>('POST', '/api/auth/invitation', null, { token: inv.token });
}
