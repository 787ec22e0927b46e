/**
 * The `trygg` command as an administrator runs it: the real executable (server/bin/trygg.js)
 * against a fresh database named by DATABASE_URL, printing JSON; errors as envelopes with a
 * non-zero exit code.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticNationalId } from '@trygg/devices';
import { createTestDatabase, type TestDatabase } from './support/db.js';

const BIN = fileURLToPath(new URL('../server/bin/trygg.js', import.meta.url));
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

function trygg(...args: string[]): Promise<{ code: number; out: unknown; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, DATABASE_URL: db.url } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout ? (JSON.parse(stdout) as unknown) : null, err: stderr });
    });
  });
}

describe('trygg CLI', () => {
  // Every invocation is a fresh Node process (tsx, migration check): a few seconds each here.
  it('adds sites, residents (with a home made from an address) and a relative not at night', { timeout: 90_000 }, async () => {
    const home = await trygg(
      'site',
      'add',
      '--id',
      'home-ivar',
      '--kind',
      'home',
      '--name',
      'Ivar Lie',
      '--address',
      'Lieveien 1',
    );
    expect(home.out).toMatchObject({ id: 'home-ivar', kind: 'home' });
    const ghostRoom = await trygg('site', 'add', '--kind', 'room', '--name', 'Rom 1', '--parent', 'no-floor');
    expect(JSON.parse(ghostRoom.err)).toMatchObject({ code: 'TRYGG_ERR_SITE_PARENT_INVALID' });

    const nid = syntheticNationalId('1936-12-01', 9);
    const res = await trygg(
      'resident',
      'add',
      '--id',
      'res-ivar',
      '--name',
      'Ivar Lie',
      '--site',
      'home-ivar',
      '--national-id',
      nid,
      '--consent',
    );
    expect(res.code).toBe(0);
    expect(res.out).toMatchObject({ id: 'res-ivar', nationalId: nid, consent: { by: 'trygg CLI' } });
    const bad = await trygg('resident', 'add', '--name', 'Feil', '--site', 'home-ivar', '--national-id', '12345678901');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.err)).toMatchObject({ status: 'error', code: 'TRYGG_ERR_NATIONAL_ID_INVALID' });
    const athome = await trygg('resident', 'add', '--name', 'Åse Lie', '--address', 'Lieveien 3, 0480 Oslo');
    expect(athome.out).toMatchObject({ name: 'Åse Lie', address: 'Lieveien 3, 0480 Oslo' });
    const listed = (await trygg('resident', 'list')).out as { residents: { id: string }[] };
    expect(listed.residents.map((r) => r.id)).toContain('res-ivar');

    const rel = await trygg(
      'relative',
      'add',
      '--resident',
      'res-ivar',
      '--name',
      'Siv Lie',
      '--phone',
      '+4790000001',
      '--not-at-night',
    );
    expect(rel.out).toMatchObject({ order: 1, unavailable: { from: '22:00', to: '07:00' } });
  });

  it('adds a technician; registers, lists and revokes a device', { timeout: 90_000 }, async () => {
    const user = await trygg('user', 'add', '--username', 'tekla', '--name', 'Tekla T', '--role', 'technician');
    expect(user.out).toMatchObject({ staff: { id: 'user-tekla', roles: ['technician'] } });
    expect((user.out as { password: string }).password.length).toBeGreaterThan(10);

    const dev = await trygg(
      'device',
      'register',
      '--serial',
      'CLI-1',
      '--kind',
      'alarm-button',
      '--protocol',
      'mqtt',
      '--vendor',
      'Doro',
    );
    expect(dev.code).toBe(0);
    const { device, credentials } = dev.out as { device: { id: string; status: string }; credentials: { secret: string } };
    expect(device.status).toBe('in_stock');
    expect(credentials.secret.length).toBeGreaterThan(16);
    const twice = await trygg('device', 'register', '--serial', 'CLI-1', '--kind', 'alarm-button');
    expect(JSON.parse(twice.err)).toMatchObject({ code: 'TRYGG_ERR_SERIAL_TAKEN' });
    expect(((await trygg('device', 'list')).out as { devices: { serial: string }[] }).devices.map((d) => d.serial)).toEqual([
      'CLI-1',
    ]);
    const revoked = await trygg('device', 'revoke', device.id);
    expect(revoked.code).toBe(0);
    const unknown = await trygg('device', 'revoke', 'dev-nope');
    expect(JSON.parse(unknown.err)).toMatchObject({ code: 'TRYGG_ERR_DEVICE_UNKNOWN' });
  });

  it('refuses an unknown command or option with a usage error', async () => {
    expect((await trygg('device', 'explode')).code).toBe(2);
    const opt = await trygg('device', 'list', '--colour', 'red');
    expect(opt.code).toBe(2);
    expect(JSON.parse(opt.err)).toMatchObject({ code: 'TRYGG_ERR_VALIDATION' });
  });
});
