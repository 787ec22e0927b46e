/**
 * Escalation as people meet it, through the real API and broker: a relative accepts from the
 * app, a relative declines and the response centre is alerted at once, night staff on the right
 * floor are asked first, and a silent alarm button raises (and clears) an offline alarm.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alarm, LiveUpdate } from './support/types.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc?.stop();
});

const raise = (deviceId: string, type: string): Promise<Alarm> => svc.raiseAlarm(deviceId, type);
const command = async (username: string, alarmId: string, body: Record<string, unknown>) => {
  const { token } = await svc.login(username);
  return svc.api<{ alarm: Alarm; code?: string }>('POST', `/api/alarms/${alarmId}/commands`, token, {
    id: randomUUID(),
    ...body,
  });
};
const notifications = async (alarmId: string) =>
  (
    await svc.trygg.pool.query<{ kind: string; r: string; step: number }>(
      `SELECT kind, recipient->>'name' AS r, step FROM notifications WHERE alarm_id = $1 ORDER BY created_at, id`,
      [alarmId],
    )
  ).rows;
/**
 * Gives demo users a phone number (the demo's staff and technician have none, and someone with no
 * channel is recorded unreachable and skipped at once), then waits until the directory has seen it
 * (its cache is dropped by NOTIFY).
 */
const givePhones = async (phones: Record<string, string>) => {
  for (const [username, phone] of Object.entries(phones)) {
    await svc.trygg.pool.query(`UPDATE users SET phone = $2 WHERE username = $1`, [username, phone]);
  }
  await new Promise((r) => setTimeout(r, 300));
};

describe('escalation with people', () => {
  it('a relative accepts from the app; the operator sees who has it at once', async () => {
    const { token } = await svc.login('operator');
    const socket = await svc.operatorSocket(token);
    const seen: LiveUpdate[] = [];
    socket.on('alarm:update', (u) => seen.push(u));
    const alarm = await raise('res-kari-button', 'alarm.button');
    expect(alarm.escalation.alerts.map((a) => [a.recipient.name, a.state])).toEqual([['Ola Nordmann', 'pending']]);
    expect(alarm.escalation.chain.source).toBe('default:home');

    const res = await command('ola', alarm.id, { type: 'accept' });
    expect(res.status).toBe(200);
    expect(res.body.alarm).toMatchObject({ state: 'claimed', claimedBy: { name: 'Ola Nordmann', role: 'relative' } });
    await expect
      .poll(() => seen.find((u) => u.alarm.id === alarm.id && u.entry.kind === 'claimed')?.alarm.claimedBy?.name)
      .toBe('Ola Nordmann');
    // Arrived, then resolved by the relative.
    expect((await command('ola', alarm.id, { type: 'arrived' })).body.alarm.state).toBe('arrived');
    const done = await command('ola', alarm.id, {
      type: 'resolve',
      note: 'Mamma hadde sklidd, alt bra nå',
      cause: 'fall',
      action: 'relative-handled',
    });
    expect(done.body.alarm).toMatchObject({ state: 'resolved', resolution: { cause: 'fall', action: 'relative-handled' } });
    // Closing wrote the journal outbox entry in the same transaction.
    const outbox = await svc.trygg.pool.query<{ status: string; state: string }>(
      `SELECT status, record->>'state' AS state FROM journal_outbox WHERE alarm_id = $1`,
      [alarm.id],
    );
    expect(outbox.rows).toEqual([{ status: 'pending', state: 'resolved' }]);
    // Every command is in the audit trail, which cannot be edited.
    const audit = await svc.trygg.pool.query<{ action: string; outcome: string; actor_role: string }>(
      `SELECT action, outcome, actor_role FROM audit_events WHERE entity_id = $1 ORDER BY id`,
      [alarm.id],
    );
    expect(audit.rows).toEqual([
      { action: 'alarm.accept', outcome: 'success', actor_role: 'relative' },
      { action: 'alarm.arrived', outcome: 'success', actor_role: 'relative' },
      { action: 'alarm.resolve', outcome: 'success', actor_role: 'relative' },
    ]);
    await expect(svc.trygg.pool.query('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
  });

  it('when every relative declines, the response centre is alerted at once', async () => {
    const alarm = await raise('res-kari-smoke', 'alarm.fall'); // a fall reported through Kari's smoke-detector unit
    const res = await command('ola', alarm.id, { type: 'decline' });
    expect(res.status).toBe(200);
    expect(res.body.alarm.escalation.step).toBe(1);
    expect(await notifications(alarm.id)).toEqual([
      { kind: 'alert', r: 'Ola Nordmann', step: 0 },
      { kind: 'alert', r: 'Responssenteret', step: 1 },
    ]);
    const detail = await svc.api<{ timeline: { kind: string; data: Record<string, unknown> }[] }>(
      'GET',
      `/api/alarms/${alarm.id}`,
      (await svc.login('operator')).token,
    );
    expect(detail.body.timeline.map((e) => e.kind)).toEqual(['opened', 'notified', 'declined', 'escalated', 'notified']);
    expect(detail.body.timeline[3]?.data).toMatchObject({ reason: 'all-declined' });
  });

  it('asks the night staff of the floor first; staff of another floor were not asked', async () => {
    // Both can be reached: Tor is left out for his floor, not for want of a channel.
    await givePhones({ staff1: '+4790000101', staff2: '+4790000102' });
    const alarm = await raise('rom-102-cord', 'alarm.pull-cord');
    expect(alarm.escalation.chain.source).toBe('default:institution');
    expect(alarm.escalation.alerts.map((a) => a.recipient.name)).toEqual(['Nina Natt (1. etasje)']);
    const wrong = await command('staff2', alarm.id, { type: 'accept' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.code).toBe('TRYGG_ERR_NOT_ALERTED');
    const refused = await svc.trygg.pool.query(
      `SELECT 1 FROM audit_events WHERE entity_id = $1 AND outcome = 'TRYGG_ERR_NOT_ALERTED'`,
      [alarm.id],
    );
    expect(refused.rowCount).toBe(1);
    // Only an operator claims for the response centre.
    const claim = await command('ola', alarm.id, { type: 'claim' });
    expect([claim.status, claim.body.code]).toEqual([403, 'TRYGG_ERR_FORBIDDEN']);
    const ok = await command('staff1', alarm.id, { type: 'accept' });
    expect(ok.body.alarm.claimedBy?.name).toBe('Nina Natt (1. etasje)');
  });

  it('a silent alarm button raises an offline alarm for technicians and the response centre, which clears itself', async () => {
    const id = 'res-astrid-button';
    await givePhones({ tech: '+4790000103' });
    await svc.trygg.pool.query(
      `UPDATE devices SET heartbeat_interval_s = 60, last_seen_at = now() - interval '1 hour' WHERE id = $1`,
      [id],
    );
    // The service came up moments ago, and supervision gives every device one heartbeat interval
    // (plus the grace) after ingress is up: let ingress have been up for an hour.
    await svc.trygg.pool.query(`UPDATE service_ingress SET up_since = now() - interval '1 hour' WHERE up`);
    await svc.trygg.engine.supervise();
    const { rows } = await svc.trygg.pool.query<{ doc: Alarm }>(
      `SELECT doc FROM alarms WHERE device_id = $1 AND type = 'technical.offline'`,
      [id],
    );
    const offline = rows[0]?.doc;
    expect(offline).toMatchObject({
      state: 'open',
      class: 'technical',
      escalation: { chain: { source: 'default:offline-protecting' } },
    });
    expect(offline?.escalation.alerts.map((a) => a.recipient.name).sort()).toEqual(['Responssenteret', 'Tekla Tekniker']);
    // Supervising again raises nothing new.
    await svc.trygg.engine.supervise();
    expect(
      (await svc.trygg.pool.query(`SELECT 1 FROM alarms WHERE device_id = $1 AND type = 'technical.offline'`, [id])).rowCount,
    ).toBe(1);
    // The device is heard from again: the alarm clears itself with a timeline entry.
    const dev = await svc.device(id);
    await dev.publishAsync(
      `trygg/v1/devices/${id}/events`,
      JSON.stringify({ id: randomUUID(), type: 'heartbeat', ts: new Date().toISOString() }),
      { qos: 1 },
    );
    await svc.trygg.engine.supervise();
    const after = await svc.trygg.pool.query<{ state: string; kinds: string[] }>(
      `SELECT a.state, array_agg(t.kind ORDER BY t.seq) AS kinds FROM alarms a JOIN alarm_timeline t ON t.alarm_id = a.id
        WHERE a.device_id = $1 AND a.type = 'technical.offline' GROUP BY a.state`,
      [id],
    );
    expect(after.rows).toEqual([{ state: 'resolved', kinds: ['opened', 'notified', 'cleared'] }]);
  });

  it('a button press while a technical alarm is open is its own care alarm', async () => {
    const id = 'res-per-button';
    const dev = await svc.device(id);
    await dev.publishAsync(
      `trygg/v1/devices/${id}/events`,
      JSON.stringify({ id: randomUUID(), type: 'technical.battery-low', ts: new Date().toISOString() }),
      { qos: 1 },
    );
    await raise(id, 'alarm.button');
    await expect
      .poll(async () =>
        (
          await svc.trygg.pool.query<{ class: string }>(`SELECT class FROM alarms WHERE device_id = $1 ORDER BY class`, [id])
        ).rows.map((r) => r.class),
      )
      .toEqual(['care', 'technical']);
  });

  it('uses the most specific policy, one relative at a time, and leaves open alarms alone', async () => {
    const admin = (await svc.login('admin')).token;
    const chain = {
      source: 'per',
      steps: [
        { type: 'notify', to: ['relatives'], mode: 'one-by-one', timeoutS: 60 },
        { type: 'notify', to: ['response-centre'], timeoutS: 60 },
      ],
    };
    const saved = await svc.api<{ id: string }>('PUT', '/api/escalation-policies', admin, {
      scope: 'resident',
      scopeId: 'res-per',
      chain,
    });
    expect(saved.status).toBe(200);
    const alarm = await raise('res-per-fall', 'alarm.fall');
    expect(alarm.escalation.chain.source).toBe(`policy:${saved.body.id}`);
    expect(alarm.escalation.alerts.map((a) => a.recipient.name)).toEqual(['Liv Hansen']);
    // Editing the policy does not change the alarm in flight.
    await svc.api('PUT', '/api/escalation-policies', admin, {
      scope: 'resident',
      scopeId: 'res-per',
      chain: { ...chain, steps: [chain.steps[1]] },
    });
    const { token } = await svc.login('operator');
    const again = await svc.api<{ alarm: Alarm }>('GET', `/api/alarms/${alarm.id}`, token);
    expect(again.body.alarm.escalation.chain.steps).toHaveLength(2);
    // Only administrators write policies; nonsense is refused with a code.
    expect(
      (await svc.api('PUT', '/api/escalation-policies', token, { scope: 'resident', scopeId: 'res-per', chain })).status,
    ).toBe(403);
    const bad = await svc.api<{ code: string }>('PUT', '/api/escalation-policies', admin, {
      scope: 'resident',
      scopeId: 'res-per',
      chain: { source: 'x', steps: [] },
    });
    expect([bad.status, bad.body.code]).toEqual([400, 'TRYGG_ERR_VALIDATION']);
    const loop = await svc.api<{ code: string }>('PUT', '/api/escalation-policies', admin, {
      scope: 'alarm-type',
      scopeId: 'alarm.fall',
      chain: { source: 'x', steps: [{ type: 'repeat', fromStep: 0, times: 2 }] },
    });
    expect([loop.status, loop.body.code]).toEqual([400, 'TRYGG_ERR_VALIDATION']);
    const nobody = await svc.api<{ code: string }>('PUT', '/api/escalation-policies', admin, {
      scope: 'site',
      scopeId: 'nowhere',
      chain,
    });
    expect([nobody.status, nobody.body.code]).toEqual([404, 'TRYGG_ERR_NOT_FOUND']);
  });

  it("downloads an alarm's journal record as FHIR JSON and XML", async () => {
    const alarm = await raise('res-astrid-button', 'alarm.button');
    await command('operator', alarm.id, { type: 'claim' });
    await command('operator', alarm.id, {
      type: 'resolve',
      note: 'Ringte, alt vel <ok>',
      cause: 'accidental',
      action: 'phone-call',
    });
    const { token } = await svc.login('operator');
    const res = await fetch(`${svc.httpUrl}/api/alarms/${alarm.id}/journal`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/fhir\+json/);
    const bundle = (await res.json()) as {
      resourceType: string;
      type: string;
      entry: { resource: { resourceType: string; patient?: unknown; subject?: unknown } }[];
    };
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'transaction' });
    expect(bundle.entry.map((e) => e.resource.resourceType).sort()).toEqual(['Composition', 'DetectedIssue', 'Encounter']);
    const issue = bundle.entry.find((e) => e.resource.resourceType === 'DetectedIssue')?.resource;
    expect(JSON.stringify(issue?.patient)).toContain('urn:oid:2.16.578.1.12.4.1.4.1');
    const xml = await fetch(`${svc.httpUrl}/api/alarms/${alarm.id}/journal?format=xml`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(xml.headers.get('content-type')).toMatch(/application\/fhir\+xml/);
    const text = await xml.text();
    expect(text).toMatch(/^<Bundle xmlns="http:\/\/hl7.org\/fhir">/);
    expect(text).toContain('&lt;ok&gt;');
    // Only operators and administrators export; others are refused.
    const relative = await svc.login('ola');
    expect((await svc.api('GET', `/api/alarms/${alarm.id}/journal`, relative.token)).status).toBe(403);
  });
});
