/**
 * Journal delivery against a faithful local receiver (OAuth private_key_jwt + DPoP, R4 schema
 * validation, conditional create) that fails on command: down for a long stretch, answering
 * 500s, timing out after storing, answering 202 and journaling later. Afterwards every alarm is
 * in the journal exactly once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalBacklogState, JournalEntry } from '@trygg/alarm-core';
import type { FhirReceiver } from '@trygg/simulators/fhir-receiver';
import { startWithJournal, type JournalSetup } from './support/journal.js';
import type { TestService } from './support/service.js';

let setup: JournalSetup;
let receiver: FhirReceiver;
let svc: TestService;
let handledAlarm: JournalSetup['handledAlarm'];

beforeAll(async () => {
  setup = await startWithJournal();
  ({ svc, receiver, handledAlarm } = setup);
});
afterAll(async () => {
  await setup?.stop();
});

const status = async (alarmId: string) => {
  const { token } = await svc.login('operator');
  return (
    await svc.api<{ status: string; attempts: number; lastError: string | null }>(
      'GET',
      `/api/alarms/${alarmId}/journal/status`,
      token,
    )
  ).body;
};
/** How many records of each type the journal holds for this alarm. */
const recordsOf = (alarmId: string) =>
  [...receiver.records().entries()]
    .filter(([key]) => key.includes(alarmId))
    .map(([, r]) => r.resourceType)
    .sort();

describe('journal delivery', () => {
  it('delivers a handled alarm: token with private_key_jwt and DPoP, schema-valid, journaled', async () => {
    const id = await handledAlarm('res-kari-button');
    await expect.poll(async () => (await status(id)).status, { timeout: 10_000 }).toBe('journaled');
    expect(recordsOf(id)).toEqual(['Composition', 'DetectedIssue', 'Encounter']);
    expect(receiver.stats.rejected).toEqual([]);
  });

  it('rides out a journal that is down for a long stretch, then delivers each entry once', async () => {
    receiver.setMode('down');
    const ids = [await handledAlarm('res-per-button'), await handledAlarm('res-astrid-button')];
    await expect
      .poll(async () => Math.min(...(await Promise.all(ids.map(async (i) => (await status(i)).attempts)))), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(3);
    for (const i of ids) expect((await status(i)).status).toBe('pending');
    const admin = (await svc.login('admin')).token;
    const backlog = await svc.api<{ pending: number }>('GET', '/api/journal/backlog', admin);
    expect(backlog.status, JSON.stringify(backlog.body)).toBe(200);
    expect(backlog.body.pending).toBeGreaterThanOrEqual(2);
    receiver.setMode('ok');
    for (const i of ids) await expect.poll(async () => (await status(i)).status, { timeout: 10_000 }).toBe('journaled');
    for (const i of ids) expect(recordsOf(i)).toEqual(['Composition', 'DetectedIssue', 'Encounter']);
  });

  it('retries 500s, and a timeout after the journal stored it never makes a second record', async () => {
    receiver.setMode('500');
    const a = await handledAlarm('rom-101-cord');
    await expect.poll(async () => (await status(a)).attempts, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    receiver.setMode('timeout-after-store');
    const b = await handledAlarm('rom-102-cord');
    await expect.poll(() => recordsOf(b).length, { timeout: 10_000 }).toBe(3);
    await expect.poll(async () => (await status(b)).attempts, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    expect((await status(b)).status).toBe('pending');
    const deduplicatedBefore = receiver.stats.deduplicated;
    receiver.setMode('ok');
    for (const i of [a, b]) await expect.poll(async () => (await status(i)).status, { timeout: 10_000 }).toBe('journaled');
    expect(recordsOf(a)).toEqual(['Composition', 'DetectedIssue', 'Encounter']);
    expect(recordsOf(b)).toEqual(['Composition', 'DetectedIssue', 'Encounter']);
    expect(receiver.stats.deduplicated).toBeGreaterThan(deduplicatedBefore);
  });

  it('follows a 202 Accepted until the journal reports it journaled', async () => {
    receiver.setMode('accept-202');
    const id = await handledAlarm('rom-103-cord');
    await expect.poll(async () => (await status(id)).status, { timeout: 10_000 }).toBe('sent');
    receiver.journalPending();
    await expect.poll(async () => (await status(id)).status, { timeout: 10_000 }).toBe('journaled');
    receiver.setMode('ok');
  });

  it('lets an administrator re-send, and still journals once', async () => {
    const id = await handledAlarm('rom-104-cord');
    await expect.poll(async () => (await status(id)).status, { timeout: 10_000 }).toBe('journaled');
    const admin = (await svc.login('admin')).token;
    const resend = await svc.api<{ status: string }>('POST', `/api/alarms/${id}/journal/resend`, admin);
    expect(resend.body.status).toBe('pending');
    await expect.poll(async () => (await status(id)).status, { timeout: 10_000 }).toBe('journaled');
    expect(recordsOf(id)).toEqual(['Composition', 'DetectedIssue', 'Encounter']);
    const operator = (await svc.login('operator')).token;
    expect((await svc.api('POST', `/api/alarms/${id}/journal/resend`, operator)).status).toBe(403);
  });

  it('journals a dispensed dose once, as a MedicationDispense, even when the dispenser sends it twice', async () => {
    const dev = await svc.device('res-astrid-dispenser');
    const eventId = randomUUID();
    const event = JSON.stringify({ id: eventId, type: 'dispenser.dispensed', ts: new Date().toISOString() });
    await dev.publishAsync('trygg/v1/devices/res-astrid-dispenser/events', event, { qos: 1 });
    await dev.publishAsync('trygg/v1/devices/res-astrid-dispenser/events', event, { qos: 1 });
    const key = `res-astrid-dispenser/${eventId}`;
    const entries = async () =>
      (
        await svc.trygg.pool.query<{ kind: string; status: string; resident_id: string }>(
          `SELECT kind, status, resident_id FROM journal_outbox WHERE record->>'eventId' = $1`,
          [eventId],
        )
      ).rows;
    await expect
      .poll(entries, { timeout: 10_000 })
      .toEqual([{ kind: 'dispenser', status: 'journaled', resident_id: 'res-astrid' }]);
    expect(recordsOf(key)).toEqual(['MedicationDispense']);
    const dispense = [...receiver.records().entries()].find(([k]) => k.includes(key))?.[1].resource as {
      subject: { identifier: { value: string } };
    };
    expect(dispense.subject.identifier.value).toMatch(/^\d{11}$/);
  });

  it('raises the backlog alert to administrators, lists the failed entry with its error, and a re-send delivers it', async () => {
    const adminToken = (await svc.login('admin')).token;
    const operatorToken = (await svc.login('operator')).token;
    const adminSocket = await svc.operatorSocket(adminToken);
    const operatorSocket = await svc.operatorSocket(operatorToken);
    const heard: JournalBacklogState[] = [];
    const operatorHeard: JournalBacklogState[] = [];
    adminSocket.on('journal:backlog', (s) => heard.push(s));
    operatorSocket.on('journal:backlog', (s) => operatorHeard.push(s));

    // The journal does not know this resident: the entry fails, with the journal's reason.
    receiver.setMode('unknown-patient');
    const id = await handledAlarm('rom-201-cord');
    await expect.poll(async () => (await status(id)).status, { timeout: 10_000 }).toBe('failed');
    expect((await status(id)).lastError).toMatch(/no patient/);
    // It has waited two hours: past the threshold (TRYGG_JOURNAL_ALERT_AFTER_S, one hour by default).
    await svc.trygg.pool.query(`UPDATE journal_outbox SET created_at = now() - interval '2 hours' WHERE alarm_id = $1`, [id]);
    await expect.poll(() => heard.at(-1)?.alerting, { timeout: 10_000 }).toBe(true);
    expect(heard.at(-1)).toMatchObject({ failed: 1, alertAfterS: 3600 });
    expect(heard.at(-1)?.oldestUndeliveredS).toBeGreaterThanOrEqual(7200);
    expect(svc.logs.some((l) => l.code === 'TRYGG_ERR_JOURNAL_BACKLOG' && l.level === 50)).toBe(true);
    const backlog = await svc.api<JournalBacklogState>('GET', '/api/journal/backlog', adminToken);
    expect(backlog.body).toMatchObject({ alerting: true, failed: 1 });

    const list = await svc.api<{ entries: JournalEntry[] }>('GET', '/api/journal/entries?status=undelivered', adminToken);
    expect(list.status).toBe(200);
    const entry = list.body.entries.find((e) => e.alarmId === id);
    expect(entry).toMatchObject({ kind: 'alarm', status: 'failed', type: 'alarm.button', residentId: 'res-rom-201' });
    expect(entry?.lastError).toMatch(/422.*no patient|no patient/);
    expect((await svc.api('GET', '/api/journal/entries', operatorToken)).status).toBe(403);
    const audited = await svc.trygg.pool.query(
      `SELECT 1 FROM audit_events WHERE action = 'journal.search' AND actor_user_id = 'user-admin' AND 'res-rom-201' = ANY (patient_ids)`,
    );
    expect(audited.rowCount).toBeGreaterThanOrEqual(1);

    // The resident is registered in the journal now: the administrator sends it again.
    receiver.setMode('ok');
    const resend = await svc.api<JournalEntry>('POST', `/api/journal/entries/${entry?.id ?? ''}/resend`, adminToken);
    expect(resend.body).toMatchObject({ status: 'pending', lastError: null });
    await expect.poll(async () => (await status(id)).status, { timeout: 10_000 }).toBe('journaled');
    await expect.poll(() => heard.at(-1)?.alerting, { timeout: 10_000 }).toBe(false);
    expect(operatorHeard).toEqual([]);
    adminSocket.close();
    operatorSocket.close();
  });

  it('afterwards holds every handled alarm and dispensed dose exactly once', async () => {
    const { rows } = await svc.trygg.pool.query<{
      alarm_id: string | null;
      kind: string;
      status: string;
      record: { eventId?: string };
    }>('SELECT alarm_id, kind, status, record FROM journal_outbox');
    expect(rows.length).toBe(9);
    for (const r of rows) {
      expect(r.status).toBe('journaled');
      if (r.kind === 'alarm') expect(recordsOf(r.alarm_id ?? '')).toEqual(['Composition', 'DetectedIssue', 'Encounter']);
      else expect(recordsOf(r.record.eventId ?? '')).toEqual(['MedicationDispense']);
    }
    const attempts = await svc.trygg.pool.query<{ outcome: string }>('SELECT DISTINCT outcome FROM journal_attempts ORDER BY 1');
    expect(attempts.rows.map((r) => r.outcome)).toEqual(expect.arrayContaining(['accepted', 'journaled', 'retry']));
  });
});
