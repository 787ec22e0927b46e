/**
 * The municipality owns its data: every dataset exports as NDJSON (secrets never leave; the audit
 * trail as FHIR AuditEvent, paged through large tables), and a resident's personal data can be
 * erased while the audit trail and the journal's record stay intact.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alarm } from '@trygg/alarm-core';
import { fhirValidator } from '@trygg/alarm-core/fhir-schema';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let admin: string;

beforeAll(async () => {
  svc = await startTestService();
  admin = (await svc.login('admin')).token;
});
afterAll(async () => {
  await svc?.stop();
});

async function ndjson(dataset: string): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${svc.httpUrl}/api/admin/export/${dataset}`, { headers: { authorization: `Bearer ${admin}` } });
  expect(res.status, dataset).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
  const text = await res.text();
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('export', () => {
  it('writes every dataset as NDJSON, without secrets, paging through a large table', async () => {
    const residents = await ndjson('residents');
    const count = await svc.trygg.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM residents');
    expect(residents).toHaveLength(count.rows[0]?.n ?? -1);
    const users = await ndjson('users');
    expect(users.length).toBeGreaterThan(5);
    for (const u of users) expect(u).not.toHaveProperty('password_hash');
    for (const d of await ndjson('devices')) {
      expect(d).not.toHaveProperty('secret_hash');
      expect(d).not.toHaveProperty('sip_ha1');
    }
    // 4 500 measurements at the same instant: the pages must neither skip nor repeat any.
    await svc.trygg.pool.query(
      `INSERT INTO telemetry (time, device_id, metric, value)
       SELECT '2026-01-01T00:00:00Z', 'res-kari-button', 'm' || lpad(g::text, 5, '0'), g FROM generate_series(1, 4500) g`,
    );
    const telemetry = await ndjson('telemetry');
    const mine = telemetry.filter((t) => String(t.metric).startsWith('m'));
    expect(mine).toHaveLength(4500);
    expect(new Set(mine.map((t) => t.metric)).size).toBe(4500);
    expect((await svc.api('GET', '/api/admin/export/residents', (await svc.login('operator')).token)).status).toBe(403);
  });

  it('exports alarms with their timelines and the audit trail as valid FHIR AuditEvent', async () => {
    const alarm = await svc.raiseAlarm('res-per-button');
    const alarms = await ndjson('alarms');
    const exported = alarms.find((a) => (a.alarm as Alarm).id === alarm.id) as { alarm: Alarm; timeline: { kind: string }[] };
    expect(exported.timeline[0]?.kind).toBe('opened');
    const audit = await ndjson('audit');
    expect(audit.length).toBeGreaterThan(0);
    const validate = fhirValidator();
    for (const e of audit) expect(validate('AuditEvent', e)).toEqual([]);
  });
});

describe('erasure', () => {
  it('erases a resident’s personal data, but not while an alarm is open, and keeps the audit trail and the journal record', async () => {
    const alarm = await svc.raiseAlarm('res-kari-button');
    const refused = await svc.api<{ code: string }>('DELETE', '/api/residents/res-kari/personal-data', admin);
    expect([refused.status, refused.body.code]).toEqual([409, 'TRYGG_ERR_RESIDENT_ACTIVE']);

    const operator = (await svc.login('operator')).token;
    await svc.api('POST', `/api/alarms/${alarm.id}/commands`, operator, { id: randomUUID(), type: 'claim' });
    await svc.api('POST', `/api/alarms/${alarm.id}/commands`, operator, {
      id: randomUUID(),
      type: 'resolve',
      note: 'Falt, hjulpet opp',
      cause: 'fall',
      action: 'home-visit',
    });
    const auditBefore = await svc.trygg.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE 'res-kari' = ANY (patient_ids)`,
    );

    const erased = await svc.api<{ relatives: number; accounts: number; alarms: number }>(
      'DELETE',
      '/api/residents/res-kari/personal-data',
      admin,
    );
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ relatives: 1, accounts: 1, alarms: 1 });

    const db = svc.trygg.pool;
    const resident = (
      await db.query('SELECT name, national_id, address, key_safe, notes FROM residents WHERE id = $1', ['res-kari'])
    ).rows[0];
    expect(resident).toEqual({ name: 'Slettet person', national_id: null, address: null, key_safe: null, notes: null });
    expect((await db.query(`SELECT name, address FROM sites WHERE id = 'home-kari'`)).rows[0]).toEqual({
      name: 'Slettet person',
      address: null,
    });
    expect((await db.query(`SELECT 1 FROM relatives WHERE resident_id = 'res-kari'`)).rowCount).toBe(0);
    expect((await db.query(`SELECT 1 FROM users WHERE username = 'ola'`)).rowCount).toBe(0);
    const doc = (await db.query<{ doc: Alarm }>('SELECT doc FROM alarms WHERE id = $1', [alarm.id])).rows[0]?.doc;
    expect(doc?.subject).toMatchObject({ residentName: 'Slettet person', address: null });
    expect(doc?.escalation.roster.relatives.map((r) => r.name)).toEqual(['Slettet pårørende']);
    expect(JSON.stringify(doc)).not.toContain('Nordmann');

    // The audit trail is untouched (and records the erasure); the journal's record, not yet delivered, is kept whole.
    const auditAfter = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE 'res-kari' = ANY (patient_ids)`,
    );
    expect(auditAfter.rows[0]?.n).toBe((auditBefore.rows[0]?.n ?? 0) + 1);
    expect(
      (await db.query(`SELECT 1 FROM audit_events WHERE action = 'resident.erase' AND resident_id = 'res-kari'`)).rowCount,
    ).toBe(1);
    const journal = await db.query<{ record: Alarm; status: string }>(
      'SELECT record, status FROM journal_outbox WHERE alarm_id = $1',
      [alarm.id],
    );
    expect(journal.rows[0]?.status).toBe('pending');
    expect(journal.rows[0]?.record.subject.residentName).toBe('Kari Nordmann');
  });
});
