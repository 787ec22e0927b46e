/**
 * Web push end to end against the faithful local push service (VAPID verified per RFC 8292,
 * payload decrypted per RFC 8291 with the subscription's private key): a relative's phone gets
 * the alert and accepts from the notification's button with the action token alone; two staff
 * phones get an alarm, one accepts and the other is told at once; an unanswered push escalates at
 * its step's timeout; a push service's overload is retried, a refusal for good is not, and a gone
 * subscription is removed. (Delivery under load and failure: notification-delivery.test.ts;
 * where endpoints may point: push-endpoints.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalPushService, type TestSubscription } from '@trygg/simulators';
import type { PushPayload } from '@trygg/alarm-core';
import type { Alarm } from './support/types.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let pushService: LocalPushService;
let vapidKey: string;
beforeAll(async () => {
  pushService = new LocalPushService();
  await pushService.start();
  svc = await startTestService({
    config: { pushAllowOrigins: [pushService.origin] },
    start: { engine: { sweepIntervalMs: 300, delivery: { baseBackoffMs: 200 } }, journal: { watchMs: 200 } },
  });
  const { token } = await svc.login('admin');
  vapidKey = (await svc.api<{ publicKey: string }>('GET', '/api/push/key', token)).body.publicKey;
});
afterAll(async () => {
  await svc?.stop();
  await pushService?.stop();
});

/** What the app does on a phone: subscribe (here with keys the test owns) and register it. */
async function phone(username: string, device = 'phone', key = vapidKey): Promise<TestSubscription> {
  const sub = pushService.subscribe(key);
  const { token } = await svc.login(username);
  const res = await svc.api('PUT', `/api/push/subscriptions/${device}`, token, sub.json);
  expect(res.status).toBe(200);
  return sub;
}
const payloadFor = async (sub: TestSubscription, alarmId: string, kind: PushPayload['kind']) => {
  const m = await pushService.waitFor(
    (m) => m.subscriptionId === sub.id && m.text.includes(alarmId) && m.text.includes(`"kind":"${kind}"`),
  );
  return { message: m, payload: JSON.parse(m.text) as PushPayload };
};
const act = (token: string | null, action: string) =>
  svc.api<{ alarm: Alarm; code?: string }>('POST', '/api/push/actions', token, { action });
const setPolicy = async (scope: 'resident' | 'site', scopeId: string, steps: unknown[]) => {
  const { token } = await svc.login('admin');
  const res = await svc.api('PUT', '/api/escalation-policies', token, { scope, scopeId, chain: { source: 'test', steps } });
  expect(res.status).toBe(200);
};
const alarmNow = async (id: string) => {
  const { token } = await svc.login('operator');
  return (await svc.api<{ alarm: Alarm }>('GET', `/api/alarms/${id}`, token)).body.alarm;
};

describe('web push', () => {
  it("reaches a relative's phone signed and encrypted; Accept on the notification takes the alarm", async () => {
    const sub = await phone('ola');
    const alarm = await svc.raiseAlarm('res-kari-button', 'alarm.button');
    const { message, payload } = await payloadFor(sub, alarm.id, 'alert');
    expect(message.urgency).toBe('high');
    expect(message.topic).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(message.subject).toMatch(/^mailto:/);
    expect(payload).toMatchObject({ kind: 'alert', title: 'Trygghetsalarm: Kari Nordmann, Storgata 12, 0155 Oslo' });
    expect(payload.actions.map((a) => a.action)).toEqual(['accept', 'decline']);
    const token = payload.actionToken;
    expect(token).toBeTruthy();

    // The action token is not a sign-in token, and a sign-in token is not an action token.
    expect((await svc.api('GET', '/api/me', token)).status).toBe(401);
    const { token: signIn } = await svc.login('ola');
    expect((await act(signIn, 'accept')).status).toBe(401);
    expect((await act(`${token}x`, 'accept')).status).toBe(401);

    const first = await act(token, 'accept');
    expect(first.status).toBe(200);
    expect(first.body.alarm).toMatchObject({ state: 'claimed', claimedBy: { name: 'Ola Nordmann', role: 'relative' } });
    // A second tap (or the worker's retry) is the same command: applied once, answered the same.
    const again = await act(token, 'accept');
    expect(again.status).toBe(200);
    expect(again.body.alarm.version).toBe(first.body.alarm.version);
    const audit = await svc.trygg.pool.query(`SELECT action FROM audit_events WHERE entity_id = $1`, [alarm.id]);
    expect(audit.rows).toEqual([{ action: 'alarm.accept' }]);
  });

  it('two staff phones get the alarm; one accepts, the other is told at once who took it', async () => {
    await setPolicy('site', 'solbakken-a-1', [
      { type: 'notify', to: ['site-staff'], timeoutS: 60 },
      { type: 'notify', to: ['response-centre'], timeoutS: 60 },
    ]);
    const nina = await phone('staff1');
    const other = await phone('staff2');
    const alarm = await svc.raiseAlarm('rom-101-cord', 'alarm.pull-cord');
    const a = await payloadFor(nina, alarm.id, 'alert');
    const b = await payloadFor(other, alarm.id, 'alert');
    expect(b.payload.actionToken).not.toBe(a.payload.actionToken);
    expect((await act(a.payload.actionToken, 'accept')).body.alarm.claimedBy?.name).toBe('Nina Natt (1. etasje)');
    const taken = await payloadFor(other, alarm.id, 'taken');
    expect(taken.payload.body).toBe('Nina Natt (1. etasje) tar den.');
    expect(taken.payload.actions).toEqual([]);
    expect(taken.payload.seq).toBeGreaterThan(b.payload.seq);
    // Too late: the other's token still works but the alarm is taken.
    const late = await act(b.payload.actionToken, 'accept');
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('TRYGG_ERR_ALARM_CLAIMED');
  });

  it("a push nobody answers escalates at its step's timeout", async () => {
    await setPolicy('resident', 'res-per', [
      { type: 'notify', to: ['relatives'], timeoutS: 2 },
      { type: 'notify', to: ['response-centre'], timeoutS: 60 },
    ]);
    await svc.trygg.pool.query(`UPDATE relatives SET user_id = 'user-ola' WHERE resident_id = 'res-per'`);
    const sub = await phone('ola', 'tablet');
    const alarm = await svc.raiseAlarm('res-per-fall', 'alarm.fall');
    const { payload } = await payloadFor(sub, alarm.id, 'alert');
    expect(payload.kind).toBe('alert');
    await expect.poll(async () => (await alarmNow(alarm.id)).escalation.step, { timeout: 10_000 }).toBe(1);
    // The relatives may still accept; the response centre is now asked too.
    const after = await alarmNow(alarm.id);
    expect(after.escalation.alerts.filter((x) => x.recipient.kind === 'response-centre').map((x) => x.state)).toEqual([
      'pending',
    ]);
    expect(after.escalation.alerts.filter((x) => x.recipient.kind === 'relative').length).toBeGreaterThan(0);
  });

  it('refusals: 503 is retried; a wrong VAPID key is refused for good; a gone subscription is removed', async () => {
    // A subscription made for another server's key: the push service answers 403 (RFC 8292 §4.2).
    const foreign = pushService.subscribe(
      'BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8',
    );
    const { token } = await svc.login('staff2');
    await svc.api('PUT', '/api/push/subscriptions/phone', token, foreign.json);
    // The push service is overloaded for the first tries: the outbox delivers again later. (Only
    // this device, so that no other of Ola's devices takes the message and ends the retries.)
    const { token: olaToken } = await svc.login('ola');
    for (const d of ['phone', 'tablet']) await svc.api('DELETE', `/api/push/subscriptions/${d}`, olaToken);
    const ola = await phone('ola', 'laptop');
    pushService.failNextPushes(503, 2);
    const alarm = await svc.raiseAlarm('res-kari-smoke', 'alarm.fall');
    await payloadFor(ola, alarm.id, 'alert');
    expect(pushService.refusals.filter((r) => r.status === 503)).toHaveLength(2);

    await setPolicy('site', 'solbakken-a-2', [{ type: 'notify', to: ['floor-staff'], timeoutS: 60 }]);
    const cord = await svc.raiseAlarm('rom-201-cord', 'alarm.pull-cord');
    // RFC 8292 §4.2: the key does not match the subscription's; asking again cannot help, so the
    // notification is failed with the reason at once, for a next channel.
    const state = async () =>
      (
        await svc.trygg.pool.query<{ state: string; attempts: number; sent_at: Date | null; last_error: string | null }>(
          `SELECT state, attempts, sent_at, last_error FROM notifications WHERE alarm_id = $1`,
          [cord.id],
        )
      ).rows[0];
    await expect.poll(state).toMatchObject({ state: 'failed', attempts: 1, sent_at: null });
    expect((await state())?.last_error).toBe('push: push service refused with 403');
    expect(pushService.refusals.filter((r) => r.subscriptionId === foreign.id && r.status === 403)).toHaveLength(1);
    expect(pushService.messages.filter((m) => m.subscriptionId === foreign.id)).toEqual([]);

    // The phone unsubscribed: 410 Gone, and the subscription is dropped (RFC 8030 §7.3).
    pushService.unsubscribe(ola.id);
    await svc.trygg.pool.query(`UPDATE relatives SET user_id = 'user-ola' WHERE resident_id = 'res-astrid'`);
    await svc.raiseAlarm('res-astrid-button', 'alarm.button');
    await expect
      .poll(
        async () =>
          (await svc.trygg.pool.query(`SELECT 1 FROM push_subscriptions WHERE endpoint = $1`, [ola.json.endpoint])).rowCount,
      )
      .toBe(0);
  });

  it('subscriptions are per device and can be removed; the key needs a sign-in', async () => {
    const { token } = await svc.login('ola');
    await phone('ola', 'phone');
    await phone('ola', 'tablet');
    const list = await svc.api<{ devices: { device: string }[] }>('GET', '/api/push/subscriptions', token);
    expect(list.body.devices.map((d) => d.device).sort()).toEqual(['phone', 'tablet']);
    const del = await svc.api<{ removed: boolean }>('DELETE', '/api/push/subscriptions/tablet', token);
    expect(del.body.removed).toBe(true);
    const { token: techToken } = await svc.login('tech');
    expect((await svc.api('GET', '/api/push/key', techToken)).status).toBe(200);
    expect((await svc.api('GET', '/api/push/key', null)).status).toBe(401);
  });

  it("tells administrators' phones when the patient journal falls behind", async () => {
    const sub = await phone('admin', 'admin-phone');
    // A closed alarm waits in the journal outbox (no journal configured here); make it old.
    const { token } = await svc.login('ola');
    const open = (await svc.api<{ alarms: Alarm[] }>('GET', '/api/relative/alarms', token)).body.alarms.find(
      (a) => a.state === 'claimed',
    );
    expect(open).toBeTruthy();
    await svc.api('POST', `/api/alarms/${open?.id ?? ''}/commands`, token, {
      id: 'ola-resolve-backlog',
      type: 'resolve',
      note: 'ok',
    });
    await svc.trygg.pool.query(`UPDATE journal_outbox SET created_at = now() - interval '2 hours'`);
    const m = await pushService.waitFor((x) => x.subscriptionId === sub.id && x.text.includes('journal-backlog'));
    const payload = JSON.parse(m.text) as PushPayload;
    expect(payload).toMatchObject({ kind: 'system', title: 'Pasientjournalen henger etter', actions: [], actionToken: null });
    expect(payload.body).toMatch(/^Eldste journalpost har ventet i \d+ min\.$/);
  });

  it('stops alerting a relative the moment consent is withdrawn, also on an alarm already escalating', async () => {
    await setPolicy('resident', 'res-astrid', [
      { type: 'notify', to: ['relatives'], timeoutS: 60 },
      { type: 'notify', to: ['response-centre'], timeoutS: 60 },
    ]);
    await svc.trygg.pool.query(`UPDATE relatives SET user_id = 'user-ola' WHERE resident_id = 'res-astrid'`);
    const sub = await phone('ola', 'watch');
    // Astrid's earlier alarm (from the tests above) is handled first, so this press opens a new one.
    const { token: op } = await svc.login('operator');
    const { alarms } = (await svc.api<{ alarms: Alarm[] }>('GET', '/api/alarms', op)).body;
    for (const a of alarms.filter((x) => x.subject.deviceId === 'res-astrid-button')) {
      await svc.api('POST', `/api/alarms/${a.id}/commands`, op, { id: crypto.randomUUID(), type: 'claim' });
      await svc.api('POST', `/api/alarms/${a.id}/commands`, op, {
        id: crypto.randomUUID(),
        type: 'resolve',
        note: 'ok',
        cause: 'other',
        action: 'no-action',
      });
    }
    const first = await svc.raiseAlarm('res-astrid-button', 'alarm.button');
    await payloadFor(sub, first.id, 'alert');
    // Astrid withdraws her consent while her alarm (opened with Ola on its roster) is in flight; the
    // operator takes it, and the "taken" update to Ola is not sent.
    await svc.trygg.pool.query(`UPDATE relatives SET consent_at = NULL WHERE resident_id = 'res-astrid'`);
    const { token } = await svc.login('operator');
    const claim = await svc.api('POST', `/api/alarms/${first.id}/commands`, token, { id: crypto.randomUUID(), type: 'claim' });
    expect(claim.status).toBe(200);
    await expect
      .poll(
        async () =>
          (
            await svc.trygg.pool.query<{ state: string; last_error: string | null }>(
              `SELECT state, last_error FROM notifications WHERE alarm_id = $1 AND kind = 'taken'`,
              [first.id],
            )
          ).rows,
      )
      .toEqual([{ state: 'failed', last_error: expect.stringContaining('consent') as unknown }]);
    expect(
      pushService.messages.filter(
        (m) => m.subscriptionId === sub.id && m.text.includes(first.id) && m.text.includes('"kind":"taken"'),
      ),
    ).toEqual([]);
    await svc.trygg.pool.query(`UPDATE relatives SET consent_at = now() WHERE resident_id = 'res-astrid'`);
    await svc.api('DELETE', '/api/push/subscriptions/watch', (await svc.login('ola')).token);
  });
});
