/**
 * The demo municipality: a few residents at home with relatives and alarm buttons, one care
 * home with two floors of rooms with sensors, and people for every role. Every login and device
 * secret is random, written once to `<data dir>/demo.json` (mode 0600) and never to the log.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withTransaction, type Pool, type PoolClient, type Role } from '@trygg/alarm-core';
import { syntheticNationalId } from './national-id.js';
import { issueScaipCredentials } from './scaip-units.js';
import { hashSecret, newSecret } from './secrets.js';

export interface DemoCredentials {
  municipality: string;
  users: { username: string; password: string; roles: Role[]; name: string }[];
  devices: { id: string; secret: string; kind: string; protocol: 'mqtt'; where: string }[];
  /** SCAIP units (SIP digest credentials; the password is not stored in the database). */
  scaipUnits: { id: string; username: string; password: string; realm: string; cid: string; where: string }[];
}

interface DemoDevice {
  id: string;
  kind: string;
  residentId?: string;
  siteId?: string;
  where: string;
}

const HOMES = [
  { id: 'home-kari', name: 'Kari Nordmann', address: 'Storgata 12, 0155 Oslo', rel: [['Ola Nordmann', 'sønn', '+4791234567']] },
  {
    id: 'home-per',
    name: 'Per Hansen',
    address: 'Bjørkeveien 3, 0371 Oslo',
    rel: [
      ['Liv Hansen', 'datter', '+4792345678'],
      ['Nils Hansen', 'sønn', '+4793456789'],
    ],
  },
  { id: 'home-astrid', name: 'Astrid Lund', address: 'Fjellveien 7, 0485 Oslo', rel: [['Berit Lund', 'niese', '+4794567890']] },
] as const;

/** True when the database holds no people yet (a fresh embedded database). */
export async function isEmpty(pool: Pool): Promise<boolean> {
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM users');
  return Number(rows[0]?.n ?? 0) === 0;
}

/** Seeds the demo and writes its credentials; returns the path of demo.json. */
export async function seedDemo(
  pool: Pool,
  dataDir: string,
  opts: { sipRealm?: string } = {},
): Promise<{ file: string; credentials: DemoCredentials }> {
  const creds: DemoCredentials = { municipality: 'Demo kommune', users: [], devices: [], scaipUnits: [] };
  const devices: DemoDevice[] = [];

  await withTransaction(pool, async (db) => {
    const site = (id: string, kind: string, name: string, parent: string | null, address: string | null = null) =>
      db.query('INSERT INTO sites (id, kind, parent_id, name, address) VALUES ($1, $2, $3, $4, $5)', [
        id,
        kind,
        parent,
        name,
        address,
      ]);

    for (const h of HOMES) {
      await site(h.id, 'home', h.name, null, h.address);
      const residentId = h.id.replace('home-', 'res-');
      await db.query('INSERT INTO residents (id, national_id, name, site_id, key_safe, notes) VALUES ($1, $2, $3, $4, $5, $6)', [
        residentId,
        syntheticNationalId(`19${30 + HOMES.indexOf(h) * 4}-0${3 + HOMES.indexOf(h)}-1${HOMES.indexOf(h) + 2}`, 11),
        h.name,
        h.id,
        'Nøkkelboks ved inngangsdøren',
        'Bruker rullator.',
      ]);
      let order = 1;
      for (const [name, relation, phone] of h.rel) {
        await db.query(
          'INSERT INTO relatives (id, resident_id, name, relation, phone, chain_order) VALUES ($1, $2, $3, $4, $5, $6)',
          [`rel-${residentId}-${order}`, residentId, name, relation, phone, order],
        );
        order += 1;
      }
      devices.push({ id: `${residentId}-button`, kind: 'alarm-button', residentId, where: `${h.name} (alarm button)` });
    }
    devices.push({
      id: 'res-kari-smoke',
      kind: 'smoke-detector',
      residentId: 'res-kari',
      where: 'Kari Nordmann (smoke detector)',
    });
    devices.push({ id: 'res-per-fall', kind: 'fall-sensor', residentId: 'res-per', where: 'Per Hansen (fall sensor)' });
    devices.push({
      id: 'res-astrid-dispenser',
      kind: 'medication-dispenser',
      residentId: 'res-astrid',
      where: 'Astrid Lund (medication dispenser)',
    });

    await site('solbakken', 'institution', 'Solbakken sykehjem', null, 'Solbakkveien 1, 0860 Oslo');
    await site('solbakken-a', 'building', 'Hus A', 'solbakken');
    for (const floor of [1, 2]) {
      const floorId = `solbakken-a-${floor}`;
      await site(floorId, 'floor', `${floor}. etasje`, 'solbakken-a');
      for (const n of [1, 2, 3, 4]) {
        const room = `${floor}0${n}`;
        const roomId = `solbakken-rom-${room}`;
        await site(roomId, 'room', `Rom ${room}`, floorId);
        const residentId = `res-rom-${room}`;
        await db.query('INSERT INTO residents (id, national_id, name, site_id) VALUES ($1, $2, $3, $4)', [
          residentId,
          syntheticNationalId(`1929-1${floor}-0${n}`, 100 + n),
          `Beboer rom ${room}`,
          roomId,
        ]);
        devices.push({ id: `rom-${room}-cord`, kind: 'pull-cord', residentId, siteId: roomId, where: `Rom ${room} (pull cord)` });
        devices.push({
          id: `rom-${room}-bed`,
          kind: 'bed-sensor',
          residentId,
          siteId: roomId,
          where: `Rom ${room} (bed sensor)`,
        });
        devices.push({
          id: `rom-${room}-door`,
          kind: 'door-sensor',
          residentId,
          siteId: roomId,
          where: `Rom ${room} (door sensor)`,
        });
      }
    }

    for (const d of devices) {
      const secret = newSecret();
      await db.query(
        `INSERT INTO devices (id, kind, vendor, model, serial, protocol, secret_hash, status, heartbeat_interval_s, resident_id, site_id)
         VALUES ($1, $2, 'Trygg', 'Demo', $3, 'mqtt', $4, 'active', 300, $5, $6)`,
        [d.id, d.kind, `DEMO-${d.id.toUpperCase()}`, await hashSecret(secret), d.residentId ?? null, d.siteId ?? null],
      );
      creds.devices.push({ id: d.id, secret, kind: d.kind, protocol: 'mqtt', where: d.where });
    }

    const people: [string, string, Role[], string[]][] = [
      ['operator', 'Olav Operatør', ['operator'], []],
      ['operator2', 'Siri Sentral', ['operator'], []],
      ['staff1', 'Nina Natt (1. etasje)', ['staff'], ['solbakken-a-1']],
      ['staff2', 'Tor Natt (2. etasje)', ['staff'], ['solbakken-a-2']],
      ['tech', 'Tekla Tekniker', ['technician'], []],
      ['admin', 'Ada Admin', ['admin'], []],
      ['ola', 'Ola Nordmann', ['relative'], []],
    ];
    for (const [username, name, roles, sites] of people) {
      const password = newSecret(12);
      await insertUser(db, username, name, roles, password);
      for (const s of sites)
        await db.query('INSERT INTO staff_sites (user_id, site_id) VALUES ($1, $2)', [`user-${username}`, s]);
      creds.users.push({ username, password, roles, name });
    }
    await db.query(`UPDATE relatives SET user_id = 'user-ola' WHERE id = 'rel-res-kari-1'`);

    // Ingrid Berg has a Nordic IP social-alarm unit that speaks SCAIP over SIP.
    await site('home-ingrid', 'home', 'Ingrid Berg', null, 'Elvebakken 4, 0182 Oslo');
    await db.query('INSERT INTO residents (id, national_id, name, site_id) VALUES ($1, $2, $3, $4)', [
      'res-ingrid',
      syntheticNationalId('1936-04-21', 4),
      'Ingrid Berg',
      'home-ingrid',
    ]);
    await db.query(
      `INSERT INTO relatives (id, resident_id, name, phone, relation, chain_order) VALUES ('rel-res-ingrid-1', 'res-ingrid', 'Jon Berg', '+4795678901', 'sønn', 1)`,
    );
    await db.query(
      `INSERT INTO devices (id, kind, vendor, model, serial, protocol, status, heartbeat_interval_s, resident_id, site_id)
       VALUES ('scaip-ingrid', 'social-alarm-unit', 'Demo', 'SCAIP unit', 'DEMO-SCAIP-INGRID', 'scaip', 'active', 300, 'res-ingrid', 'home-ingrid')`,
    );
    const realm = opts.sipRealm ?? 'trygg';
    const cid = '4790001';
    const sipCreds = await issueScaipCredentials(db, 'scaip-ingrid', { realm, cid });
    creds.scaipUnits.push({ id: 'scaip-ingrid', ...sipCreds, cid, where: 'Ingrid Berg, Elvebakken 4 (SCAIP unit)' });
    // Every demo device as installed by the demo technician (so it can be swapped like any other).
    await db.query(
      `INSERT INTO installations (id, device_id, resident_id, site_id, installed_by)
       SELECT 'inst-' || id, id, resident_id, site_id, 'user-tech' FROM devices`,
    );
    // Each demo resident has agreed that their relatives are told of their alarms.
    await db.query(`UPDATE relatives SET consent_at = now(), consent_by = 'Demo (samtykke registrert ved oppstart)'`);
  });

  await mkdir(dataDir, { recursive: true });
  const file = path.resolve(dataDir, 'demo.json');
  await writeFile(file, JSON.stringify(creds, null, 2) + '\n', { mode: 0o600 });
  return { file, credentials: creds };
}

async function insertUser(db: PoolClient, username: string, name: string, roles: Role[], password: string): Promise<void> {
  await db.query('INSERT INTO users (id, username, display_name, password_hash, roles) VALUES ($1, $2, $3, $4, $5)', [
    `user-${username}`,
    username,
    name,
    await hashSecret(password),
    roles,
  ]);
}
