/**
 * The registry's REST API on the whole service (real PostgreSQL, the embedded broker, a real
 * MQTT client as the device): every resource, the validation errors with their codes, roles,
 * audited reads, credentials issued once and revoked, verified installation and swap, CSV import.
 */
import { createHash, randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticNationalId } from '@trygg/devices';
import { startUnit } from './support/scaip.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let admin: string;
let tech: string;
let relative: string;

interface Envelope {
  status: 'error';
  code: string;
  message: string;
}

beforeAll(async () => {
  svc = await startTestService();
  admin = (await svc.login('admin')).token;
  tech = (await svc.login('tech')).token;
  relative = (await svc.login('ola')).token;
});
afterAll(async () => {
  await svc?.stop();
});

const api = <T>(method: string, url: string, token: string | null, body?: unknown) => svc.api<T>(method, url, token, body);

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    const v = await fn();
    if (v !== undefined) return v;
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('sites', () => {
  it('builds institution → building → floor → room and refuses a room on a floor that does not exist', async () => {
    const mk = (body: object) => api<{ id: string } & Envelope>('POST', '/api/sites', admin, body);
    expect((await mk({ id: 'lia', kind: 'institution', name: 'Lia omsorgssenter', address: 'Liaveien 2' })).status).toBe(201);
    expect((await mk({ id: 'lia-a', kind: 'building', name: 'Hus A', parentId: 'lia' })).status).toBe(201);
    expect((await mk({ id: 'lia-a-1', kind: 'floor', name: '1. etasje', parentId: 'lia-a' })).status).toBe(201);
    expect((await mk({ id: 'lia-101', kind: 'room', name: 'Rom 101', parentId: 'lia-a-1' })).status).toBe(201);

    const ghost = await mk({ kind: 'room', name: 'Rom 999', parentId: 'lia-a-9' });
    expect(ghost.status).toBe(400);
    expect(ghost.body.code).toBe('TRYGG_ERR_SITE_PARENT_INVALID');
    const onBuilding = await mk({ kind: 'room', name: 'Rom 998', parentId: 'lia-a' });
    expect(onBuilding.body.code).toBe('TRYGG_ERR_SITE_PARENT_INVALID');
    const homeWithParent = await mk({ kind: 'home', name: 'Hjem', parentId: 'lia' });
    expect(homeWithParent.body.code).toBe('TRYGG_ERR_SITE_PARENT_INVALID');
    expect((await mk({ id: 'lia', kind: 'institution', name: 'Again' })).body.code).toBe('TRYGG_ERR_ID_TAKEN');

    const { body } = await api<{ sites: { id: string }[] }>('GET', '/api/sites?under=lia', tech);
    expect(body.sites.map((s) => s.id)).toEqual(['lia', 'lia-a', 'lia-a-1', 'lia-101']);
    expect((await api<Envelope>('POST', '/api/sites', tech, { kind: 'home', name: 'x' })).body.code).toBe('TRYGG_ERR_FORBIDDEN');
  });
});

describe('residents and relatives', () => {
  const nid = syntheticNationalId('1941-05-17', 7);

  it('adds a resident with consent and refuses a bad national id checksum, a duplicate and an unknown site', async () => {
    await api('POST', '/api/sites', admin, { id: 'home-sigrid', kind: 'home', name: 'Sigrid Berg', address: 'Elveveien 4' });
    const ok = await api<{ id: string; consent: { by: string } | null; nationalId: string }>('POST', '/api/residents', admin, {
      id: 'res-sigrid',
      name: 'Sigrid Berg',
      nationalId: nid,
      siteId: 'home-sigrid',
      address: 'Elveveien 4, 0480 Oslo',
      keySafe: 'Nøkkelboks til venstre for døren, kode 4321',
      digitalLock: 'Glue-lås, tilgang via appen',
      notes: 'Hører dårlig; ring på og bank.',
      language: 'nb',
      consent: true,
    });
    expect(ok.status).toBe(201);
    expect(ok.body.consent?.by).toBe('Ada Admin');

    const bad = nid.slice(0, 10) + String((Number(nid[10]) + 1) % 10);
    const refused = await api<Envelope>('POST', '/api/residents', admin, { name: 'X', nationalId: bad, siteId: 'home-sigrid' });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('TRYGG_ERR_NATIONAL_ID_INVALID');
    const dup = await api<Envelope>('POST', '/api/residents', admin, { name: 'Y', nationalId: nid, siteId: 'home-sigrid' });
    expect([dup.status, dup.body.code]).toEqual([409, 'TRYGG_ERR_NATIONAL_ID_TAKEN']);
    const nowhere = await api<Envelope>('POST', '/api/residents', admin, { name: 'Z', siteId: 'no-such-home' });
    expect([nowhere.status, nowhere.body.code]).toEqual([400, 'TRYGG_ERR_REFERENCE_UNKNOWN']);
    const schema = await api<Envelope>('POST', '/api/residents', admin, { name: '', siteId: 'home-sigrid', shoeSize: 41 });
    expect(schema.body.code).toBe('TRYGG_ERR_VALIDATION');
    expect((await api<Envelope>('POST', '/api/residents', tech, { name: 'T', siteId: 'home-sigrid' })).body.code).toBe(
      'TRYGG_ERR_FORBIDDEN',
    );
  });

  it('adds relatives in order with availability and consent; reads are audited; relatives may not read the registry', async () => {
    const first = await api<{ order: number; unavailable: unknown; consent: unknown }>('POST', '/api/relatives', admin, {
      residentId: 'res-sigrid',
      name: 'Jon Berg',
      relation: 'sønn',
      phone: '+47 912 34 567',
      unavailable: { from: '22:00', to: '07:00' },
      consent: true,
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ order: 1, unavailable: { from: '22:00', to: '07:00' }, consent: { by: 'Ada Admin' } });
    const second = await api<{ order: number }>('POST', '/api/relatives', admin, {
      residentId: 'res-sigrid',
      name: 'Eva Berg',
      email: 'eva@example.org',
    });
    expect(second.body.order).toBe(2);
    const badWindow = await api<Envelope>('POST', '/api/relatives', admin, {
      residentId: 'res-sigrid',
      name: 'Q',
      unavailable: { from: '25:00', to: '07:00' },
    });
    expect(badWindow.body.code).toBe('TRYGG_ERR_VALIDATION');
    const noResident = await api<Envelope>('POST', '/api/relatives', admin, { residentId: 'res-nobody', name: 'Q' });
    expect(noResident.body.code).toBe('TRYGG_ERR_REFERENCE_UNKNOWN');

    const card = await api<{
      resident: { keySafe: string; notes: string | null; nationalId: string | null };
      relatives: { name: string }[];
    }>('GET', '/api/residents/res-sigrid', tech);
    // A technician needs to get in, not to know about health: no notes, no national id.
    expect(card.body.resident.keySafe).toContain('Nøkkelboks');
    expect(card.body.resident).toMatchObject({ notes: null, nationalId: null });
    const operatorView = await api<{ resident: { keySafe: string | null; notes: string | null } }>(
      'GET',
      '/api/residents/res-sigrid',
      (await svc.login('operator')).token,
    );
    // The response centre reads the notes; how to get in comes with a claimed alarm, not from here.
    expect(operatorView.body.resident).toMatchObject({ keySafe: null, notes: 'Hører dårlig; ring på og bank.' });
    expect(card.body.relatives.map((r) => r.name)).toEqual(['Jon Berg', 'Eva Berg']);
    const { rows } = await svc.trygg.pool.query<{ actor_user_id: string; action: string }>(
      `SELECT actor_user_id, action FROM audit_events WHERE resident_id = 'res-sigrid' AND action = 'resident.read' ORDER BY id`,
    );
    expect(rows).toEqual([
      { actor_user_id: 'user-tech', action: 'resident.read' },
      { actor_user_id: 'user-operator', action: 'resident.read' },
    ]);
    expect((await api<Envelope>('GET', '/api/residents/res-sigrid', relative)).body.code).toBe('TRYGG_ERR_FORBIDDEN');
    expect((await api<Envelope>('GET', '/api/residents/res-nobody', admin)).body.code).toBe('TRYGG_ERR_NOT_FOUND');
  });

  it('changes a resident and a relative, withdraws consent, and refuses a bad national id on change', async () => {
    const changed = await api<{ notes: string; digitalLock: string | null }>('PATCH', '/api/residents/res-sigrid', admin, {
      notes: 'Bruker høreapparat.',
      digitalLock: null,
    });
    expect(changed.body).toMatchObject({ notes: 'Bruker høreapparat.', digitalLock: null });
    const bad = await api<Envelope>('PATCH', '/api/residents/res-sigrid', admin, { nationalId: '01010112345' });
    expect(bad.body.code).toBe('TRYGG_ERR_NATIONAL_ID_INVALID');
    expect((await api<Envelope>('PATCH', '/api/residents/res-sigrid', admin, {})).body.code).toBe('TRYGG_ERR_VALIDATION');
    const { body } = await api<{ relatives: { id: string; name: string }[] }>('GET', '/api/residents/res-sigrid', admin);
    const eva = body.relatives.find((r) => r.name === 'Eva Berg')?.id ?? '';
    const moved = await api<{ order: number; unavailable: unknown; consent: unknown }>('PATCH', `/api/relatives/${eva}`, admin, {
      order: 3,
      unavailable: { from: '23:00', to: '06:30' },
      consent: true,
    });
    expect(moved.body).toMatchObject({ order: 3, unavailable: { from: '23:00', to: '06:30' }, consent: { by: 'Ada Admin' } });
    const withdrawn = await api<{ consent: unknown; unavailable: unknown }>('PATCH', `/api/relatives/${eva}`, admin, {
      consent: false,
      unavailable: null,
    });
    expect(withdrawn.body).toMatchObject({ consent: null, unavailable: null });
  });
});

describe('staff and shifts', () => {
  it('adds a night nurse with a shift and refuses a shift that ends before it starts', async () => {
    const made = await api<{ staff: { id: string; siteIds: string[] }; password: string }>('POST', '/api/staff', admin, {
      username: 'natt3',
      displayName: 'Nora Natt',
      roles: ['staff'],
      siteIds: ['lia-a-1'],
    });
    expect(made.status).toBe(201);
    expect(made.body.password.length).toBeGreaterThan(10);
    const start = new Date(Date.now() - 3600_000).toISOString();
    const end = new Date(Date.now() + 7 * 3600_000).toISOString();
    const shift = await api('POST', '/api/shifts', admin, {
      userId: made.body.staff.id,
      siteId: 'lia-a-1',
      startsAt: start,
      endsAt: end,
    });
    expect(shift.status).toBe(201);
    const back = await api<Envelope>('POST', '/api/shifts', admin, {
      userId: made.body.staff.id,
      siteId: 'lia-a-1',
      startsAt: end,
      endsAt: start,
    });
    expect(back.body.code).toBe('TRYGG_ERR_VALIDATION');
    const dup = await api<Envelope>('POST', '/api/staff', admin, { username: 'natt3', displayName: 'Again', roles: ['staff'] });
    expect(dup.body.code).toBe('TRYGG_ERR_ID_TAKEN');
    const shifts = await api<{ shifts: { id: string }[] }>('GET', '/api/shifts?siteId=lia-a-1', admin);
    expect(shifts.body.shifts).toHaveLength(1);
    const id = shifts.body.shifts[0]?.id ?? '';
    expect((await api('DELETE', `/api/shifts/${id}`, admin)).status).toBe(200);
    expect((await api<Envelope>('DELETE', `/api/shifts/${id}`, admin)).body.code).toBe('TRYGG_ERR_NOT_FOUND');
  });
});

interface Registered {
  device: { id: string; status: string; serial: string };
  credentials: { protocol: string; username: string; secret?: string; password?: string; realm?: string };
}

const register = (serial: string, protocol = 'mqtt', token = tech) =>
  api<Registered & Envelope>('POST', '/api/devices', token, {
    serial,
    kind: 'alarm-button',
    protocol,
    vendor: 'Tunstall',
    model: 'Lifeline',
    firmware: '2.1.0',
    heartbeatIntervalS: 300,
  });

const connect = (id: string, secret: string) =>
  mqtt.connectAsync(svc.mqttUrl, { clientId: id, username: id, password: secret, reconnectPeriod: 0, protocolVersion: 4 });

describe('devices, installation and verified test', () => {
  it('registers a device with its secret once, refuses the serial twice, issues SCAIP digest credentials', async () => {
    const made = await register('TL-0001');
    expect(made.status).toBe(201);
    expect(made.body.device.status).toBe('in_stock');
    expect(made.body.credentials.secret?.length).toBeGreaterThan(16);
    const again = await register('TL-0001');
    expect([again.status, again.body.code]).toEqual([409, 'TRYGG_ERR_SERIAL_TAKEN']);
    // The secret is not stored, only its hash.
    const { rows } = await svc.trygg.pool.query<{ secret_hash: string }>('SELECT secret_hash FROM devices WHERE id = $1', [
      made.body.device.id,
    ]);
    expect(rows[0]?.secret_hash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(rows)).not.toContain(made.body.credentials.secret);

    const scaip = await register('SC-0001', 'scaip');
    const c = scaip.body.credentials;
    expect(c).toMatchObject({ protocol: 'scaip', username: scaip.body.device.id, realm: 'trygg' });
    const { rows: ha1 } = await svc.trygg.pool.query<{ sip_ha1: string }>('SELECT sip_ha1 FROM devices WHERE id = $1', [
      scaip.body.device.id,
    ]);
    expect(ha1[0]?.sip_ha1).toBe(createHash('md5').update(`${c.username}:trygg:${c.password}`).digest('hex'));
    const updated = await api<{ firmware: string; heartbeatIntervalS: number }>(
      'PATCH',
      `/api/devices/${scaip.body.device.id}`,
      tech,
      {
        firmware: '3.0.1',
        heartbeatIntervalS: 600,
      },
    );
    expect(updated.body).toMatchObject({ firmware: '3.0.1', heartbeatIntervalS: 600 });
    expect((await api<Envelope>('PATCH', '/api/devices/dev-none', tech, { firmware: 'x' })).body.code).toBe(
      'TRYGG_ERR_DEVICE_UNKNOWN',
    );
    const bySerial = await api<{ devices: { id: string }[] }>('GET', '/api/devices?serial=SC-0001', tech);
    expect(bySerial.body.devices.map((d) => d.id)).toEqual([scaip.body.device.id]);
    expect(
      (await api<Envelope>('POST', '/api/devices', relative, { serial: 'X-1', kind: 'x', protocol: 'mqtt' })).body.code,
    ).toBe('TRYGG_ERR_FORBIDDEN');
  });

  it('installs at a resident, passes a test from the device with signal and battery, and only then is active', async () => {
    const { body } = await register('TL-0002');
    const id = body.device.id;
    const secret = body.credentials.secret ?? '';
    const notInstalled = await api<Envelope>('POST', `/api/devices/${id}/tests`, tech);
    expect(notInstalled.body.code).toBe('TRYGG_ERR_DEVICE_STATE');
    const inst = await api<{ residentId: string; siteId: string; installedBy: string }>('POST', '/api/installations', tech, {
      deviceId: id,
      residentId: 'res-sigrid',
      location: 'soverommet, ved sengen',
      settings: { heartbeatIntervalS: 120 },
    });
    expect(inst.status).toBe(201);
    expect(inst.body).toMatchObject({ residentId: 'res-sigrid', installedBy: 'user-tech' });
    const twice = await api<Envelope>('POST', '/api/installations', tech, { deviceId: id, residentId: 'res-sigrid' });
    expect(twice.body.code).toBe('TRYGG_ERR_DEVICE_STATE');
    expect((await api<{ status: string; heartbeatIntervalS: number }>('GET', `/api/devices/${id}`, tech)).body).toMatchObject({
      status: 'installed',
      heartbeatIntervalS: 120,
    });

    const started = await api<{ id: string; status: string }>('POST', `/api/devices/${id}/tests`, tech);
    expect([started.status, started.body.status]).toEqual([201, 'running']);
    expect((await api<Envelope>('POST', `/api/devices/${id}/tests`, tech)).body.code).toBe('TRYGG_ERR_TEST_RUNNING');

    const dev = await connect(id, secret);
    await dev.publishAsync(
      `trygg/v1/devices/${id}/telemetry`,
      JSON.stringify({ ts: new Date().toISOString(), battery: 97, rssi: -61 }),
      { qos: 1 },
    );
    await dev.publishAsync(
      `trygg/v1/devices/${id}/events`,
      JSON.stringify({ id: randomUUID(), type: 'test', ts: new Date().toISOString(), battery: 96 }),
      {
        qos: 1,
      },
    );
    const passed = await until('the test to pass', async () => {
      const t = await api<{ status: string; durationMs: number; battery: number; rssi: number; deviceStatus: string }>(
        'GET',
        `/api/installation-tests/${started.body.id}`,
        tech,
      );
      return t.body.status === 'running' ? undefined : t.body;
    });
    expect(passed).toMatchObject({ status: 'passed', battery: 96, rssi: -61, deviceStatus: 'active' });
    // An alarm from it reaches the response centre with where in the home it is.
    await dev.publishAsync(
      `trygg/v1/devices/${id}/events`,
      JSON.stringify({ id: randomUUID(), type: 'alarm.button', ts: new Date().toISOString() }),
      {
        qos: 1,
      },
    );
    const operator = (await svc.login('operator')).token;
    const alarm = await until('the alarm', async () => {
      const { body } = await api<{ alarms: { subject: { deviceId: string; residentName: string; location: string } }[] }>(
        'GET',
        '/api/alarms',
        operator,
      );
      return body.alarms.find((a) => a.subject.deviceId === id);
    });
    expect(alarm.subject).toMatchObject({ residentName: 'Sigrid Berg', location: 'soverommet, ved sengen' });
    await dev.endAsync();
    expect(passed.durationMs).toBeGreaterThanOrEqual(0);
    expect((await api<{ status: string }>('GET', `/api/devices/${id}`, tech)).body.status).toBe('active');

    const series = await api<{ battery: { v: number }[]; rssi: { v: number }[]; lastSeenAt: string }>(
      'GET',
      `/api/devices/${id}/telemetry`,
      tech,
    );
    expect(series.body.battery.map((p) => p.v)).toEqual([97]);
    expect(series.body.rssi.map((p) => p.v)).toEqual([-61]);
    expect(series.body.lastSeenAt).not.toBeNull();
  });

  it('fails a test whose device stays silent past the deadline and keeps the device installed', async () => {
    const { body } = await register('TL-0003');
    await api('POST', '/api/installations', tech, { deviceId: body.device.id, siteId: 'lia-101' });
    const started = await api<{ id: string }>('POST', `/api/devices/${body.device.id}/tests`, tech);
    await svc.trygg.pool.query(`UPDATE installation_tests SET deadline = now() - interval '1 second' WHERE id = $1`, [
      started.body.id,
    ]);
    const failed = await until('the test to fail', async () => {
      const t = await api<{ status: string; deviceStatus: string; durationMs: number | null }>(
        'GET',
        `/api/installation-tests/${started.body.id}`,
        tech,
      );
      return t.body.status === 'running' ? undefined : t.body;
    });
    expect(failed).toMatchObject({ status: 'failed', deviceStatus: 'installed', durationMs: null });
    const attention = await api<{ devices: { id: string; attention: string }[] }>('GET', '/api/devices?attention=true', tech);
    expect(attention.body.devices.find((d) => d.id === body.device.id)?.attention).toBe('never-heard');
  });

  it('swaps a faulty device for one from stock, keeping the installation settings', async () => {
    const old = (await register('TL-0004')).body.device.id;
    const fresh = (await register('TL-0005')).body.device.id;
    const first = await api<{ id: string }>('POST', '/api/installations', tech, {
      deviceId: old,
      residentId: 'res-sigrid',
      location: 'badet',
      settings: { heartbeatIntervalS: 60, volume: 'high' },
    });
    expect((await api<{ status: string }>('POST', `/api/devices/${old}/status`, tech, { status: 'faulty' })).body.status).toBe(
      'faulty',
    );
    const swapped = await api<{ deviceId: string; residentId: string; location: string; settings: object; replacesId: string }>(
      'POST',
      `/api/devices/${old}/swap`,
      tech,
      { newDeviceId: fresh },
    );
    expect(swapped.status).toBe(200);
    expect(swapped.body).toMatchObject({
      deviceId: fresh,
      residentId: 'res-sigrid',
      location: 'badet',
      settings: { heartbeatIntervalS: 60, volume: 'high' },
      replacesId: first.body.id,
    });
    expect((await api<{ status: string; residentId: null }>('GET', `/api/devices/${old}`, tech)).body).toMatchObject({
      status: 'faulty',
      residentId: null,
    });
    expect((await api<{ status: string; heartbeatIntervalS: number }>('GET', `/api/devices/${fresh}`, tech)).body).toMatchObject({
      status: 'installed',
      heartbeatIntervalS: 60,
    });
    const inUse = await api<Envelope>('POST', `/api/devices/${old}/swap`, tech, { newDeviceId: fresh });
    expect(inUse.body.code).toBe('TRYGG_ERR_DEVICE_STATE');
  });

  it('revokes credentials so the device cannot connect, and re-issues new ones that work', async () => {
    const { body } = await register('TL-0006');
    const id = body.device.id;
    await api('POST', '/api/installations', tech, { deviceId: id, residentId: 'res-sigrid' });
    const live = await connect(id, body.credentials.secret ?? '');
    const cut = new Promise<void>((resolve) => live.once('close', () => resolve()));
    const revoked = await api<{ id: string }>('DELETE', `/api/devices/${id}/credentials`, tech);
    expect(revoked.status).toBe(200);
    // The connection it had is closed at once, and it cannot come back with the old secret.
    await cut;
    live.end(true);
    await expect(connect(id, body.credentials.secret ?? '')).rejects.toThrow();
    const again = await api<{ credentials: { secret: string } }>('POST', `/api/devices/${id}/credentials`, tech);
    expect(again.body.credentials.secret).not.toBe(body.credentials.secret);
    const c = await connect(id, again.body.credentials.secret);
    expect(c.connected).toBe(true);
    c.end(true);
  });
});

describe('a SCAIP unit registered by the technician', () => {
  it('registers over SIP with the credentials the registry issued, and its test alarm (stc 0102) passes the installation', async () => {
    const reg = await api<Registered & Envelope>('POST', '/api/devices', tech, {
      serial: 'SCAIP-REG-1',
      kind: 'social-alarm-unit',
      protocol: 'scaip',
      vendor: 'Doro',
      model: 'Care IP',
    });
    expect(reg.status).toBe(201);
    const { device, credentials } = reg.body;
    expect(credentials).toMatchObject({ protocol: 'scaip', username: device.id, realm: 'trygg' });
    await api('POST', '/api/installations', tech, { deviceId: device.id, residentId: 'res-ingrid' });
    const started = await api<{ id: string }>('POST', `/api/devices/${device.id}/tests`, tech);
    const cid = '4799001';
    await svc.trygg.pool.query('UPDATE devices SET scaip_cid = $2 WHERE id = $1', [device.id, cid]);
    const unit = await startUnit(svc, {
      id: device.id,
      username: credentials.username,
      password: credentials.password ?? '',
      cid,
    });
    try {
      const answer = await unit.mrq({ ref: '1', dty: '0003', stc: '0102' });
      expect(answer.status).toBe(200);
      expect(answer.mrs?.snu).toBe(0);
      const passed = await until('the SCAIP test to pass', async () => {
        const t = await api<{ status: string; deviceStatus: string }>('GET', `/api/installation-tests/${started.body.id}`, tech);
        return t.body.status === 'running' ? undefined : t.body;
      });
      expect(passed).toMatchObject({ status: 'passed', deviceStatus: 'active' });
    } finally {
      await unit.stop();
    }
    // Revoked: the unit can no longer register.
    await api('DELETE', `/api/devices/${device.id}/credentials`, tech);
    const again = await startUnit(
      svc,
      { id: device.id, username: credentials.username, password: credentials.password ?? '', cid },
      { register: false },
    );
    try {
      expect(await again.register()).not.toBe(200);
    } finally {
      await again.stop();
    }
  });
});

describe('OpenAPI', () => {
  it('documents the registry routes at /docs', async () => {
    const res = await fetch(`${svc.httpUrl}/docs/json`);
    const doc = (await res.json()) as { paths: Record<string, unknown> };
    for (const p of [
      '/api/residents',
      '/api/relatives',
      '/api/sites',
      '/api/staff',
      '/api/shifts',
      '/api/devices',
      '/api/installations',
      '/api/devices/{id}/tests',
      '/api/import/{kind}',
    ]) {
      expect(Object.keys(doc.paths), p).toContain(p);
    }
  });
});

describe('CSV import', () => {
  const post = (kind: string, csv: string, dryRun: boolean) =>
    fetch(`${svc.httpUrl}/api/import/${kind}${dryRun ? '?dryRun=true' : ''}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/csv' },
      body: csv,
    }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as {
        code?: string;
        imported: number;
        rows: number;
        invalid: { line: number; errors: string[] }[];
        credentials: unknown[];
      },
    }));

  it('reports every bad row and imports nothing until all rows are valid', async () => {
    const good1 = syntheticNationalId('1938-02-03', 3);
    const good2 = syntheticNationalId('1944-09-21', 5);
    const bad = good1.slice(0, 10) + String((Number(good1[10]) + 1) % 10);
    const csv = [
      'name,national_id,site_id,address,key_safe,consent',
      `Anne Aas,${good1},,"Aasveien 1, 0150 Oslo",Nøkkelboks,ja`,
      `Bjørn Bø,${bad},,Bøveien 2,,`,
      `Cato Cos,${good2},no-such-site,,,`,
      `Dina Dahl,${good1},lia-101,,,`,
    ].join('\n');
    const dry = await post('residents', csv, true);
    expect(dry.status).toBe(400);
    expect(dry.body.code).toBe('TRYGG_ERR_IMPORT_INVALID');
    expect(dry.body.invalid.map((r) => r.line)).toEqual([3, 4, 5]);
    expect(dry.body.invalid[0]?.errors.join()).toMatch(/check digits/);
    expect(dry.body.invalid[1]?.errors.join()).toMatch(/no-such-site does not exist/);
    expect(dry.body.invalid[2]?.errors.join()).toMatch(/also on line 2/);
    expect((await post('residents', csv, false)).body.imported).toBe(0);
    const { rows } = await svc.trygg.pool.query(`SELECT 1 FROM residents WHERE name = 'Anne Aas'`);
    expect(rows).toHaveLength(0);

    const fixed = [
      'name,national_id,site_id,address,key_safe,consent',
      `Anne Aas,${good1},,"Aasveien 1, 0150 Oslo",Nøkkelboks,ja`,
      `Dina Dahl,${good2},lia-101,,,`,
    ].join('\n');
    expect((await post('residents', fixed, true)).body).toMatchObject({ rows: 2, imported: 0, invalid: [] });
    const done = await post('residents', fixed, false);
    expect(done.body).toMatchObject({ rows: 2, imported: 2, invalid: [] });
    const anne = await svc.trygg.pool.query<{ address: string; consent_by: string }>(
      `SELECT s.address, r.consent_by FROM residents r JOIN sites s ON s.id = r.site_id WHERE r.name = 'Anne Aas'`,
    );
    expect(anne.rows[0]).toEqual({ address: 'Aasveien 1, 0150 Oslo', consent_by: 'Ada Admin' });
  });

  it('imports devices with credentials once, refusing duplicate serials in the file and in the registry', async () => {
    const bad = [
      'serial,kind,protocol,resident_id',
      'TL-0001,alarm-button,mqtt,',
      'IM-1,alarm-button,mqtt,',
      'IM-1,fall-sensor,scaip,',
      'IM-2,smoke,zigbee,',
    ].join('\n');
    const dry = await post('devices', bad, true);
    expect(dry.body.invalid.map((r) => r.line)).toEqual([2, 4, 5]);
    const good = [
      'serial,kind,protocol,resident_id,location',
      'IM-1,alarm-button,mqtt,res-sigrid,stua',
      'IM-2,fall-sensor,scaip,,',
    ].join('\n');
    const done = await post('devices', good, false);
    expect(done.body).toMatchObject({ imported: 2, invalid: [] });
    expect(done.body.credentials).toHaveLength(2);
    const { rows } = await svc.trygg.pool.query<{ serial: string; status: string }>(
      `SELECT serial, status FROM devices WHERE serial LIKE 'IM-%' ORDER BY serial`,
    );
    expect(rows).toEqual([
      { serial: 'IM-1', status: 'installed' },
      { serial: 'IM-2', status: 'in_stock' },
    ]);
  });
});
