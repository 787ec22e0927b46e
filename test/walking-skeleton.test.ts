/**
 * The walking skeleton end to end: a real MQTT client as a demo alarm button publishes an
 * alarm; an operator's real socket.io client sees it arrive; the operator claims and resolves
 * it through the REST API and sees those updates too; the device hears "help is coming".
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alarm, LiveUpdate } from './support/types.js';
import { startTestService, waitFor, type TestService } from './support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc?.stop();
});

const alarmEvent = (id = randomUUID()) => JSON.stringify({ id, type: 'alarm.button', ts: new Date().toISOString() });

describe('button press to the operator screen', () => {
  it('delivers, claims and resolves an alarm live', async () => {
    const { token, user } = await svc.login('operator');
    const socket = await svc.operatorSocket(token);
    const updates: LiveUpdate[] = [];
    socket.on('alarm:update', (u) => updates.push(u));
    const onUpdate = (cb: (v: unknown) => void) => {
      socket.on('alarm:update', cb);
      return () => socket.off('alarm:update', cb);
    };

    const button = await svc.device('res-kari-button');
    const feedback: unknown[] = [];
    button.on('message', (_t, payload) => feedback.push(JSON.parse(payload.toString())));
    await button.subscribeAsync('trygg/v1/devices/res-kari-button/feedback', { qos: 1 });

    const opened = waitFor(onUpdate, (v) => {
      const u = v as LiveUpdate;
      return u.entry.kind === 'opened' && u.alarm.subject.deviceId === 'res-kari-button' ? u : undefined;
    });
    await button.publishAsync('trygg/v1/devices/res-kari-button/events', alarmEvent(), { qos: 1 });
    const first = await opened;
    expect(first.alarm.state).toBe('open');
    expect(first.alarm.subject.residentName).toBe('Kari Nordmann');
    expect(first.alarm.subject.address).toContain('Storgata');
    const alarmId = first.alarm.id;

    // The queue API shows it too.
    const queue = await svc.api<{ alarms: Alarm[]; head: number }>('GET', '/api/alarms', token);
    expect(queue.status).toBe(200);
    expect(queue.body.alarms.map((a) => a.id)).toContain(alarmId);

    const claimed = waitFor(onUpdate, (v) => ((v as LiveUpdate).entry.kind === 'claimed' ? (v as LiveUpdate) : undefined));
    const claim = await svc.api<{ alarm: Alarm }>('POST', `/api/alarms/${alarmId}/commands`, token, {
      id: randomUUID(),
      type: 'claim',
    });
    expect(claim.status).toBe(200);
    expect(claim.body.alarm.claimedBy?.userId).toBe(user.userId);
    expect((await claimed).alarm.state).toBe('claimed');

    const resolved = waitFor(onUpdate, (v) => ((v as LiveUpdate).entry.kind === 'resolved' ? (v as LiveUpdate) : undefined));
    const resolve = await svc.api<{ alarm: Alarm }>('POST', `/api/alarms/${alarmId}/commands`, token, {
      id: randomUUID(),
      type: 'resolve',
      note: 'Falt i gangen, ikke skadet. Hjemmetjenesten var der.',
    });
    expect(resolve.status).toBe(200);
    const done = await resolved;
    expect(done.alarm.state).toBe('resolved');
    expect(done.alarm.resolution?.note).toContain('Hjemmetjenesten');

    // Updates arrived in order with no gaps or repeats.
    const seqs = updates.map((u) => u.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);

    // The timeline holds every change.
    const detail = await svc.api<{ timeline: { kind: string }[] }>('GET', `/api/alarms/${alarmId}`, token);
    expect(detail.body.timeline.map((e) => e.kind)).toEqual(['opened', 'notified', 'claimed', 'withdrawn', 'resolved']);

    // The device heard "received", "accepted by …" and "resolved".
    // `config` comes first, on subscribing; then the alarm's story.
    await expect
      .poll(() => feedback.map((f) => (f as { type: string }).type))
      .toEqual(['config', 'received', 'accepted', 'resolved']);
  });

  it('refuses a second claim by another operator with a clear code', async () => {
    const a = await svc.login('operator');
    const b = await svc.login('operator2');
    const button = await svc.device('res-per-button');
    await button.publishAsync('trygg/v1/devices/res-per-button/events', alarmEvent(), { qos: 1 });
    const alarm = await expect
      .poll(async () =>
        (await svc.api<{ alarms: Alarm[] }>('GET', '/api/alarms', a.token)).body.alarms.find(
          (x) => x.subject.deviceId === 'res-per-button',
        ),
      )
      .toBeDefined()
      .then(async () =>
        (await svc.api<{ alarms: Alarm[] }>('GET', '/api/alarms', a.token)).body.alarms.find(
          (x) => x.subject.deviceId === 'res-per-button',
        ),
      );
    const id = alarm?.id ?? '';
    const claimA = await svc.api('POST', `/api/alarms/${id}/commands`, a.token, { id: randomUUID(), type: 'claim' });
    expect(claimA.status).toBe(200);
    const claimB = await svc.api<{ code: string }>('POST', `/api/alarms/${id}/commands`, b.token, {
      id: randomUUID(),
      type: 'claim',
    });
    expect(claimB.status).toBe(409);
    expect(claimB.body.code).toBe('TRYGG_ERR_ALARM_CLAIMED');
    // Retrying A's exact command is answered the same, without a second timeline entry.
    const cmd = { id: randomUUID(), type: 'resolve', note: 'ok' };
    const r1 = await svc.api('POST', `/api/alarms/${id}/commands`, a.token, cmd);
    const r2 = await svc.api('POST', `/api/alarms/${id}/commands`, a.token, cmd);
    expect([r1.status, r2.status]).toEqual([200, 200]);
    const detail = await svc.api<{ timeline: { kind: string }[] }>('GET', `/api/alarms/${id}`, a.token);
    expect(detail.body.timeline.filter((e) => e.kind === 'resolved')).toHaveLength(1);
  });

  it('resumes a reconnecting operator with exactly what it missed', async () => {
    const { token } = await svc.login('operator');
    const first = await svc.api<{ head: number }>('GET', '/api/alarms', token);
    const head = first.body.head;
    // While "offline", two alarms arrive.
    const cord = await svc.device('rom-101-cord');
    await cord.publishAsync('trygg/v1/devices/rom-101-cord/events', alarmEvent(), { qos: 1 });
    const bed = await svc.device('rom-102-bed');
    await bed.publishAsync(
      'trygg/v1/devices/rom-102-bed/events',
      JSON.stringify({ id: randomUUID(), type: 'alarm.bed-exit', ts: new Date().toISOString() }),
      { qos: 1 },
    );
    await expect
      .poll(async () => (await svc.api<{ head: number }>('GET', '/api/alarms', token)).body.head)
      .toBeGreaterThanOrEqual(head + 4);

    const socket = await svc.operatorSocket(token);
    const reply = await socket.emitWithAck('resume', { after: head });
    expect(reply.mode).toBe('delta');
    if (reply.mode !== 'delta') return;
    const seqs = reply.updates.map((u) => u.seq);
    expect(seqs[0]).toBe(head + 1);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => head + 1 + i));
    expect(reply.updates.map((u) => u.alarm.subject.deviceId)).toEqual(expect.arrayContaining(['rom-101-cord', 'rom-102-bed']));
    expect(reply.head).toBe(seqs.at(-1));
    // Asking again from the new head gives nothing.
    const again = await socket.emitWithAck('resume', { after: reply.head });
    expect(again).toMatchObject({ mode: 'delta', updates: [] });
    // A malformed resume is answered with an error, not a crash.
    const bad = await socket.emitWithAck('resume', { after: -1 });
    expect(bad).toMatchObject({ mode: 'error', code: 'TRYGG_ERR_VALIDATION' });
  });

  it('keeps the API and the socket closed to anonymous and wrong-role callers', async () => {
    expect((await svc.api('GET', '/api/alarms', null)).status).toBe(401);
    expect((await svc.api('GET', '/api/alarms', 'not-a-token')).status).toBe(401);
    const relative = await svc.login('ola');
    expect((await svc.api('GET', '/api/alarms', relative.token)).status).toBe(403);
    await expect(svc.operatorSocket(relative.token)).rejects.toThrow(/TRYGG_ERR_FORBIDDEN/);
    await expect(svc.operatorSocket('garbage')).rejects.toThrow(/TRYGG_ERR_UNAUTHENTICATED/);
    expect((await svc.api('GET', '/healthz', null)).status).toBe(200);
    expect((await svc.api<{ database: boolean }>('GET', '/readyz', null)).body).toMatchObject({
      status: 'ready',
      database: true,
      broker: true,
    });
  });

  it('refuses bad requests with a code, never a stack trace', async () => {
    const { token } = await svc.login('operator');
    const raw = async (method: string, url: string, body: string) => {
      const res = await fetch(svc.httpUrl + url, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      });
      return { status: res.status, body: (await res.json()) as { status: string; code: string; message: string } };
    };
    const id = '00000000-0000-4000-8000-000000000000';
    const malformed = await raw('POST', `/api/alarms/${id}/commands`, '{"id": "x", "type": ');
    expect([malformed.status, malformed.body.code]).toEqual([400, 'TRYGG_ERR_VALIDATION']);
    const huge = await raw(
      'POST',
      `/api/alarms/${id}/commands`,
      JSON.stringify({ id: 'x', type: 'resolve', note: 'n'.repeat(100_000) }),
    );
    expect([huge.status, huge.body.code]).toEqual([413, 'TRYGG_ERR_PAYLOAD_TOO_LARGE']);
    const unknownField = await raw(
      'POST',
      `/api/alarms/${id}/commands`,
      JSON.stringify({ id: 'x', type: 'claim', sneaky: true }),
    );
    expect([unknownField.status, unknownField.body.code]).toEqual([400, 'TRYGG_ERR_VALIDATION']);
    const badId = await svc.api<{ code: string }>('GET', '/api/alarms/not-a-uuid', token);
    expect([badId.status, badId.body.code]).toEqual([400, 'TRYGG_ERR_VALIDATION']);
    const missing = await svc.api<{ code: string }>('POST', `/api/alarms/${id}/commands`, token, { id: 'c-1', type: 'claim' });
    expect([missing.status, missing.body.code]).toEqual([404, 'TRYGG_ERR_ALARM_NOT_FOUND']);
    const noRoute = await svc.api<{ code: string }>('GET', '/api/nothing-here', token);
    expect([noRoute.status, noRoute.body.code]).toEqual([404, 'TRYGG_ERR_NOT_FOUND']);
    for (const r of [malformed, huge, unknownField]) {
      expect(r.body.status).toBe('error');
      expect(JSON.stringify(r.body)).not.toMatch(/at .*\.ts:\d+/);
    }
  });
});
