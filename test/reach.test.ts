/**
 * Reaching people end to end (real PostgreSQL, a real MQTT device, the faithful push service): a
 * relative with neither the app nor a phone number is skipped and the response centre alerted at
 * once; an expired push subscription (410) falls through to the next channel; a channel without a
 * delivery receipt falls through at the step's receipt timeout, and when no channel is left the
 * chain moves on; the service worker's receipt and a push answer are facts on the operator's
 * card (alarm route and live event); administrators see who is unreachable before it matters.
 *
 * The second channel here is a small SMS channel of the test's own (kind 'sms'): it records what
 * it is given and the test reports its receipts through the engine's DeliveryReports, as the
 * real SMS channel does with SMPP delivery receipts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalPushService, type TestSubscription } from '@trygg/simulators';
import type { Channel, NamedDeliveryFact, Notification, PushPayload, UnreachableList } from '@trygg/alarm-core';
import type { Alarm } from './support/types.js';
import { startTestService, type TestService } from './support/service.js';

/** A stand-in SMS channel: every send is kept; receipts come from the test. */
class TestSms implements Channel {
  readonly kind = 'sms' as const;
  readonly sent: Notification[] = [];
  send(n: Notification): Promise<{ ref: string; state: 'sent' }> {
    this.sent.push(n);
    return Promise.resolve({ ref: `sms-${this.sent.length}`, state: 'sent' });
  }
}

let svc: TestService;
let pushService: LocalPushService;
let vapidKey: string;
const sms = new TestSms();

beforeAll(async () => {
  pushService = new LocalPushService();
  await pushService.start();
  svc = await startTestService({
    config: { pushAllowOrigins: [pushService.origin] },
    start: { channels: { sms }, engine: { sweepIntervalMs: 300, delivery: { baseBackoffMs: 200, pollMs: 100 } } },
  });
  const { token } = await svc.login('admin');
  vapidKey = (await svc.api<{ publicKey: string }>('GET', '/api/push/key', token)).body.publicKey;
});
afterAll(async () => {
  await svc?.stop();
  await pushService?.stop();
});

async function phone(username: string, device: string): Promise<TestSubscription> {
  const sub = pushService.subscribe(vapidKey);
  const { token } = await svc.login(username);
  expect((await svc.api('PUT', `/api/push/subscriptions/${device}`, token, sub.json)).status).toBe(200);
  return sub;
}
const setPolicy = async (residentId: string, steps: unknown[]) => {
  const { token } = await svc.login('admin');
  const res = await svc.api('PUT', '/api/escalation-policies', token, {
    scope: 'resident',
    scopeId: residentId,
    chain: { source: 'test', steps },
  });
  expect(res.status).toBe(200);
};
const alarmView = async (id: string) => {
  const { token } = await svc.login('operator');
  return (await svc.api<{ alarm: Alarm; deliveries: NamedDeliveryFact[] }>('GET', `/api/alarms/${id}`, token)).body;
};
const facts = async (id: string) =>
  (await alarmView(id)).deliveries.map((f) => `${f.recipientName}:${f.channel}:${f.state}${f.reason ? `:${f.reason}` : ''}`);
/** Waits until the directory has seen a registry change made just now (its cache is dropped by NOTIFY). */
const settle = () => new Promise((r) => setTimeout(r, 300));

describe('reach', () => {
  it('a relative with neither the app nor a phone number is skipped: the response centre is alerted at once', async () => {
    await setPolicy('res-per', [
      { type: 'notify', to: ['relatives'], timeoutS: 120 },
      { type: 'notify', to: ['response-centre'], timeoutS: 60 },
    ]);
    await svc.trygg.pool.query(`UPDATE relatives SET phone = NULL, user_id = NULL WHERE resident_id = 'res-per'`);
    await settle();
    const alarm = await svc.raiseAlarm('res-per-fall', 'alarm.fall');
    await expect.poll(async () => (await alarmView(alarm.id)).alarm.escalation.step, { timeout: 10_000 }).toBe(1);
    const { alarm: now } = await alarmView(alarm.id);
    const relatives = now.escalation.alerts.filter((a) => a.recipient.kind === 'relative');
    expect(relatives.length).toBeGreaterThan(0);
    for (const a of relatives) expect(a).toMatchObject({ state: 'unreachable', reason: 'no-channel', step: 0 });
    expect(now.escalation.alerts.find((a) => a.recipient.kind === 'response-centre')?.state).toBe('pending');
    // Nobody was "alerted" into nothing: no notification for the relatives at all.
    const { rows } = await svc.trygg.pool.query<{ kind: string }>(
      `SELECT recipient->>'kind' AS kind FROM notifications WHERE alarm_id = $1`,
      [alarm.id],
    );
    expect(rows.map((r) => r.kind)).toEqual(['response-centre']);
    // The response centre's console is a channel too: delivered once published live.
    await expect.poll(() => facts(alarm.id)).toEqual(['Responssenteret:console:delivered']);
    const { token } = await svc.login('operator');
    const timeline = (
      await svc.api<{ timeline: { kind: string; data: Record<string, unknown> }[] }>('GET', `/api/alarms/${alarm.id}`, token)
    ).body.timeline;
    expect(timeline.filter((e) => e.kind === 'unreachable').map((e) => e.data.reason)).toEqual(relatives.map(() => 'no-channel'));
    await svc.api('POST', `/api/alarms/${alarm.id}/commands`, token, { id: `claim-${alarm.id}`, type: 'claim' });
  });

  it('an expired push subscription (410) falls through to SMS; its receipt and the live event reach the operator', async () => {
    await setPolicy('res-kari', [
      { type: 'notify', to: ['relatives'], timeoutS: 120, receiptTimeoutS: 60 },
      { type: 'notify', to: ['response-centre'], timeoutS: 60 },
    ]);
    // Ola (the first relative) has the app and a number; the others are left out of this one.
    await svc.trygg.pool.query(`DELETE FROM relatives WHERE resident_id = 'res-kari' AND id <> 'rel-res-kari-1'`);
    await svc.trygg.pool.query(`UPDATE relatives SET phone = '+4791234567', channels = '{push,sms}' WHERE id = 'rel-res-kari-1'`);
    const sub = await phone('ola', 'old-phone');
    pushService.unsubscribe(sub.id);
    await settle();
    const { token } = await svc.login('operator');
    const socket = await svc.operatorSocket(token);
    const live: NamedDeliveryFact[] = [];
    socket.on('alarm:delivery', (f) => live.push(f));

    const alarm = await svc.raiseAlarm('res-kari-button', 'alarm.button');
    await expect.poll(() => sms.sent.filter((n) => n.alarmId === alarm.id).length, { timeout: 10_000 }).toBe(1);
    const n = sms.sent.find((x) => x.alarmId === alarm.id);
    expect(n).toMatchObject({ kind: 'alert', recipient: { id: 'rel-res-kari-1', reach: ['push', 'sms'] }, receiptTimeoutS: 60 });
    await expect
      .poll(() => facts(alarm.id))
      .toEqual(['Ola Nordmann:push:failed:push: 1 subscription(s) gone', 'Ola Nordmann:sms:sent']);
    // The gone subscription is dropped (RFC 8030 §7.3).
    expect(
      (await svc.trygg.pool.query(`SELECT 1 FROM push_subscriptions WHERE endpoint = $1`, [sub.json.endpoint])).rowCount,
    ).toBe(0);

    // The SMS gateway's delivery receipt, as the SMS channel reports it.
    await svc.trygg.engine.deliveries.report({ notificationId: n?.id ?? '', channel: 'sms', state: 'delivered' });
    await expect.poll(() => facts(alarm.id)).toContain('Ola Nordmann:sms:delivered');
    const row = await svc.trygg.pool.query<{ state: string }>('SELECT state FROM notifications WHERE id = $1', [n?.id]);
    expect(row.rows[0]?.state).toBe('sent');
    await expect
      .poll(() => live.filter((f) => f.alarmId === alarm.id).map((f) => `${f.channel}:${f.state}`))
      .toEqual(['push:failed', 'sms:sent', 'sms:delivered']);
    // Still Ola's to answer: the chain waits for the step's timeout, not the receipt's.
    expect((await alarmView(alarm.id)).alarm.escalation.step).toBe(0);
    // An unknown notification is refused, not recorded.
    await expect(
      svc.trygg.engine.deliveries.report({ notificationId: 'nope', channel: 'sms', state: 'delivered' }),
    ).rejects.toMatchObject({ code: 'TRYGG_ERR_NOT_FOUND' });
    await svc.api('POST', `/api/alarms/${alarm.id}/commands`, token, { id: `claim-${alarm.id}`, type: 'claim' });
  });

  it('no receipt: SMS falls through to push at the receipt timeout, then nobody is left and the response centre is alerted', async () => {
    await setPolicy('res-astrid', [
      { type: 'notify', to: ['relatives'], timeoutS: 600, receiptTimeoutS: 2 },
      { type: 'notify', to: ['response-centre'], timeoutS: 60 },
    ]);
    await svc.trygg.pool.query(`DELETE FROM relatives WHERE resident_id = 'res-astrid' AND chain_order > 1`);
    await svc.trygg.pool.query(
      `UPDATE relatives SET user_id = 'user-ola', phone = '+4791234567', channels = '{sms,push}' WHERE resident_id = 'res-astrid'`,
    );
    const sub = await phone('ola', 'new-phone');
    await settle();
    const alarm = await svc.raiseAlarm('res-astrid-button', 'alarm.button');
    await expect.poll(() => sms.sent.filter((n) => n.alarmId === alarm.id).length, { timeout: 10_000 }).toBe(1);
    // No SMS receipt within 2 s: push is next.
    const pushed = await pushService.waitFor((m) => m.subscriptionId === sub.id && m.text.includes(alarm.id), 15_000);
    expect((JSON.parse(pushed.text) as PushPayload).kind).toBe('alert');
    // No push receipt either: every channel failed, the alert is unreachable, the chain moves on at once.
    await expect.poll(async () => (await alarmView(alarm.id)).alarm.escalation.step, { timeout: 15_000 }).toBe(1);
    const { alarm: now } = await alarmView(alarm.id);
    expect(now.escalation.alerts.find((a) => a.recipient.kind === 'relative')).toMatchObject({
      state: 'unreachable',
      reason: 'all-channels-failed',
    });
    const relativeFacts = (await facts(alarm.id)).filter((f) => !f.startsWith('Responssenteret'));
    expect(relativeFacts).toEqual([
      expect.stringMatching(/:sms:sent$/),
      expect.stringMatching(/:sms:failed:no delivery receipt within 2 s$/),
      expect.stringMatching(/:push:sent$/),
      expect.stringMatching(/:push:failed:no delivery receipt within 2 s$/),
    ]);
    const { rows } = await svc.trygg.pool.query<{ state: string; last_error: string }>(
      `SELECT state, last_error FROM notifications WHERE alarm_id = $1 AND recipient->>'kind' = 'relative'`,
      [alarm.id],
    );
    expect(rows).toEqual([
      // The last channel's reason; every channel's is in the facts.
      { state: 'failed', last_error: 'push: no delivery receipt within 2 s' },
    ]);
    const { token } = await svc.login('operator');
    await svc.api('POST', `/api/alarms/${alarm.id}/commands`, token, { id: `claim-${alarm.id}`, type: 'claim' });
  });

  it("the service worker's receipt makes a push delivered; an answer from the notification is a fact", async () => {
    await setPolicy('res-kari', [
      { type: 'notify', to: ['relatives'], timeoutS: 120, receiptTimeoutS: 60 },
      { type: 'notify', to: ['response-centre'], timeoutS: 60 },
    ]);
    const sub = await phone('ola', 'phone');
    await settle();
    const alarm = await svc.raiseAlarm('res-kari-smoke', 'alarm.fall');
    const m = await pushService.waitFor((x) => x.subscriptionId === sub.id && x.text.includes(alarm.id));
    const payload = JSON.parse(m.text) as PushPayload;
    // The receipt follows the hand-over (a receipt that overtakes it is honoured too, in either order).
    await expect.poll(() => facts(alarm.id)).toEqual(['Ola Nordmann:push:sent']);
    const receipt = (state: string, token = payload.actionToken) =>
      svc.api<{ recorded: boolean; code?: string }>('POST', '/api/push/receipts', token, { state });
    expect((await receipt('delivered')).body).toEqual({ recorded: true });
    // A second phone's (or a retried) receipt is the same fact.
    expect((await receipt('delivered')).body).toEqual({ recorded: false });
    expect((await receipt('delivered', null)).status).toBe(401);
    expect((await receipt('read')).status).toBe(400);
    const { rows } = await svc.trygg.pool.query<{ state: string }>(`SELECT state FROM notifications WHERE id = $1`, [
      payload.notificationId,
    ]);
    expect(rows[0]?.state).toBe('sent');
    expect((await receipt('seen')).body).toEqual({ recorded: true });
    const ok = await svc.api('POST', '/api/push/actions', payload.actionToken, { action: 'accept' });
    expect(ok.status).toBe(200);
    await expect
      .poll(() => facts(alarm.id))
      .toEqual([
        'Ola Nordmann:push:sent',
        'Ola Nordmann:push:delivered',
        'Ola Nordmann:push:seen',
        'Ola Nordmann:push:answered:accept',
      ]);
  });

  it('administrators see who cannot be reached now, and why; others may not look', async () => {
    await svc.trygg.pool.query(`UPDATE relatives SET consent_at = NULL WHERE id = 'rel-res-ingrid-1'`);
    const { token } = await svc.login('admin');
    const res = await svc.api<UnreachableList>('GET', '/api/reach/unreachable', token);
    expect(res.status).toBe(200);
    expect(res.body.channels.sort()).toEqual(['push', 'sms']);
    const per = res.body.residents.find((r) => r.residentId === 'res-per');
    expect(per?.people.length).toBeGreaterThan(0);
    for (const p of per?.people ?? [])
      expect(p).toMatchObject({ kind: 'relative', reason: 'no-channel', hasPush: false, hasPhone: false });
    expect(res.body.residents.find((r) => r.residentId === 'res-ingrid')?.people).toEqual([
      expect.objectContaining({ id: 'rel-res-ingrid-1', reason: 'no-consent' }),
    ]);
    // Ola has the app on a phone now: Kari's relative is reachable and not listed.
    expect(res.body.residents.find((r) => r.residentId === 'res-kari')).toBeUndefined();
    expect(res.body.staff.map((s) => s.kind)).toContain('staff');
    const { token: op } = await svc.login('operator');
    expect((await svc.api('GET', '/api/reach/unreachable', op)).status).toBe(403);
    const audit = await svc.trygg.pool.query(
      `SELECT 1 FROM audit_events WHERE action = 'resident.search' AND detail->>'route' = '/api/reach/unreachable' AND cardinality(patient_ids) > 0`,
    );
    expect(audit.rowCount).toBeGreaterThan(0);
  });
});
