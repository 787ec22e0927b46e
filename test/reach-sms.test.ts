/**
 * SMS end to end, with nothing stood in for but the phones: a real MQTT device raises the alarm,
 * the engine alerts a relative who has no app, the SMS channel submits it over SMPP to the local
 * SMSC (the demo's, which checks every PDU), the SMSC's delivery receipt becomes a fact on the
 * operator's card, the relative answers "1" from the phone, the reply comes back over SMPP as a
 * mobile-originated message and takes the alarm exactly as the app would, and the relative is
 * told so by SMS.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NamedDeliveryFact } from '@trygg/alarm-core';
import { SimPhones, type PhoneSms, type SmscLogin } from '@trygg/simulators/smsc';
import type { Alarm } from './support/types.js';
import { startTestService, type TestService } from './support/service.js';

const PHONE = '+4791234567';
let svc: TestService;
let phones: SimPhones;
const inbox: PhoneSms[] = [];

beforeAll(async () => {
  svc = await startTestService({ start: { engine: { sweepIntervalMs: 300, delivery: { pollMs: 100 } } } });
  for (const deadline = Date.now() + 20_000; !svc.trygg.sms?.ready; await new Promise((r) => setTimeout(r, 100))) {
    if (Date.now() > deadline) throw new Error('the SMS gateway did not bind within 20 s');
  }
  const login = JSON.parse(await readFile(path.join(svc.trygg.config.dataDir, 'smsc.json'), 'utf8')) as SmscLogin;
  phones = new SimPhones(login, (m) => inbox.push(m));
  await phones.start();
}, 60_000);
afterAll(async () => {
  phones?.stop();
  await svc?.stop();
});

const alarmView = async (id: string) => {
  const { token } = await svc.login('operator');
  return (await svc.api<{ alarm: Alarm; deliveries: NamedDeliveryFact[] }>('GET', `/api/alarms/${id}`, token)).body;
};

describe('SMS end to end over SMPP', () => {
  it('a relative without the app gets the alert by SMS, its receipt shows, and "1" from the phone takes the alarm', async () => {
    const pool = svc.trygg.pool;
    const { rows } = await pool.query<{ id: string; name: string }>(
      `SELECT id, name FROM relatives WHERE resident_id = 'res-per' ORDER BY chain_order LIMIT 1`,
    );
    const relative = rows[0]!;
    // Only this relative, with a number and no app subscription; SMS after push in their order.
    await pool.query(`DELETE FROM relatives WHERE resident_id = 'res-per' AND id <> $1`, [relative.id]);
    await pool.query(`UPDATE relatives SET phone = $2, channels = '{push,sms}', consent_at = now() WHERE id = $1`, [
      relative.id,
      PHONE,
    ]);
    await pool.query(`DELETE FROM push_subscriptions WHERE user_id = (SELECT user_id FROM relatives WHERE id = $1)`, [
      relative.id,
    ]);
    const { token: admin } = await svc.login('admin');
    expect(
      (
        await svc.api('PUT', '/api/escalation-policies', admin, {
          scope: 'resident',
          scopeId: 'res-per',
          chain: {
            source: 'test',
            steps: [
              { type: 'notify', to: ['relatives'], timeoutS: 300, receiptTimeoutS: 60 },
              { type: 'notify', to: ['response-centre'], timeoutS: 60 },
            ],
          },
        })
      ).status,
    ).toBe(200);
    await new Promise((r) => setTimeout(r, 300)); // the directory's cache is dropped by NOTIFY

    const alarm = await svc.raiseAlarm('res-per-fall', 'alarm.fall');
    const alert = await expect
      .poll(() => inbox.find((m) => m.to === PHONE), { timeout: 20_000 })
      .toBeTruthy()
      .then(() => inbox.find((m) => m.to === PHONE)!);
    // Who, what, where, and how to answer, in the relative's language (the demo's default: nb).
    expect(alert.text).toMatch(/Per/);
    expect(alert.text).toMatch(/1/);

    // The SMSC's delivery receipt is a fact on the operator's card.
    await expect
      .poll(async () => (await alarmView(alarm.id)).deliveries.map((f) => `${f.channel}:${f.state}`), { timeout: 20_000 })
      .toEqual(expect.arrayContaining(['sms:sent', 'sms:delivered']));

    // "1" from the phone, over SMPP, takes the alarm as the app's Accept would.
    await phones.send(PHONE, alert.from, '1');
    await expect
      .poll(async () => (await alarmView(alarm.id)).alarm.escalation.alerts.find((a) => a.recipient.id === relative.id)?.state, {
        timeout: 20_000,
      })
      .toBe('accepted');
    const { alarm: taken, deliveries } = await alarmView(alarm.id);
    expect(taken.state).toBe('claimed');
    expect(taken.claimedBy?.name).toBe(relative.name);
    expect(deliveries.map((f) => `${f.channel}:${f.state}`)).toContain('sms:answered');
    // The relative is told, by SMS, that they are the one going.
    await expect.poll(() => inbox.filter((m) => m.to === PHONE).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    expect(inbox.filter((m) => m.to === PHONE).at(-1)!.text).toMatch(/Takk/);
  });
});
