/**
 * SCAIP units as they behave in the field, against the whole service, from the unit's side of
 * the wire: raw UDP and TCP peers that send exactly the bytes a make sends (bare LF, no branch,
 * Latin-1, vendor elements, stray bytes, long refs, odd content types), the simulators' unit that
 * rebinds its NAT port or replaces its TCP connection, and strangers on the same address or
 * another one who try to cancel, join or raise an alarm for a registered unit. Each test checks
 * what the unit hears (the SIP status, the `<mrs>` with its own ref and the right `snu`) and
 * what the operator sees (or does not).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mrqXml, type ScaipUnit } from '@trygg/simulators';
import { authorization, RawSipPeer, request, type RawMessage } from './support/raw-sip.js';
import { createScaipUnit, startUnit, type UnitRow } from './support/scaip.js';
import { startTestService, type TestService } from './support/service.js';
import type { Alarm } from './support/types.js';

let svc: TestService;
let db: pg.Pool;
let operator: string;
const peers: RawSipPeer[] = [];
const units: ScaipUnit[] = [];

const STREAM_LIMITS = { perAddress: 4, firstMessageMs: 1500, messageMs: 1500 };

beforeAll(async () => {
  svc = await startTestService({ start: { scaip: { holdPollGapS: 1, streams: STREAM_LIMITS, maxInFlight: 10 } } });
  db = new pg.Pool({ connectionString: svc.db.url, max: 3 });
  operator = (await svc.login('operator')).token;
  await db.query(`INSERT INTO sites (id, kind, name) VALUES ('home-field-nohold', 'home', 'Hjem uten hold')`);
  await db.query(`INSERT INTO scaip_site_settings (site_id, voice_mode, hold_max_s) VALUES ('home-field-nohold', 1, 0)`);
});
afterAll(async () => {
  for (const p of peers) await p.stop();
  for (const u of units) await u.stop();
  await db?.end();
  await svc?.stop();
});

const udpPort = () => svc.trygg.ports.sip.udp ?? 0;
const tcpPort = () => svc.trygg.ports.sip.tcp ?? 0;

const alarmsOf = async (deviceId: string) =>
  (await db.query<{ doc: Alarm }>('SELECT doc FROM alarms WHERE device_id = $1 ORDER BY opened_at', [deviceId])).rows.map(
    (r) => r.doc,
  );
const eventsOf = async (deviceId: string) =>
  (
    await db.query<{ event_id: string; type: string; payload: Record<string, unknown> }>(
      'SELECT event_id, type, payload FROM device_events WHERE device_id = $1 ORDER BY received_at',
      [deviceId],
    )
  ).rows;
/** The open alarms the operator's queue shows for this device. */
const queueFor = async (deviceId: string) =>
  (await svc.api<{ alarms: Alarm[] }>('GET', '/api/alarms', operator)).body.alarms.filter((a) => a.subject.deviceId === deviceId);
const timelineOf = async (alarmId: string) =>
  (await svc.api<{ timeline: { kind: string; data: Record<string, unknown> }[] }>('GET', `/api/alarms/${alarmId}`, operator)).body
    .timeline;

/** A unit spoken for by a raw peer: registration with digest, MESSAGEs with any bytes. */
class RawUnit {
  private cseq = 1;
  readonly callId = `${randomBytes(6).toString('hex')}@field`;
  readonly tag = randomBytes(3).toString('hex');
  /** The bytes of the last authenticated REGISTER (for the replay test). */
  lastRegister: Buffer | null = null;

  constructor(
    readonly peer: RawSipPeer,
    readonly row: UnitRow,
  ) {}

  get aor(): string {
    return `<sip:${this.row.username}@127.0.0.1>`;
  }

  via(branch: string | null = `z9hG4bK${randomBytes(5).toString('hex')}`): string {
    const proto = this.peerTransport();
    return `SIP/2.0/${proto} ${this.peer.localAddress}:${this.peer.localPort}${branch === null ? '' : `;branch=${branch}`}${proto === 'UDP' ? ';rport' : ''}`;
  }

  private peerTransport(): 'UDP' | 'TCP' {
    return (this.peer as unknown as { opts: { transport: 'UDP' | 'TCP' } }).opts.transport;
  }

  /** REGISTER, answered 401, again with digest; the final response. */
  async register(expires = 600): Promise<RawMessage | null> {
    const uri = 'sip:127.0.0.1';
    const contact = `<sip:${this.row.username}@${this.peer.localAddress}:${this.peer.localPort}${this.peerTransport() === 'TCP' ? ';transport=tcp' : ''}>`;
    const base = { method: 'REGISTER', uri, from: `${this.aor};tag=${this.tag}`, to: this.aor, callId: this.callId };
    let seq = this.cseq++;
    this.peer.send(request({ ...base, via: this.via(), cseq: seq, headers: [`Contact: ${contact}`, `Expires: ${expires}`] }));
    const challenge = await this.peer.response(this.callId, seq);
    if (challenge?.status !== 401) return challenge;
    seq = this.cseq++;
    const auth = authorization(challenge.headers['www-authenticate'] ?? '', this.row, 'REGISTER', uri);
    this.lastRegister = request({
      ...base,
      via: this.via(),
      cseq: seq,
      headers: [`Contact: ${contact}`, `Expires: ${expires}`, `Authorization: ${auth}`],
    });
    this.peer.send(this.lastRegister);
    return this.peer.response(this.callId, seq);
  }

  /** One MESSAGE; its final response, and the `<mrs>` for `ref` when it was 200. */
  async message(
    body: string | Buffer,
    opts: {
      ref?: string;
      contentType?: string | null;
      lf?: boolean;
      branch?: string | null;
      callId?: string;
      cseq?: number;
      headers?: string[];
    } = {},
  ): Promise<{ rs: RawMessage | null; mrs: RawMessage | null }> {
    const callId = opts.callId ?? `${randomBytes(6).toString('hex')}@field`;
    const seq = opts.cseq ?? this.cseq++;
    this.peer.send(
      request({
        method: 'MESSAGE',
        uri: 'sip:receiver@127.0.0.1',
        via: this.via(opts.branch),
        from: `${this.aor};tag=${this.tag}`,
        to: '<sip:receiver@127.0.0.1>',
        callId,
        cseq: seq,
        headers: [
          ...(opts.contentType === null ? [] : [`Content-Type: ${opts.contentType ?? 'application/scaip+xml'}`]),
          ...(opts.headers ?? []),
        ],
        body,
        ...(opts.lf ? { lf: true } : {}),
      }),
    );
    const rs = await this.peer.response(callId, seq);
    const mrs = rs?.status === 200 && opts.ref !== undefined ? await this.peer.mrs(opts.ref) : null;
    return { rs, mrs };
  }

  mrq(fields: Record<string, string | undefined>): string {
    return mrqXml({ cid: this.row.cid, dty: '0003', ...fields });
  }
}

const snu = (m: RawMessage | null) => Number(/<snu>(\d+)<\/snu>/.exec(m?.body ?? '')?.[1] ?? NaN);
const mrsRef = (m: RawMessage | null) => /<ref>([^<]*)<\/ref>/.exec(m?.body ?? '')?.[1];

async function rawUnit(
  id: string,
  opts: { transport?: 'UDP' | 'TCP'; localAddress?: string; register?: boolean } & Parameters<typeof createScaipUnit>[2] = {},
): Promise<RawUnit> {
  const row = await createScaipUnit(db, id, opts);
  const transport = opts.transport ?? 'UDP';
  const peer = await new RawSipPeer({
    transport,
    port: transport === 'UDP' ? udpPort() : tcpPort(),
    ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
  }).start();
  peers.push(peer);
  const u = new RawUnit(peer, row);
  if (opts.register !== false) expect((await u.register())?.status).toBe(200);
  return u;
}

async function simUnit(id: string, opts: Parameters<typeof createScaipUnit>[2] & { transport?: 'UDP' | 'TCP' } = {}) {
  const row = await createScaipUnit(db, id, opts);
  const u = await startUnit(svc, row, { transport: opts.transport ?? 'UDP' });
  units.push(u);
  return { u, row };
}

/** The device's newest alarm, once there is one (polls; usable in hooks too). */
async function openAlarm(deviceId: string): Promise<Alarm> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
    const a = (await alarmsOf(deviceId)).at(-1);
    if (a) return a;
  }
  throw new Error(`no alarm from ${deviceId}`);
}

async function command(alarmId: string, type: 'claim' | 'resolve') {
  const body = type === 'resolve' ? { id: randomUUID(), type, note: 'Alt i orden.' } : { id: randomUUID(), type };
  const r = await svc.api('POST', `/api/alarms/${alarmId}/commands`, operator, body);
  expect(r.status).toBe(200);
}

describe('1. a new alarm reusing an old ref', () => {
  it('starts a new alarm once the unit was told snu=0; a resend in flight stays one event', async () => {
    const u = await rawUnit('fld-ref-reuse', { siteId: 'home-field-nohold', residentId: null });
    const first = await u.message(u.mrq({ ref: 'R7', stc: '0010' }), { ref: 'R7' });
    expect(first.rs?.status).toBe(200);
    expect([mrsRef(first.mrs), snu(first.mrs)]).toEqual(['R7', 0]);
    const alarm = await openAlarm('fld-ref-reuse');
    await command(alarm.id, 'claim');
    await command(alarm.id, 'resolve');
    // The unit restarted its counter: the next fall press carries R7 again.
    const again = await u.message(u.mrq({ ref: 'R7', dty: '0005', stc: '0009' }), { ref: 'R7' });
    expect([mrsRef(again.mrs), snu(again.mrs)]).toEqual(['R7', 0]);
    await expect
      .poll(async () => (await alarmsOf('fld-ref-reuse')).map((a) => [a.type, a.state]))
      .toEqual([
        ['alarm.button', 'resolved'],
        ['alarm.fall', 'open'],
      ]);
    expect((await queueFor('fld-ref-reuse')).map((a) => a.type)).toEqual(['alarm.fall']);
  });

  it('keeps hold polls of one ref one event, and ends the session when its alarm was closed meanwhile', async () => {
    const u = await rawUnit('fld-ref-hold');
    expect(snu((await u.message(u.mrq({ ref: 'H3' }), { ref: 'H3' })).mrs)).toBe(4);
    expect(snu((await u.message(u.mrq({ ref: 'H3' }), { ref: 'H3' })).mrs)).toBe(4);
    expect(await eventsOf('fld-ref-hold')).toHaveLength(1);
    const alarm = await openAlarm('fld-ref-hold');
    await command(alarm.id, 'claim');
    await command(alarm.id, 'resolve');
    // The unit lost power before its next poll, and presses again with the same ref later
    // (here: after the hold-poll gap, 1 s in this test, 45 s in service).
    await new Promise((r) => setTimeout(r, 1500));
    expect(snu((await u.message(u.mrq({ ref: 'H3' }), { ref: 'H3' })).mrs)).toBe(4);
    await expect.poll(async () => (await alarmsOf('fld-ref-hold')).map((a) => a.state)).toEqual(['resolved', 'open']);
  });
});

describe('2. spoofing: nothing but the registered flow or fresh credentials speaks for a unit', () => {
  let unit: RawUnit;
  let alarm: Alarm;
  beforeAll(async () => {
    unit = await rawUnit('fld-victim');
    expect(snu((await unit.message(unit.mrq({ ref: 'V1' }), { ref: 'V1' })).mrs)).toBe(4);
    alarm = await openAlarm('fld-victim');
  });

  const strangers = [
    ['another port on the same address', undefined],
    ['another address', '127.0.0.2'],
  ] as const;

  it.each(strangers)(
    'from %s, without credentials: a cancel, a join and a new alarm are challenged, never taken',
    async (_what, addr) => {
      const peer = await new RawSipPeer({ transport: 'UDP', port: udpPort(), ...(addr ? { localAddress: addr } : {}) }).start();
      peers.push(peer);
      const fake = new RawUnit(peer, unit.row);
      for (const body of [
        fake.mrq({ ref: 'X1', stc: '0019' }), // cancel
        fake.mrq({ ref: 'V1' }), // join the open session
        fake.mrq({ ref: 'X2', dty: '0005' }), // a new (false) fall alarm
      ]) {
        const { rs, mrs } = await fake.message(body, { ref: 'X' });
        expect(rs?.status).toBe(401);
        expect(mrs).toBeNull();
      }
      expect(await eventsOf('fld-victim')).toHaveLength(1);
      expect((await queueFor('fld-victim')).map((a) => [a.id, a.state])).toEqual([[alarm.id, 'open']]);
    },
  );

  it.each(strangers)('from %s, with wrong credentials: refused (403), nothing stored', async (_what, addr) => {
    const peer = await new RawSipPeer({ transport: 'UDP', port: udpPort(), ...(addr ? { localAddress: addr } : {}) }).start();
    peers.push(peer);
    const fake = new RawUnit(peer, { ...unit.row, password: 'guessed' });
    const first = await fake.message(fake.mrq({ ref: 'X3', stc: '0019' }));
    expect(first.rs?.status).toBe(401);
    const signed = await fake.message(fake.mrq({ ref: 'X3', stc: '0019' }), {
      headers: [
        `Authorization: ${authorization(first.rs?.headers['www-authenticate'] ?? '', fake.row, 'MESSAGE', 'sip:receiver@127.0.0.1')}`,
      ],
    });
    expect(signed.rs?.status).toBe(403);
    expect(await eventsOf('fld-victim')).toHaveLength(1);
    expect((await queueFor('fld-victim'))[0]?.state).toBe('open');
  });

  it('the unit itself, from its registered flow, still cancels', async () => {
    const { mrs } = await unit.message(unit.mrq({ ref: 'V2', stc: '0019' }), { ref: 'V2' });
    expect(snu(mrs)).toBe(0);
    await expect.poll(async () => (await alarmsOf('fld-victim'))[0]?.state).toBe('cancelled');
    expect(svc.logs.some((l) => l.code === 'TRYGG_ERR_SIP_UNAUTHENTICATED')).toBe(true);
  });
});

describe('3. a replayed REGISTER moves nothing', () => {
  it('is answered with a fresh challenge from another address and from the same one; the unit stays where it was', async () => {
    const u = await rawUnit('fld-replay');
    const captured = u.lastRegister?.toString('latin1');
    if (!captured) throw new Error('no REGISTER captured');
    // The thief keeps the Authorization (digest covers method and URI only) and puts its own Via,
    // as a replay from elsewhere must to get an answer at all.
    const replay = (peer: RawSipPeer) =>
      captured.replace(
        /^Via: .*$/m,
        `Via: SIP/2.0/UDP ${peer.localAddress}:${peer.localPort};branch=z9hG4bK${randomBytes(5).toString('hex')};rport`,
      );
    for (const addr of ['127.0.0.2', undefined]) {
      const thief = await new RawSipPeer({ transport: 'UDP', port: udpPort(), ...(addr ? { localAddress: addr } : {}) }).start();
      peers.push(thief);
      thief.send(replay(thief));
      const rs = await thief.next((m) => m.status !== undefined && m.status >= 200);
      expect(rs?.status).toBe(401);
      expect(rs?.headers['www-authenticate']).toMatch(/stale=true/);
    }
    // The same Authorization again from the unit's own socket (a replay on its flow) proves nothing either.
    u.peer.send(replay(u.peer));
    expect((await u.peer.next((m) => m.status !== undefined && m.status >= 200))?.status).toBe(401);
    // The unit is still registered where it was: its own MESSAGE is taken, the <mrs> comes to it.
    const { mrs } = await u.message(u.mrq({ ref: 'RP1', mty: 'PI' }), { ref: 'RP1' });
    expect(snu(mrs)).toBe(0);
  });
});

describe('4–8. lenient with what real units send', () => {
  let u: RawUnit;
  beforeAll(async () => {
    u = await rawUnit('fld-lenient', { siteId: 'home-field-nohold', residentId: null });
  });

  it('4. honours a declared ISO-8859-1 body ("Kjøkken")', async () => {
    const body = Buffer.from(
      `<?xml version="1.0" encoding="ISO-8859-1"?><mrq><ref>L4</ref><cid>${u.row.cid}</cid><dty>0003</dty><lte>Kjøkken</lte></mrq>`,
      'latin1',
    );
    expect(body.includes(Buffer.from('ø', 'utf8'))).toBe(false); // really Latin-1 on the wire
    const { mrs } = await u.message(body, { ref: 'L4' });
    expect(snu(mrs)).toBe(0);
    const alarm = await openAlarm('fld-lenient');
    expect(alarm.type).toBe('alarm.button');
    expect((await eventsOf('fld-lenient')).at(-1)?.payload.location).toBe('Kjøkken');
  });

  it('5. ignores vendor elements with children and keeps them for the record', async () => {
    const { mrs } = await u.message(u.mrq({ ref: 'L5', mty: 'PI', ext: '<bat>87</bat><sig>-71</sig>' }), { ref: 'L5' });
    expect(snu(mrs)).toBe(0);
    const ev = (await eventsOf('fld-lenient')).find((e) => e.event_id.startsWith('scaip.L5-'));
    expect(ev?.payload.extensions).toEqual({ 'ext/bat': '87', 'ext/sig': '-71' });
  });

  it.each([['text/xml'], ['application/xml'], [null]])('6. takes an <mrq> labelled %s', async (contentType) => {
    const ref = `L6${String(contentType).replace(/\W/g, '')}`;
    const { rs, mrs } = await u.message(u.mrq({ ref, mty: 'PI' }), { ref, contentType });
    expect(rs?.status).toBe(200);
    expect([mrsRef(mrs), snu(mrs)]).toEqual([ref, 0]);
  });

  it('6. still refuses what is no <mrq> (415)', async () => {
    const { rs } = await u.message('hello', { contentType: 'text/plain' });
    expect(rs?.status).toBe(415);
  });

  it('7. drops a CRLF before <?xml and a trailing NUL', async () => {
    const body = Buffer.concat([Buffer.from(`\r\n${u.mrq({ ref: 'L7', mty: 'PI' })}`), Buffer.from([0])]);
    expect(snu((await u.message(body, { ref: 'L7' })).mrs)).toBe(0);
  });

  it('8. takes a 24-character ref and echoes it; refuses a 70-character one with the ref it sent', async () => {
    const ref24 = 'ABCDEFGHIJKLMNOPQRSTUVWX';
    const ok = await u.message(u.mrq({ ref: ref24, mty: 'PI' }), { ref: ref24 });
    expect([mrsRef(ok.mrs), snu(ok.mrs)]).toEqual([ref24, 0]);
    const ref70 = 'Z'.repeat(70);
    const bad = await u.message(u.mrq({ ref: ref70, mty: 'PI' }), { ref: ref70 });
    expect([mrsRef(bad.mrs), snu(bad.mrs)]).toEqual([ref70, 2]);
  });
});

describe('9. NAT rebinding and TCP reconnects', () => {
  it('a unit whose NAT port changed proves itself and hears its <mrs> on the new port; the alarm is handled once', async () => {
    const { u } = await simUnit('fld-nat');
    const ref = u.nextRef();
    expect((await u.mrq({ ref, dty: '0003' })).mrs?.snu).toBe(4);
    const alarm = await openAlarm('fld-nat');
    const before = u.port;
    await u.rebind();
    expect(u.port).not.toBe(before);
    await command(alarm.id, 'claim');
    const poll = await u.mrq({ ref, dty: '0003' });
    expect(poll).toMatchObject({ status: 200, mrs: { ref, snu: 0 } });
    // Its next heartbeat from the new port needs no new proof: the registration followed it.
    expect((await u.heartbeat()).mrs?.snu).toBe(0);
    expect(await alarmsOf('fld-nat')).toHaveLength(1);
    expect(svc.trygg.scaip?.counters.get('mrs.failed') ?? 0).toBe(0);
  });

  it('a unit whose TCP connection was replaced without a new REGISTER gets its <mrs> on the new connection', async () => {
    const { u } = await simUnit('fld-tcp', { transport: 'TCP' });
    const ref = u.nextRef();
    expect((await u.mrq({ ref, dty: '0003' })).mrs?.snu).toBe(4);
    const alarm = await openAlarm('fld-tcp');
    await u.reconnect();
    await command(alarm.id, 'claim');
    expect(await u.mrq({ ref, dty: '0003' })).toMatchObject({ status: 200, mrs: { ref, snu: 0 } });
    expect(await alarmsOf('fld-tcp')).toHaveLength(1);
  });
});

describe('10. a cancel that overtakes its alarm', () => {
  it('is kept and cancels the alarm when it arrives; the timeline says the cancel came first', async () => {
    const u = await rawUnit('fld-early');
    expect(snu((await u.message(u.mrq({ ref: 'C11', stc: '0019' }), { ref: 'C11' })).mrs)).toBe(0);
    const late = await u.message(u.mrq({ ref: 'C10', stc: '0010' }), { ref: 'C10' });
    expect(late.rs?.status).toBe(200);
    expect(snu(late.mrs)).toBe(0); // the alarm is closed at once: nothing to hold for
    const alarm = await openAlarm('fld-early');
    expect(alarm.state).toBe('cancelled');
    expect(await queueFor('fld-early')).toEqual([]);
    const cancelled = (await timelineOf(alarm.id)).find((e) => e.kind === 'cancelled');
    expect(cancelled?.data).toMatchObject({ early: true });
    // Used once: the next press is an alarm like any other.
    expect(snu((await u.message(u.mrq({ ref: 'C12' }), { ref: 'C12' })).mrs)).toBe(4);
    await expect.poll(async () => (await queueFor('fld-early')).length).toBe(1);
  });
});

describe('11–13. SIP as older and sloppier stacks speak it', () => {
  let u: RawUnit;
  beforeAll(async () => {
    u = await rawUnit('fld-sip', { siteId: 'home-field-nohold', residentId: null });
  });

  it('11. answers CSeq 1 and CSeq 2 of one Call-ID without a branch (RFC 2543) as two transactions', async () => {
    const callId = `${randomBytes(4).toString('hex')}@old-stack`;
    const one = await u.message(u.mrq({ ref: 'B1', mty: 'PI' }), { ref: 'B1', branch: null, callId, cseq: 1 });
    const two = await u.message(u.mrq({ ref: 'B2', mty: 'PI' }), { ref: 'B2', branch: null, callId, cseq: 2 });
    expect([one.rs?.status, snu(one.mrs), two.rs?.status, snu(two.mrs)]).toEqual([200, 0, 200, 0]);
  });

  it('12. takes bare LF line endings over UDP, and answers an unreadable request 400 instead of dropping it', async () => {
    const { rs, mrs } = await u.message(u.mrq({ ref: 'B3', mty: 'PI' }), { ref: 'B3', lf: true });
    expect([rs?.status, snu(mrs)]).toEqual([200, 0]);
    u.peer.send(`MESSAGE sip:receiver@127.0.0.1 SIP/2.0\r\nVia: ${u.via()}\r\nFrom: ${u.aor};tag=x\r\nContent-Length: 0\r\n\r\n`);
    expect((await u.peer.next((m) => m.status !== undefined))?.status).toBe(400);
    expect(svc.logs.some((l) => l.code === 'TRYGG_ERR_SIP_MALFORMED')).toBe(true);
  });

  it('13. puts a To tag on every final response: 401, 200 to REGISTER, 200 to MESSAGE', async () => {
    const peer = await new RawSipPeer({ transport: 'UDP', port: udpPort() }).start();
    peers.push(peer);
    const fresh = new RawUnit(peer, u.row);
    const callId = `${randomBytes(4).toString('hex')}@tags`;
    peer.send(
      request({
        method: 'REGISTER',
        uri: 'sip:127.0.0.1',
        via: fresh.via(),
        from: `${fresh.aor};tag=a`,
        to: fresh.aor,
        callId,
        cseq: 1,
        headers: ['Contact: <sip:x@127.0.0.1:1>', 'Expires: 600'],
      }),
    );
    expect((await peer.response(callId, 1))?.headers.to).toMatch(/;tag=\w+/);
    expect((await fresh.register())?.headers.to).toMatch(/;tag=\w+/);
    expect((await fresh.message(fresh.mrq({ ref: 'B4', mty: 'PI' }))).rs?.headers.to).toMatch(/;tag=\w+/);
  });
});

describe('14. the cid of a unit created without one', () => {
  it('is recorded at first contact, and another cid is refused with a reason the unit can match', async () => {
    const u = await rawUnit('fld-cid', { siteId: 'home-field-nohold', residentId: null });
    await db.query('UPDATE devices SET scaip_cid = NULL WHERE id = $1', ['fld-cid']);
    // The registry changed under the running receiver, as after a REST registration: register again.
    expect((await u.register())?.status).toBe(200);
    expect(snu((await u.message(u.mrq({ ref: 'D1', mty: 'PI' }), { ref: 'D1' })).mrs)).toBe(0);
    expect((await db.query('SELECT scaip_cid FROM devices WHERE id = $1', ['fld-cid'])).rows[0]).toEqual({
      scaip_cid: u.row.cid,
    });
    const other = await u.message(mrqXml({ ref: 'D2', cid: '4242', dty: '0003' }), { ref: 'D2' });
    expect([mrsRef(other.mrs), snu(other.mrs)]).toEqual(['D2', 3]);
    expect(other.mrs?.body).toContain('is not this unit');
    expect(await alarmsOf('fld-cid')).toEqual([]);
  });
});

describe('15. a control character or lone surrogate in a text field', () => {
  it('is cleaned and the fall alarm stored (no 503, no resend loop)', async () => {
    const u = await rawUnit('fld-text');
    const body = Buffer.concat([
      Buffer.from(`<mrq><ref>T1</ref><cid>${u.row.cid}</cid><dty>0005</dty><stc>0009</stc><stt>fall`),
      Buffer.from([0x00, 0x07]),
      Buffer.from(' detected</stt><lte>&#xD800;bad</lte></mrq>'),
    ]);
    const { rs, mrs } = await u.message(body, { ref: 'T1' });
    expect([rs?.status, snu(mrs)]).toEqual([200, 4]);
    const alarm = await openAlarm('fld-text');
    expect(alarm.type).toBe('alarm.fall');
    const ev = (await eventsOf('fld-text'))[0];
    expect(ev?.payload).toMatchObject({ text: 'fall  detected', location: '\uFFFDbad' });
  });
});

describe('16. registrations expire', () => {
  it('the simulated unit registers again before its registration runs out', async () => {
    const { u } = await simUnit('fld-expiry');
    expect(await u.register(600)).toBe(200);
    const inS = u.reregistersInS ?? 0;
    expect(inS).toBeGreaterThan(400);
    expect(inS).toBeLessThan(600);
  });

  it('a unit whose registration has run out is challenged, proves itself, and its alarm goes through', async () => {
    const { u } = await simUnit('fld-expired');
    expect(await u.register(0, { keep: false })).toBe(200); // gone, as after its expiry
    const ref = u.nextRef();
    const r = await u.mrq({ ref, dty: '0003' });
    expect(r).toMatchObject({ status: 200, mrs: { ref, snu: 4 } });
    await openAlarm('fld-expired');
  });
});

describe('SIP over TCP from strangers', () => {
  it('closes connections that send nothing or leave a header unfinished, and caps connections per address', async () => {
    const open = (localAddress = '127.0.0.1') =>
      new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect({ host: '127.0.0.1', port: tcpPort(), localAddress }, () => resolve(s));
        s.on('error', reject);
      });
    const closed = (s: net.Socket) =>
      new Promise<void>((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));
    const idle = await Promise.all(Array.from({ length: STREAM_LIMITS.perAddress }, () => open('127.0.0.3')));
    const over = await open('127.0.0.3');
    await closed(over); // refused at once: the address holds its limit
    const partial = await open('127.0.0.4');
    partial.write('MESSAGE sip:receiver@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.4:1;branch=z9hG4bKx\r\n');
    await Promise.all([...idle, partial].map(closed)); // silent and slow ones closed by their deadlines
    // A unit behind another address registers and alarms meanwhile.
    const u = await rawUnit('fld-tcp-ok', { transport: 'TCP', localAddress: '127.0.0.5' });
    expect(snu((await u.message(u.mrq({ ref: 'K1', mty: 'PI' }), { ref: 'K1' })).mrs)).toBe(0);
  });
});

describe('17. a receiver under load never goes silent', () => {
  it('answers every request of a burst: taken, or 503 with Retry-After; alarms are taken', async () => {
    const u = await rawUnit('fld-load', { siteId: 'home-field-nohold', residentId: null });
    const calls = Array.from({ length: 150 }, (_, i) => ({ callId: `${randomBytes(5).toString('hex')}@burst`, ref: `P${i}` }));
    for (const c of calls) {
      u.peer.send(
        request({
          method: 'MESSAGE',
          uri: 'sip:receiver@127.0.0.1',
          via: u.via(),
          from: `${u.aor};tag=${u.tag}`,
          to: '<sip:receiver@127.0.0.1>',
          callId: c.callId,
          cseq: 1,
          headers: ['Content-Type: application/scaip+xml'],
          body: c.ref === 'P75' ? u.mrq({ ref: c.ref, stc: '0010' }) : u.mrq({ ref: c.ref, mty: 'PI' }),
        }),
      );
    }
    const answers = await Promise.all(calls.map((c) => u.peer.response(c.callId, 1, 15_000)));
    expect(answers.every((a) => a !== null)).toBe(true);
    const statuses = new Set(answers.map((a) => a?.status));
    expect([...statuses].every((s) => s === 200 || s === 503)).toBe(true);
    for (const a of answers.filter((x) => x?.status === 503)) expect(a?.headers['retry-after']).toBeDefined();
    expect(answers[75]?.status).toBe(200); // the alarm was not shed
    await openAlarm('fld-load');
  });
});
