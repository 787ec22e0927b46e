/**
 * SCAIP conformance with SIPp as the unit (Debian `sip-tester`): the scenario in
 * test/scaip/unit-conformance.xml registers with digest and plays every flow of SS 91100 (alarm
 * held then handled, abort, cancel, update, heartbeat, each error code, a resend with the same
 * ref) over UDP, TCP and TLS; a second SIPp at the registered contact (mrs-receiver.xml) takes
 * Trygg's `<mrs>` MESSAGEs, and this test reads what it logged.
 */
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScaipUnit } from './support/scaip.js';
import { startTestService, type TestService } from './support/service.js';
import { SCENARIOS, freePort, relay, selfSignedCert, sipp, tempDir } from './support/sipp.js';
import type { Alarm } from './support/types.js';

let svc: TestService;
let db: pg.Pool;
let dir: string;
let cert: Awaited<ReturnType<typeof selfSignedCert>>;
let token: string;

beforeAll(async () => {
  dir = await tempDir();
  cert = await selfSignedCert(dir);
  svc = await startTestService({ config: { sipTlsPort: 0, sipTlsCertFile: cert.certFile, sipTlsKeyFile: cert.keyFile } });
  db = new pg.Pool({ connectionString: svc.db.url, max: 2 });
  token = (await svc.login('operator')).token;
  await db.query(`INSERT INTO sites (id, kind, name) VALUES ('home-sipp-nohold', 'home', 'Hjem uten hold')`);
  await db.query(
    `INSERT INTO scaip_site_settings (site_id, voice_mode, callback_minutes, hold_max_s) VALUES ('home-sipp-nohold', 1, 5, 0)`,
  );
});
afterAll(async () => {
  await db?.end();
  await svc?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * What the units must hear, one entry per MESSAGE (ref:snu): unit-conformance.xml, then
 * unit-alarm.xml from a unit at a site that does not hold. The fall (A1) comes while the first
 * alarm is taken, so it joins it and is handled at once.
 */
const EXPECTED = ['H1:4', 'H1:0', 'A1:0', 'A1:0', 'C1:0', 'A1:0', 'P1:0', 'E7:7', 'E2:2', 'E3:3', 'E10:10', 'H1:0', 'N1:0'];

/** Accepts the device's alarm as soon as it appears (someone takes it while the unit holds). */
async function claimWhenOpen(deviceId: string, until: Promise<unknown>): Promise<boolean> {
  let over = false;
  void until.finally(() => (over = true));
  while (!over) {
    const { rows } = await db.query<{ doc: Alarm }>(`SELECT doc FROM alarms WHERE device_id = $1 AND state = 'open'`, [deviceId]);
    const alarm = rows[0]?.doc;
    if (alarm) {
      const r = await svc.api('POST', `/api/alarms/${alarm.id}/commands`, token, { id: randomUUID(), type: 'claim' });
      return r.status === 200;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe.each(['udp', 'tcp', 'tls'] as const)('SIPp as a SCAIP unit over %s', (transport) => {
  it('registers with digest and gets the right <mrs> for every flow', async () => {
    const deviceId = `sipp-${transport}`;
    const unit = await createScaipUnit(db, deviceId);
    const ports = svc.trygg.ports.sip;
    const [uasPort, uacPort] = [await freePort(), await freePort()];
    const mode = transport === 'udp' ? 'u1' : 't1';
    const relays: { close(): Promise<void> }[] = [];
    let target = transport === 'udp' ? ports.udp : ports.tcp;
    let contactPort = uasPort;
    if (transport === 'tls') {
      // SIPp (TCP) → relay → Trygg's TLS port; Trygg → TLS relay at the contact → SIPp (TCP).
      const inPort = await freePort();
      const outPort = await freePort();
      relays.push(await relay({ listenPort: inPort, to: { port: ports.tls ?? 0, tls: true } }));
      relays.push(await relay({ listenPort: outPort, serverTls: cert, to: { port: uasPort, tls: false } }));
      target = inPort;
      contactPort = outPort;
    }
    const work = path.join(dir, transport);
    await import('node:fs/promises').then((fs) => fs.mkdir(work, { recursive: true }));
    const uas = sipp(
      [
        '-sf',
        path.join(SCENARIOS, 'mrs-receiver.xml'),
        '-i',
        '127.0.0.1',
        '-p',
        String(uasPort),
        '-t',
        mode,
        '-m',
        String(EXPECTED.length),
        '-trace_logs',
        '-log_file',
        path.join(work, 'mrs.log'),
        '-timeout',
        '60s',
      ],
      work,
    );
    await new Promise((r) => setTimeout(r, 300)); // the contact listens before anything is sent
    const unitArgs = (scenario: string, u: { username: string; password: string; cid: string }, errors: string) => [
      `127.0.0.1:${target}`,
      '-sf',
      path.join(SCENARIOS, scenario),
      '-i',
      '127.0.0.1',
      '-p',
      String(uacPort),
      '-t',
      mode,
      '-m',
      '1',
      '-au',
      u.username,
      '-ap',
      u.password,
      '-key',
      'user',
      u.username,
      '-key',
      'cid',
      u.cid,
      '-key',
      'contact_port',
      String(contactPort),
      '-key',
      'contact_transport',
      `;transport=${transport}`,
      '-timeout',
      '60s',
      '-trace_err',
      '-error_file',
      path.join(work, errors),
    ];
    const uac = sipp(unitArgs('unit-conformance.xml', unit, 'uac-errors.log'), work);
    const claimed = claimWhenOpen(deviceId, uac.done);
    const uacResult = await uac.done;
    expect(uacResult.code, uacResult.out.slice(-2000)).toBe(0);
    expect(await claimed).toBe(true);
    const direct = await createScaipUnit(db, `sipp-${transport}-nohold`, { siteId: 'home-sipp-nohold', residentId: null });
    const second = await sipp(unitArgs('unit-alarm.xml', direct, 'uac2-errors.log'), work).done;
    expect(second.code, second.out.slice(-2000)).toBe(0);
    const timer = setTimeout(() => uas.kill(), 15_000);
    const uasResult = await uas.done;
    clearTimeout(timer);
    for (const r of relays) await r.close();
    const log = await readFile(path.join(work, 'mrs.log'), 'utf8');
    const heard = [...log.matchAll(/MRS (<mrs>.*?<\/mrs>)/g)].map((m) => m[1] ?? '');
    const pairs = heard.map((mrs) => `${/<ref>([^<]*)<\/ref>/.exec(mrs)?.[1]}:${/<snu>(\d+)<\/snu>/.exec(mrs)?.[1]}`);
    expect(pairs.sort(), log + uasResult.out.slice(-3000)).toEqual([...EXPECTED].sort());
    expect(uasResult.code, uasResult.out.slice(-2000)).toBe(0);
    // The handled answers carry the voice mode; the hold carries none.
    for (const mrs of heard.filter((m) => m.includes('<ref>H1</ref><snu>0</snu>'))) expect(mrs).toContain('<mre>1</mre>');
    expect(heard.find((m) => m.includes('<ref>N1</ref>'))).toMatch(/<snu>0<\/snu>.*<mre>1<\/mre><cre>05<\/cre>/);
    // The poll was the same event as the first H1; H1 used again after its snu=0 is a new press.
    // One alarm took every alarm event of the unit.
    const events = await db.query<{ event_id: string }>('SELECT event_id FROM device_events WHERE device_id = $1', [deviceId]);
    expect(events.rows.filter((e) => e.event_id.startsWith('scaip.H1-'))).toHaveLength(2);
    const alarms = await db.query<{ state: string; type: string }>('SELECT state, type FROM alarms WHERE device_id = $1', [
      deviceId,
    ]);
    expect(alarms.rows).toEqual([{ state: 'claimed', type: 'alarm.button' }]);
  });
});

describe('SIPp as an older SIP stack', () => {
  it('gets each MESSAGE of one Call-ID without a branch answered on its own, with To tags and its refs', async () => {
    const unit = await createScaipUnit(db, 'sipp-legacy', { replyInOk: true });
    const work = path.join(dir, 'legacy');
    await import('node:fs/promises').then((fs) => fs.mkdir(work, { recursive: true }));
    const run = await sipp(
      [
        `127.0.0.1:${svc.trygg.ports.sip.udp}`,
        '-sf',
        path.join(SCENARIOS, 'unit-legacy.xml'),
        '-i',
        '127.0.0.1',
        '-p',
        String(await freePort()),
        '-t',
        'u1',
        '-m',
        '1',
        '-au',
        unit.username,
        '-ap',
        unit.password,
        '-key',
        'user',
        unit.username,
        '-key',
        'cid',
        unit.cid,
        '-timeout',
        '30s',
        '-trace_err',
        '-error_file',
        path.join(work, 'errors.log'),
      ],
      work,
    ).done;
    const errors = await readFile(path.join(work, 'errors.log'), 'utf8').catch(() => '');
    expect(run.code, run.out.slice(-2000) + errors.slice(-2000)).toBe(0);
    const events = await db.query<{ event_id: string }>('SELECT event_id FROM device_events WHERE device_id = $1', [
      'sipp-legacy',
    ]);
    expect(events.rows).toHaveLength(3);
  });
});
