/**
 * The SCAIP receiver with real SIP units (the simulators' unit, over UDP and TCP) against the
 * whole service: digest registration, alarms with hold and handled, resends, cancel, abort,
 * update, heartbeat, every error code, hostile bodies, and the listener serving on afterwards.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScaipUnit } from '@trygg/simulators';
import { mrqXml } from '@trygg/simulators';
import { createScaipUnit, startUnit, type UnitRow } from './support/scaip.js';
import { startTestService, type TestService } from './support/service.js';
import type { Alarm } from './support/types.js';

let svc: TestService;
let db: pg.Pool;
let operatorToken: string;
const units: ScaipUnit[] = [];
beforeAll(async () => {
  svc = await startTestService();
  db = new pg.Pool({ connectionString: svc.db.url, max: 2 });
  operatorToken = (await svc.login('operator')).token;
});
afterAll(async () => {
  for (const u of units) await u.stop();
  await db?.end();
  await svc?.stop();
});

async function unit(id: string, opts: Parameters<typeof createScaipUnit>[2] & { transport?: 'UDP' | 'TCP' } = {}) {
  const row = await createScaipUnit(db, id, opts);
  const u = await startUnit(svc, row, { transport: opts.transport ?? 'UDP' });
  units.push(u);
  return { row, u };
}

const alarmsOf = async (deviceId: string) =>
  (await db.query<{ doc: Alarm }>('SELECT doc FROM alarms WHERE device_id = $1 ORDER BY opened_at', [deviceId])).rows.map(
    (r) => r.doc,
  );
const eventsOf = async (deviceId: string) =>
  (
    await db.query<{ event_id: string; type: string }>('SELECT event_id, type FROM device_events WHERE device_id = $1', [
      deviceId,
    ])
  ).rows;

async function openAlarm(deviceId: string): Promise<Alarm> {
  await expect.poll(async () => (await alarmsOf(deviceId)).length, { timeout: 10_000 }).toBeGreaterThan(0);
  const a = (await alarmsOf(deviceId)).at(-1);
  if (!a) throw new Error('no alarm');
  return a;
}

describe('SCAIP registration', () => {
  it('challenges, accepts the right digest and refuses a wrong one or an unknown unit', async () => {
    const row = await createScaipUnit(db, 'scaip-reg');
    const good = await startUnit(svc, row, { register: false });
    const bad = await startUnit(svc, row, { register: false, password: 'wrong' });
    const stranger = await startUnit(svc, { ...row, username: 'nobody' }, { register: false });
    units.push(good, bad, stranger);
    expect(await good.register()).toBe(200);
    expect(await bad.register()).toBe(403);
    expect(await stranger.register()).toBe(403);
    expect(await good.register(10)).toBe(423); // below Min-Expires
    expect(svc.logs.some((l) => l.code === 'TRYGG_ERR_SIP_UNAUTHENTICATED')).toBe(true);
  });

  it('refuses a MESSAGE from a unit that neither registered nor proves itself', async () => {
    const row = await createScaipUnit(db, 'scaip-unreg');
    const u = await startUnit(svc, row, { register: false });
    units.push(u);
    const { status } = await u.mrq({ ref: 'A1', dty: '0003' }, { authenticate: false });
    expect(status).toBe(401);
    expect(await eventsOf('scaip-unreg')).toEqual([]);
  });
});

describe('SCAIP alarms', () => {
  it('holds an alarm nobody has accepted, then answers handled with the site voice settings', async () => {
    const { u } = await unit('scaip-hold');
    const ref = u.nextRef();
    const first = await u.mrq({ ref, dty: '0003', lte: 'kjøkken', crd: 'gsm:+4791111111', did: '01', dco: '002' });
    expect(first.status).toBe(200);
    expect(first.mrs).toMatchObject({ ref, snu: 4 });
    const alarm = await openAlarm('scaip-hold');
    expect(alarm).toMatchObject({ type: 'alarm.button', state: 'open' });
    expect(alarm.subject.residentName).toBe('Ingrid Berg');
    // Still nobody: the poll is held again and is the same event.
    expect((await u.mrq({ ref, dty: '0003' })).mrs?.snu).toBe(4);
    const claim = await svc.api('POST', `/api/alarms/${alarm.id}/commands`, operatorToken, { id: randomUUID(), type: 'claim' });
    expect(claim.status).toBe(200);
    const handled = await u.mrq({ ref, dty: '0003' });
    expect(handled.mrs).toMatchObject({ ref, snu: 0, fields: { mre: '1' } });
    expect(await eventsOf('scaip-hold')).toHaveLength(1);
    const events = await db.query<{ payload: Record<string, unknown> }>(
      'SELECT payload FROM device_events WHERE device_id = $1',
      ['scaip-hold'],
    );
    expect(events.rows[0]?.payload).toMatchObject({
      type: 'alarm.button',
      location: 'kjøkken',
      subDevice: '01',
      component: '002',
      callbacks: ['gsm:+4791111111'],
    });
  });

  it('answers snu=0 at once where the site does not hold, with mre, cre and hbi from its settings', async () => {
    await db.query(`INSERT INTO sites (id, kind, name) VALUES ('home-noholds', 'home', 'No-hold home')`);
    await db.query(
      `INSERT INTO scaip_site_settings (site_id, voice_mode, callback_minutes, heartbeat_minutes, hold_max_s)
       VALUES ('home-noholds', 2, 10, 15, 0)`,
    );
    const { u } = await unit('scaip-nohold', { siteId: 'home-noholds', residentId: null });
    const ref = u.nextRef();
    const r = await u.mrq({ ref, dty: '0005', stc: '0009' });
    expect(r.mrs).toMatchObject({ ref, snu: 0, fields: { mre: '2', cre: '10' } });
    expect((await openAlarm('scaip-nohold')).type).toBe('alarm.fall');
    const hb = await u.heartbeat();
    expect(hb.mrs).toMatchObject({ snu: 0, fields: { hbi: '15' } });
    const { rows } = await db.query<{ heartbeat_interval_s: number; last_seen_at: Date | null }>(
      'SELECT heartbeat_interval_s, last_seen_at FROM devices WHERE id = $1',
      ['scaip-nohold'],
    );
    expect(rows[0]?.heartbeat_interval_s).toBe(900);
    expect(rows[0]?.last_seen_at).not.toBeNull();
  });

  it('stores a resend with the same ref once; a new ref is a new session', async () => {
    const { u } = await unit('scaip-resend');
    const ref = u.nextRef();
    for (let i = 0; i < 3; i++) expect((await u.mrq({ ref, dty: ' 3 ', stc: '10' })).mrs?.ref).toBe(ref);
    await expect.poll(async () => (await alarmsOf('scaip-resend')).length).toBe(1);
    expect(await eventsOf('scaip-resend')).toHaveLength(1);
    await u.mrq({ ref: u.nextRef(), dty: '0003' });
    await expect.poll(async () => (await eventsOf('scaip-resend')).length).toBe(2);
    await expect.poll(async () => (await alarmsOf('scaip-resend'))[0]?.eventCount).toBe(2); // joined the open alarm
  });

  it('cancels with stc=0019 an alarm nobody has taken', async () => {
    const { u } = await unit('scaip-cancel');
    await u.mrq({ ref: u.nextRef(), dty: '0003' });
    await openAlarm('scaip-cancel');
    const c = await u.cancel(u.nextRef());
    expect(c.mrs?.snu).toBe(0);
    await expect.poll(async () => (await alarmsOf('scaip-cancel'))[0]?.state).toBe('cancelled');
  });

  it('takes an abort (mty=RE) of a known session without closing the alarm, and snu=10 for an unknown one', async () => {
    const { u } = await unit('scaip-abort');
    const ref = u.nextRef();
    await u.mrq({ ref, dty: '0003' });
    await openAlarm('scaip-abort');
    expect((await u.mrq({ ref, dty: '0003', mty: 'RE' })).mrs?.snu).toBe(0);
    const { rows } = await db.query('SELECT aborted_at FROM scaip_sessions WHERE device_id = $1 AND ref = $2', [
      'scaip-abort',
      ref,
    ]);
    expect(rows[0]?.aborted_at).not.toBeNull();
    expect((await alarmsOf('scaip-abort'))[0]?.state).toBe('open'); // the person may still need help
    expect((await u.mrq({ ref: 'NEVERSEEN', dty: '0003', mty: 'RE' })).mrs).toMatchObject({ ref: 'NEVERSEEN', snu: 10 });
  });

  it('takes an update (mty=IN) to a known session as a new event, and snu=10 for an unknown ref', async () => {
    const { u } = await unit('scaip-update');
    const ref = u.nextRef();
    await u.mrq({ ref, dty: '0003' });
    await openAlarm('scaip-update');
    expect((await u.mrq({ ref, dty: '0003', mty: 'IN', lte: 'bad' })).mrs?.snu).toBe(0);
    expect((await u.mrq({ ref, dty: '0003', mty: 'IN', lte: 'bad' })).mrs?.snu).toBe(0); // resend: same event
    expect(await eventsOf('scaip-update')).toHaveLength(2);
    expect((await u.mrq({ ref: 'NOSUCH1', dty: '0003', mty: 'IN' })).mrs?.snu).toBe(10);
  });

  it('puts <mrs> in the 200 OK body for a unit that expects it', async () => {
    const { u } = await unit('scaip-inok', { replyInOk: true });
    const hb = await u.heartbeat('HB1');
    expect(hb).toMatchObject({ status: 200, mrs: { ref: 'HB1', snu: 0 } });
  });

  it('works over TCP the same way', async () => {
    const { u } = await unit('scaip-tcp', { transport: 'TCP' });
    const ref = u.nextRef();
    expect((await u.mrq({ ref, dty: '0023' })).mrs).toMatchObject({ ref, snu: 4 });
    expect((await openAlarm('scaip-tcp')).type).toBe('alarm.smoke');
  });
});

describe('SCAIP errors and hostile input', () => {
  let u: ScaipUnit;
  let row: UnitRow;
  beforeAll(async () => {
    ({ u, row } = await unit('scaip-hostile'));
  });

  it.each([
    ['a missing cid', mrqXml({ ref: 'E1', dty: '0003' }), 'E1', 7],
    ['a missing dty', mrqXml({ ref: 'E2', cid: '1' }), 'E2', 7],
    ['a missing ref', mrqXml({ cid: '1', dty: '0003' }), '', 7],
    ['a ref with a space', mrqXml({ ref: 'E 3', cid: '1', dty: '0003' }), 'E 3', 2],
    ['a non-numeric dty', mrqXml({ ref: 'E4', cid: '1', dty: 'abc' }), 'E4', 2],
    ['an unknown stc', mrqXml({ ref: 'E5', cid: '1', dty: '0003', stc: '4242' }), 'E5', 3],
    ['an unknown mty', mrqXml({ ref: 'E6', cid: '1', dty: '0003', mty: 'XX' }), 'E6', 3],
    ['not XML', 'ALARM!!! ref=E7', '', 2],
    ['a wrong root', '<mrs><ref>E8</ref><snu>0</snu></mrs>', 'E8', 2],
    ['unclosed XML', '<mrq><ref>E9</ref><cid>1</cid>', 'E9', 2],
    [
      'billion laughs',
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><mrq><ref>E10</ref><cid>1</cid><dty>0003</dty><dte>&lol2;</dte></mrq>',
      'E10',
      2,
    ],
    [
      'an external entity',
      '<?xml version="1.0"?><!DOCTYPE mrq [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><mrq><ref>E11</ref><cid>1</cid><dty>0003</dty><dte>&xxe;</dte></mrq>',
      'E11',
      2,
    ],
    ['an oversized body', mrqXml({ ref: 'E12', cid: '1', dty: '0003', dte: 'x'.repeat(5000) }), 'E12', 2],
  ])('answers %s with its snu', async (_what, body, ref, snu) => {
    const cidFixed = body.replace('<cid>1</cid>', `<cid>${row.cid}</cid>`);
    const { status, mrs } = await u.message(cidFixed, { ref: ref || null });
    expect(status).toBe(200);
    expect(mrs).toMatchObject({ ref, snu });
  });

  it('answers an encoding Trygg cannot read with snu=2', async () => {
    const body = `<?xml version="1.0" encoding="X-UNHEARD-OF"?><mrq><ref>E13</ref><cid>${row.cid}</cid><dty>0003</dty></mrq>`;
    expect((await u.message(body)).mrs).toMatchObject({ ref: 'E13', snu: 2 });
  });

  it("answers another unit's cid with snu=3", async () => {
    expect((await u.mrq({ ref: 'E14', cid: '999', dty: '0003' })).mrs).toMatchObject({ ref: 'E14', snu: 3 });
  });

  it('accepts lenient forms: namespaces, spaces, short codes', async () => {
    const body = `<s:mrq xmlns:s="urn:scaip"><s:ref> L1 </s:ref><s:cid> ${row.cid}</s:cid><s:dty>2</s:dty><s:stc>0102</s:stc><s:pri>5</s:pri></s:mrq>`;
    expect((await u.message(body, { ref: 'L1' })).mrs).toMatchObject({ ref: 'L1', snu: 0 });
    const stored = await db.query<{ type: string; payload: { devicePriority?: number } }>(
      `SELECT type, payload FROM device_events WHERE device_id = 'scaip-hostile' AND event_id LIKE 'scaip.L1-%'`,
    );
    expect(stored.rows[0]).toMatchObject({ type: 'test', payload: { devicePriority: 5 } });
  });

  it('refuses a wrong content type with 415', async () => {
    expect((await u.message(mrqXml({ ref: 'C1', cid: row.cid, dty: '0003' }), { contentType: 'text/plain' })).status).toBe(415);
  });

  it('refuses a 1 MB body over TCP with 413 and keeps the connection and the listener serving', async () => {
    const { u: t } = await unit('scaip-big', { transport: 'TCP' });
    const big = mrqXml({ ref: 'BIG1', cid: '1', dty: '0003', dte: 'x'.repeat(1024 * 1024) });
    expect((await t.message(big)).status).toBe(413);
    expect(svc.logs.some((l) => l.code === 'TRYGG_ERR_PAYLOAD_TOO_LARGE')).toBe(true);
    // The same connection and another unit still work.
    expect((await t.heartbeat('AFTERBIG')).mrs).toMatchObject({ ref: 'AFTERBIG', snu: 0 });
    const ref = u.nextRef();
    expect((await u.mrq({ ref, dty: '0003' })).mrs).toMatchObject({ ref, snu: 4 });
  });

  it('refuses a body over the SIP limit over UDP with 413', async () => {
    const big = mrqXml({ ref: 'BIG2', cid: row.cid, dty: '0003', dte: 'x'.repeat(20 * 1024) });
    expect((await u.message(big)).status).toBe(413);
  });

  it('logged every refusal with its catalogue code', () => {
    const codes = new Set(svc.logs.map((l) => l.code));
    for (const c of ['TRYGG_ERR_SCAIP_FORMAT', 'TRYGG_ERR_SCAIP_MANDATORY', 'TRYGG_ERR_SCAIP_DATA', 'TRYGG_ERR_SCAIP_REFERENCE'])
      expect(codes, c).toContain(c);
  });
});

describe('SCAIP supervision', () => {
  it('raises the offline alarm when heartbeats stop, and clears it on the next heartbeat', async () => {
    const { u } = await unit('scaip-silent');
    await u.heartbeat();
    await db.query(
      `UPDATE devices SET heartbeat_interval_s = 10, last_seen_at = now() - interval '1 hour' WHERE id = 'scaip-silent'`,
    );
    // Ingress has been up long past the grace after it came back (docs/supervision.md): the
    // silence is the device's own, not the service's.
    await db.query(`UPDATE service_ingress SET up_since = now() - interval '1 hour' WHERE protocol = 'scaip' AND up`);
    await svc.trygg.engine.supervise();
    await expect
      .poll(async () => (await alarmsOf('scaip-silent')).map((a) => [a.type, a.state]))
      .toEqual([['technical.offline', 'open']]);
    await u.heartbeat();
    await svc.trygg.engine.supervise();
    await expect.poll(async () => (await alarmsOf('scaip-silent'))[0]?.state).toBe('resolved');
  });
});
