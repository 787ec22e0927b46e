/**
 * The SCAIP registrar against the real registry (PostgreSQL, credentials issued as the demo
 * does) with a clock the test moves: digest with stale nonces, expiry as SIP says, unregistering,
 * Min-Expires, someone else's AOR, and where `<mrs>` goes for a unit behind NAT.
 */
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScaipUnits, digestHa1, issueScaipCredentials } from '@trygg/devices';
import { Registrar, digest, sip, type Flow, type SipMessage } from '@trygg/gateway';
import { createTestDatabase, type TestDatabase } from './support/db.js';

let tdb: TestDatabase;
let db: pg.Pool;
let now = Date.parse('2026-11-22T08:00:00Z');
let registrar: Registrar;
let password = '';
const REALM = 'trygg';

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = new pg.Pool({ connectionString: tdb.url, max: 2 });
  await db.query(
    `INSERT INTO devices (id, kind, serial, protocol, status) VALUES ('unit-a', 'social-alarm-unit', 'S-A', 'scaip', 'active'),
            ('unit-b', 'social-alarm-unit', 'S-B', 'scaip', 'in_stock')`,
  );
  password = (await issueScaipCredentials(db, 'unit-a', { realm: REALM, cid: '1001' })).password;
  await issueScaipCredentials(db, 'unit-b', { realm: REALM, cid: '1002', password: 'b-secret' });
  registrar = new Registrar(new ScaipUnits(db), REALM, pino({ level: 'silent' }), () => now);
});
afterAll(async () => {
  await db?.end();
  await tdb?.drop();
});

const FROM: Flow = { protocol: 'UDP', address: '203.0.113.5', port: 40000 };
let cseq = 1;

function register(user: string, contact: string | null, expires?: number, headers: Record<string, unknown> = {}): SipMessage {
  const m = sip.parse(
    [
      `REGISTER sip:trygg.example SIP/2.0`,
      `Via: SIP/2.0/UDP ${FROM.address}:${FROM.port};branch=z9hG4bK${cseq}`,
      `From: <sip:${user}@trygg.example>;tag=t${cseq}`,
      `To: <sip:${user}@trygg.example>`,
      `Call-ID: reg-${user}`,
      `CSeq: ${cseq++} REGISTER`,
      ...(contact ? [`Contact: ${contact}`] : []),
      ...(expires === undefined ? [] : [`Expires: ${expires}`]),
      '',
      '',
    ].join('\r\n'),
  );
  if (!m) throw new Error('unparsable');
  Object.assign(m.headers, headers);
  return m;
}

/** Answers the challenge the way a unit does (qop=auth). */
function sign(rq: SipMessage, challenge: SipMessage, user: string, pass: string): SipMessage {
  const c = challenge.headers['www-authenticate']?.[0];
  const nonce = (c?.nonce ?? '').replace(/"/g, '');
  const uri = 'sip:trygg.example';
  const response = digest.calculateDigest({
    ha1: digestHa1(user, REALM, pass),
    method: 'REGISTER',
    nonce,
    nc: '00000001',
    cnonce: 'c0ffee',
    qop: 'auth',
    uri,
  });
  rq.headers.authorization = [
    {
      scheme: 'Digest',
      username: `"${user}"`,
      realm: `"${REALM}"`,
      nonce: `"${nonce}"`,
      uri: `"${uri}"`,
      response: `"${response}"`,
      qop: 'auth',
      nc: '00000001',
      cnonce: '"c0ffee"',
      algorithm: 'MD5',
    },
  ];
  return rq;
}

async function registerWithDigest(user: string, pass: string, contact: string | null, expires?: number, from: Flow = FROM) {
  const first = register(user, contact, expires);
  expect((await registrar.authenticate(first, from)).ok).toBe(false);
  const challenge = registrar.challenge(first, from);
  const rq = sign(register(user, contact, expires), challenge, user, pass);
  const auth = await registrar.authenticate(rq, from);
  return { auth, rq, challenge };
}

describe('SCAIP registrar', () => {
  it('registers with digest and lets the registration expire as granted', async () => {
    const { auth, rq } = await registerWithDigest('unit-a', password, '<sip:unit-a@203.0.113.5:40000>', 600);
    if (!auth.ok) throw new Error(auth.reason);
    const rs = registrar.register(rq, FROM, auth.unit);
    expect(rs.status).toBe(200);
    expect(rs.headers.expires).toBe('600');
    expect(registrar.lookup('unit-a')?.target).toEqual({ protocol: 'UDP', address: '203.0.113.5', port: 40000 });
    now += 599_000;
    expect(registrar.lookup('unit-a')).toBeDefined();
    now += 2_000;
    expect(registrar.lookup('unit-a')).toBeUndefined();
  });

  it('caps long registrations at an hour and refuses very short ones (423 with Min-Expires)', async () => {
    const long = await registerWithDigest('unit-a', password, '<sip:unit-a@203.0.113.5:40000>', 86400);
    if (!long.auth.ok) throw new Error(long.auth.reason);
    expect(registrar.register(long.rq, FROM, long.auth.unit).headers.expires).toBe('3600');
    const short = await registerWithDigest('unit-a', password, '<sip:unit-a@203.0.113.5:40000>', 30);
    if (!short.auth.ok) throw new Error(short.auth.reason);
    const rs = registrar.register(short.rq, FROM, short.auth.unit);
    expect(rs.status).toBe(423);
    expect(rs.headers['min-expires']).toBe('60');
  });

  it('unregisters with Expires 0 and with Contact *', async () => {
    for (const contact of ['<sip:unit-a@203.0.113.5:40000>', '*']) {
      const reg = await registerWithDigest('unit-a', password, '<sip:unit-a@203.0.113.5:40000>', 600);
      if (!reg.auth.ok) throw new Error(reg.auth.reason);
      registrar.register(reg.rq, FROM, reg.auth.unit);
      expect(registrar.lookup('unit-a')).toBeDefined();
      const off = await registerWithDigest('unit-a', password, contact, 0);
      if (!off.auth.ok) throw new Error(off.auth.reason);
      expect(registrar.register(off.rq, FROM, off.auth.unit).status).toBe(200);
      expect(registrar.lookup('unit-a')).toBeUndefined();
    }
  });

  it('says stale for an old nonce with the right answer, forbidden for a wrong password or an inactive unit', async () => {
    const first = register('unit-a', '<sip:unit-a@203.0.113.5:40000>', 600);
    const challenge = registrar.challenge(first, FROM);
    now += 6 * 60_000;
    const late = await registrar.authenticate(sign(register('unit-a', null, 600), challenge, 'unit-a', password), FROM);
    expect(late).toMatchObject({ ok: false, response: 'stale' });
    expect(registrar.challenge(first, FROM, true).headers['www-authenticate']?.[0]).toMatchObject({ stale: 'true' });
    expect((await registerWithDigest('unit-a', 'not-it', null, 600)).auth).toMatchObject({ ok: false, response: 'forbidden' });
    expect((await registerWithDigest('nobody', 'x', null, 600)).auth).toMatchObject({ ok: false, response: 'forbidden' });
    expect((await registerWithDigest('unit-b', 'b-secret', null, 600)).auth).toMatchObject({
      ok: false,
      response: 'forbidden',
      reason: 'unit not installed or active',
    });
  });

  it('never lets a captured Authorization be used again, from anywhere, or a nonce from another flow', async () => {
    const { auth, rq } = await registerWithDigest('unit-a', password, '<sip:unit-a@203.0.113.5:40000>', 600);
    if (!auth.ok) throw new Error(auth.reason);
    expect(registrar.register(rq, FROM, auth.unit).status).toBe(200);
    // The same REGISTER, replayed 68 s later from the attacker's address, and from the unit's own.
    now += 68_000;
    const elsewhere: Flow = { protocol: 'UDP', address: '198.51.100.66', port: 5060 };
    expect(await registrar.authenticate(rq, elsewhere)).toMatchObject({ ok: false, response: 'stale' });
    expect(await registrar.authenticate(rq, FROM)).toMatchObject({ ok: false, response: 'stale' });
    expect(registrar.lookup('unit-a')?.source).toEqual(FROM);
    // A nonce issued to one flow and answered (correctly) from another is no proof either.
    const stolen = registrar.challenge(register('unit-a', null, 600), FROM);
    const signed = sign(register('unit-a', '<sip:unit-a@198.51.100.66:5060>', 600), stolen, 'unit-a', password);
    expect(await registrar.authenticate(signed, elsewhere)).toMatchObject({ ok: false, response: 'stale' });
  });

  it('takes a growing nonce count on one nonce (qop=auth) and refuses a repeated one', async () => {
    const challenge = registrar.challenge(register('unit-a', null, 600), FROM);
    const withNc = (nc: string) => {
      const rq = sign(register('unit-a', '<sip:unit-a@203.0.113.5:40000>', 600), challenge, 'unit-a', password);
      const a = rq.headers.authorization?.[0];
      if (!a) throw new Error('unsigned');
      const nonce = (a.nonce ?? '').replace(/"/g, '');
      a.nc = nc;
      a.response = `"${digest.calculateDigest({ ha1: digestHa1('unit-a', REALM, password), method: 'REGISTER', nonce, nc, cnonce: 'c0ffee', qop: 'auth', uri: 'sip:trygg.example' })}"`;
      return rq;
    };
    expect((await registrar.authenticate(withNc('00000001'), FROM)).ok).toBe(true);
    expect((await registrar.authenticate(withNc('00000002'), FROM)).ok).toBe(true);
    expect(await registrar.authenticate(withNc('00000002'), FROM)).toMatchObject({ ok: false, response: 'stale' });
    expect(await registrar.authenticate(withNc('00000001'), FROM)).toMatchObject({ ok: false, response: 'stale' });
  });

  it("refuses to bind someone else's address of record", async () => {
    const { auth } = await registerWithDigest('unit-a', password, '<sip:unit-a@203.0.113.5:40000>', 600);
    if (!auth.ok) throw new Error(auth.reason);
    const other = register('unit-b', '<sip:unit-b@203.0.113.5:40000>', 600);
    expect(registrar.register(other, FROM, auth.unit).status).toBe(403);
  });

  it('sends <mrs> to the contact when it is where the unit is, else back over the flow it came by (NAT)', async () => {
    const tcp = await registerWithDigest('unit-a', password, '<sip:unit-a@203.0.113.5:5070;transport=tcp>', 600);
    if (!tcp.auth.ok) throw new Error(tcp.auth.reason);
    registrar.register(tcp.rq, FROM, tcp.auth.unit);
    expect(registrar.lookup('unit-a')?.target).toEqual({ protocol: 'TCP', address: '203.0.113.5', port: 5070 });
    const nat = await registerWithDigest('unit-a', password, '<sip:unit-a@192.168.1.20:5060>', 600);
    if (!nat.auth.ok) throw new Error(nat.auth.reason);
    registrar.register(nat.rq, FROM, nat.auth.unit);
    expect(registrar.lookup('unit-a')?.target).toEqual(FROM);
  });
});
