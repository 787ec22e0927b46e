/**
 * The SMS channel on a real PostgreSQL with the real engine and directory: an alarm becomes an
 * SMS to each relative in their language, receipts are reported, and replies accept or decline
 * through the engine's command path with first-claim-wins (a relative without an account too),
 * are confirmed by SMS, and bad or repeated replies never act. The SMS gateway is the faithful
 * in-process double (test/support/sms-transport.ts); the SMPP wire has its own tests.
 */
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AlarmEngine, Inbox, createPool, getAlarm, type DeliveryReports, type Notification, type Pool } from '@trygg/alarm-core';
import { SqlDirectory } from '@trygg/devices';
import { createTestDatabase, type TestDatabase } from '../../../test/support/db.js';
import { TestSmsTransport } from '../../../test/support/sms-transport.js';
import { shortCode } from './reply.js';
import { SmsChannel } from './sms-channel.js';

const quiet = pino({ level: 'silent' });
const LIV = '+4791234567'; // no account: the installation's language (nb)
const OLA = '+46701234567'; // an account in Swedish
const EMMA = '+4741234567'; // an account in English
const STRANGER = '+4799999999';

type Fact = Parameters<DeliveryReports['report']>[0];

let db: TestDatabase;
let pool: Pool;
let engine: AlarmEngine;
let inbox: Inbox;
let channel: SmsChannel;
const sms = new TestSmsTransport();
const facts: Fact[] = [];
const failures: { id: string; err: string }[] = [];
let device = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, 6, 'sms-test');
  await pool.query(
    `INSERT INTO sites (id, kind, name, address) VALUES ('h-per', 'home', 'Per Hansen', 'Storgata 12, 0155 Oslo')`,
  );
  await pool.query(`INSERT INTO residents (id, name, site_id) VALUES ('r-per', 'Per Hansen', 'h-per')`);
  await pool.query(
    `INSERT INTO users (id, username, display_name, password_hash, roles, locale) VALUES
       ('u-ola', 'ola', 'Ola Nordmann', '!', '{relative}', 'sv'),
       ('u-emma', 'emma', 'Emma Hansen', '!', '{relative}', 'en')`,
  );
  await pool.query(
    `INSERT INTO relatives (id, resident_id, user_id, name, phone, chain_order, consent_at, consent_by) VALUES
       ('rel-liv', 'r-per', NULL, 'Liv Hansen', '912 34 567', 1, now(), 'test'),
       ('rel-ola', 'r-per', 'u-ola', 'Ola Nordmann', '+46 70 123 45 67', 2, now(), 'test'),
       ('rel-emma', 'r-per', 'u-emma', 'Emma Hansen', '0047 412 34 567', 3, now(), 'test'),
       ('rel-kari', 'r-per', NULL, 'Kari Hansen', NULL, 4, now(), 'test')`,
  );
  await pool.query(
    `INSERT INTO devices (id, kind, serial, protocol, secret_hash, status, resident_id, heartbeat_interval_s)
     SELECT 'd-' || g, 'alarm-button', 'D-' || g, 'mqtt', 'x', 'active', 'r-per', 3600 FROM generate_series(1, 12) g`,
  );
  channel = new SmsChannel({
    db: pool,
    transport: sms,
    commands: () => engine,
    reports: () => ({
      report: async (f) => {
        facts.push(f);
        await engine.deliveries.report(f);
      },
    }),
    logger: quiet,
    defaultLocale: 'nb',
    region: 'NO',
    linkFor: async (r, n) => (n.kind === 'alert' && r.id === 'rel-emma' ? 'https://trygg.test/s/Xy7Q2mN4pK' : null),
  });
  channel.start();
  engine = new AlarmEngine({
    pool,
    directory: new SqlDirectory(pool, { channelKinds: () => ['sms', 'console'] }),
    live: { publish: () => undefined },
    // SMS is the only channel here (the response centre's console is built in).
    channels: {
      sms: {
        kind: 'sms',
        send: async (n: Notification) => {
          try {
            return await channel.send(n);
          } catch (err) {
            failures.push({ id: n.id, err: (err as Error).message });
            throw err;
          }
        },
      },
    },
    feedback: { send: () => undefined },
    logger: quiet,
    sweepIntervalMs: 200,
  });
  await engine.start();
  inbox = new Inbox(pool, engine, quiet);
});

afterAll(async () => {
  await channel?.stop();
  await engine?.stop();
  await pool?.end();
  await db?.drop();
});

/** A new alarm from a fresh device; resolves once every relative with a number has had the alert. */
async function raise(): Promise<{ alarmId: string; code: string }> {
  device += 1;
  const deviceId = `d-${device}`;
  await inbox.accept(deviceId, { id: `e-${device}`, type: 'alarm.fall', ts: new Date().toISOString() });
  const { rows } = await pool.query<{ id: string }>('SELECT id FROM alarms WHERE device_id = $1', [deviceId]);
  const alarmId = rows[0]?.id ?? '';
  const code = shortCode(alarmId);
  await expect.poll(() => [LIV, OLA, EMMA].map((p) => sms.to(p).filter((m) => m.text.includes(code)).length)).toEqual([1, 1, 1]);
  // Kept by the channel (what a reply is matched against) once the gateway took them.
  const kept = async () =>
    (
      await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM sms_messages WHERE alarm_id = $1 AND kind = 'alert'`, [
        alarmId,
      ])
    ).rows[0]?.n;
  await expect.poll(kept).toBe(3);
  return { alarmId, code };
}
/** Each test's alarm is closed after it, and every SMS about it sent, so the next starts quiet. */
afterEach(async () => {
  await inbox.accept(`d-${device}`, { id: `c-${device}`, type: 'cancel', ts: new Date().toISOString() });
  await expect
    .poll(
      async () =>
        (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM notifications WHERE state = 'pending'`)).rows[0]?.n,
    )
    .toBe(0);
});

const last = (phone: string) => sms.to(phone).at(-1)?.text;
const timeline = async (alarmId: string) =>
  (await pool.query<{ kind: string }>('SELECT kind FROM alarm_timeline WHERE alarm_id = $1 ORDER BY seq', [alarmId])).rows.map(
    (r) => r.kind,
  );

describe('the SMS channel', () => {
  it('sends each relative the alert in their language to their number in E.164, with the link when there is one', async () => {
    const { alarmId, code } = await raise();
    expect(last(LIV)).toBe(
      `Trygg: Fall hos Per Hansen, Storgata 12, 0155 Oslo. Kan du dra dit? Svar 1 (JA) eller 2 (NEI). Kode ${code}.`,
    );
    expect(last(OLA)).toBe(
      `Trygg: Fall hos Per Hansen, Storgata 12, 0155 Oslo. Kan du åka dit? Svara 1 (JA) eller 2 (NEJ). Kod ${code}.`,
    );
    expect(last(EMMA)).toMatch(
      /^Trygg: Fall for Per Hansen, .*Reply 1 \(YES\) or 2 \(NO\)\. Code [A-Z2-9]{3}\. https:\/\/trygg\.test\/s\/Xy7Q2mN4pK$/,
    );
    for (const p of [LIV, OLA, EMMA]) expect(sms.to(p).at(-1)?.length).toMatchObject({ encoding: 'gsm7', parts: 1 });
    // Kari has no number (and SMS and the console are all this directory knows): she cannot be
    // reached, so she is recorded unreachable at once and never alerted; nothing is tried.
    const unreachable = async () =>
      (
        await pool.query<{ recipientId: string; reason: string }>(
          `SELECT data->>'recipientId' AS "recipientId", data->>'reason' AS reason
             FROM alarm_timeline WHERE alarm_id = $1 AND kind = 'unreachable'`,
          [alarmId],
        )
      ).rows;
    await expect.poll(unreachable).toEqual([{ recipientId: 'rel-kari', reason: 'no-channel' }]);
    const kari = await pool.query(`SELECT 1 FROM notifications WHERE alarm_id = $1 AND recipient->>'id' = 'rel-kari'`, [alarmId]);
    expect(kari.rows).toEqual([]);
    expect(failures.filter((f) => f.id.startsWith(alarmId))).toEqual([]);
  });

  it('reports the gateway’s receipts against the notification', async () => {
    const { alarmId } = await raise();
    const toLiv = sms.to(LIV).at(-1);
    const toOla = sms.to(OLA).at(-1);
    sms.receipt(toLiv?.messageId ?? '', 'delivered');
    sms.receipt(toOla?.messageId ?? '', 'failed', 'UNDELIV err:001');
    sms.receipt('m-unknown', 'delivered');
    await expect.poll(() => facts.filter((f) => f.notificationId.startsWith(alarmId)).length).toBe(2);
    // Receipts of different messages are handled side by side: in any order.
    const mine = facts.filter((f) => f.notificationId.startsWith(alarmId));
    expect(mine).toHaveLength(2);
    expect(mine).toEqual(
      expect.arrayContaining([
        { notificationId: toLiv?.ref, channel: 'sms', state: 'delivered', reason: null, at: expect.any(Date) as Date },
        { notificationId: toOla?.ref, channel: 'sms', state: 'failed', reason: 'UNDELIV err:001', at: expect.any(Date) as Date },
      ]),
    );
  });

  it('a relative without an account accepts by "1": the alarm is theirs, answered is reported, confirmed, the others told who', async () => {
    const { alarmId } = await raise();
    const alertRef = sms.to(LIV).at(-1)?.ref;
    sms.reply(LIV, ' 1 ');
    await expect.poll(async () => (await getAlarm(pool, alarmId))?.state).toBe('claimed');
    const alarm = await getAlarm(pool, alarmId);
    expect(alarm?.claimedBy).toEqual({ userId: 'relative/rel-liv', name: 'Liv Hansen', role: 'relative' });
    await expect.poll(() => last(LIV)).toBe('Takk, du er registrert som den som drar.');
    expect(facts).toContainEqual({ notificationId: alertRef, channel: 'sms', state: 'answered', reason: 'accept' });
    // First claim wins: the others are told by SMS who has it, in their language.
    await expect.poll(() => last(OLA)).toBe('Trygg: Liv Hansen har tagit larmet (Fall hos Per Hansen).');
    await expect.poll(() => last(EMMA)).toBe('Trygg: Liv Hansen has taken the alarm (Fall for Per Hansen).');
    const { rows } = await pool.query<{ actor_user_id: string; action: string; outcome: string }>(
      `SELECT actor_user_id, action, outcome FROM audit_events WHERE entity_id = $1`,
      [alarmId],
    );
    expect(rows).toEqual([{ actor_user_id: 'relative/rel-liv', action: 'alarm.accept', outcome: 'success' }]);
  });

  it('a reply after someone else took it is told who took it, and changes nothing', async () => {
    const { alarmId, code } = await raise();
    sms.reply(EMMA, `yes ${code}`);
    await expect.poll(async () => (await getAlarm(pool, alarmId))?.claimedBy?.userId).toBe('u-emma');
    await expect.poll(() => last(EMMA)).toBe('Thank you, you are registered as the one going.');
    const before = await timeline(alarmId);
    sms.reply(OLA, `${code} ja`);
    await expect.poll(() => last(OLA)).toBe('Larmet är redan taget av Emma Hansen. Tack för svaret.');
    expect(await timeline(alarmId)).toEqual(before);
    expect((await getAlarm(pool, alarmId))?.claimedBy?.userId).toBe('u-emma');
  });

  it('a decline by SMS is recorded as the person and confirmed; the same message delivered twice acts once', async () => {
    const { alarmId } = await raise();
    const sentBefore = sms.to(OLA).length;
    // The gateway hands the same message on twice, stamped at each arrival.
    sms.reply(OLA, 'NEJ', new Date().toISOString());
    sms.reply(OLA, ' nej', new Date(Date.now() + 1500).toISOString());
    await expect.poll(() => last(OLA)).toBe('Tack, du är registrerad med NEJ. Andra larmas.');
    await expect.poll(async () => (await timeline(alarmId)).filter((k) => k === 'declined').length).toBe(1);
    const alarm = await getAlarm(pool, alarmId);
    expect(alarm?.escalation.alerts.find((a) => a.recipient.id === 'rel-ola')?.state).toBe('declined');
    expect(alarm?.state).toBe('open');
    // One confirmation: the second copy was taken as the same message. Another "no" acts no more.
    expect(sms.to(OLA).length).toBe(sentBefore + 1);
    sms.reply(OLA, '2');
    await expect.poll(() => sms.to(OLA).length).toBe(sentBefore + 2);
    expect((await timeline(alarmId)).filter((k) => k === 'declined')).toHaveLength(1);
  });

  it('an unknown reply gets the help text and no action; an unknown code too', async () => {
    const { alarmId, code } = await raise();
    const before = await timeline(alarmId);
    sms.reply(LIV, 'Hva skjer?');
    await expect.poll(() => last(LIV)).toBe(`Svar 1 for JA (jeg drar) eller 2 for NEI, gjerne med koden: "1 ${code}".`);
    const wrong = code === 'X9Z' ? 'X8Z' : 'X9Z';
    sms.reply(OLA, `1 ${wrong}`);
    await expect
      .poll(() => last(OLA))
      .toBe(`Koden ${wrong} är okänd. Svara 1 för JA (jag åker) eller 2 för NEJ, gärna med koden: "1 ${code}".`);
    expect(await timeline(alarmId)).toEqual(before);
    expect((await getAlarm(pool, alarmId))?.state).toBe('open');
  });

  it('a reply from a number that was not alerted does nothing and sends nothing', async () => {
    const { alarmId } = await raise();
    const count = sms.submitted.length;
    const before = await timeline(alarmId);
    sms.reply(STRANGER, '1');
    const outcome = async () =>
      (await pool.query<{ outcome: string }>(`SELECT outcome FROM sms_replies WHERE phone = $1`, [STRANGER])).rows;
    await expect.poll(outcome).toEqual([{ outcome: 'not-alerted' }]);
    expect(sms.to(STRANGER)).toEqual([]);
    expect(sms.submitted.length).toBe(count);
    expect(await timeline(alarmId)).toEqual(before);
    expect((await getAlarm(pool, alarmId))?.state).toBe('open');
  });

  it('a reply after the alarm closed says so', async () => {
    const { alarmId } = await raise();
    await inbox.accept(`d-${device}`, { id: `cancel-${device}`, type: 'cancel', ts: new Date().toISOString() });
    await expect.poll(async () => (await getAlarm(pool, alarmId))?.state).toBe('cancelled');
    await expect.poll(() => last(LIV)).toBe('Trygg: Alarmen er avsluttet (Fall hos Per Hansen).');
    sms.reply(LIV, 'J');
    await expect.poll(() => last(LIV)).toBe('Alarmen er allerede avsluttet. Takk for svaret.');
    expect((await getAlarm(pool, alarmId))?.state).toBe('cancelled');
  });

  it('stops sending to a relative whose consent was withdrawn, and ignores their reply', async () => {
    const { alarmId } = await raise();
    await pool.query(`UPDATE relatives SET consent_at = NULL WHERE id = 'rel-liv'`);
    try {
      const count = sms.to(LIV).length;
      sms.reply(LIV, '1');
      const outcome = async () =>
        (
          await pool.query<{ outcome: string }>(
            `SELECT outcome FROM sms_replies WHERE phone = $1 ORDER BY received_at DESC LIMIT 1`,
            [LIV],
          )
        ).rows[0]?.outcome;
      await expect.poll(outcome).toBe('no-consent');
      expect((await getAlarm(pool, alarmId))?.state).toBe('open');
      // Nor is the relative told of the alarm's end: the others are.
      await inbox.accept(`d-${device}`, { id: `cancel-${device}`, type: 'cancel', ts: new Date().toISOString() });
      await expect.poll(() => last(EMMA)).toBe('Trygg: The alarm is closed (Fall for Per Hansen).');
      await expect
        .poll(() => failures.filter((f) => f.id.startsWith(alarmId)).map((f) => f.err))
        .toContain('sms: the relative no longer has the resident’s consent');
      expect(sms.to(LIV).length).toBe(count);
    } finally {
      await pool.query(`UPDATE relatives SET consent_at = now() WHERE id = 'rel-liv'`);
    }
  });
});
