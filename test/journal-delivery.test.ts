/**
 * Journal delivery against a faithful local receiver (OAuth private_key_jwt + DPoP, R4 schema
 * validation, conditional create) that fails on command: down for a long stretch, answering
 * 500s, timing out after storing, answering 202 and journaling later. Afterwards every alarm is
 * in the journal exactly once.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFhirReceiver, type FhirReceiver } from '../simulators/src/fhir-receiver/index.js';
import { startTestService, type TestService } from './support/service.js';

const SCHEMA = new URL('../../shared/reference/fhir/fhir.r4.schema.json', import.meta.url);

let receiver: FhirReceiver;
let svc: TestService;
let dir: string;

beforeAll(async () => {
  receiver = await startFhirReceiver({ requireDpop: true });
  dir = await mkdtemp(path.join(os.tmpdir(), 'trygg-journal-'));
  const keyFile = path.join(dir, 'journal-key.json');
  await writeFile(keyFile, JSON.stringify(receiver.clientPrivateJwk), { mode: 0o600 });
  svc = await startTestService({
    config: {
      journalUrl: receiver.baseUrl,
      journalTokenUrl: receiver.tokenUrl,
      journalClientId: receiver.clientId,
      journalKeyFile: keyFile,
      journalDpop: true,
    },
    start: { journal: { baseBackoffMs: 50, maxBackoffMs: 400, followUpMs: 100, pollMs: 50, timeoutMs: 500 } },
  });
});
afterAll(async () => {
  await svc?.stop();
  await receiver?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Raises, claims and resolves an alarm from a device; returns its id. */
async function handledAlarm(deviceId: string): Promise<string> {
  const { id } = await svc.raiseAlarm(deviceId);
  const { token } = await svc.login('operator');
  await svc.api('POST', `/api/alarms/${id}/commands`, token, { id: randomUUID(), type: 'claim' });
  const res = await svc.api('POST', `/api/alarms/${id}/commands`, token, {
    id: randomUUID(),
    type: 'resolve',
    note: 'Ringte, alt vel',
    cause: 'accidental',
    action: 'phone-call',
  });
  expect(res.status).toBe(200);
  return id;
}

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

describe.skipIf(!existsSync(SCHEMA))('journal delivery', () => {
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

  it('afterwards holds every handled alarm exactly once', async () => {
    const { rows } = await svc.trygg.pool.query<{ alarm_id: string; status: string }>(
      'SELECT alarm_id, status FROM journal_outbox',
    );
    expect(rows.length).toBe(7);
    for (const r of rows) {
      expect(r.status).toBe('journaled');
      expect(recordsOf(r.alarm_id)).toEqual(['Composition', 'DetectedIssue', 'Encounter']);
    }
    const attempts = await svc.trygg.pool.query<{ outcome: string }>('SELECT DISTINCT outcome FROM journal_attempts ORDER BY 1');
    expect(attempts.rows.map((r) => r.outcome)).toEqual(expect.arrayContaining(['accepted', 'journaled', 'retry']));
  });
});
