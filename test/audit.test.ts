/**
 * The audit trail: every personal-data route writes exactly one audit event with the BALP
 * fields; the export is FHIR AuditEvent (NDJSON, XML) valid against the R4 schema; an
 * administrator sees who has looked at a resident; one user opening many residents' records in a
 * short time alerts the administrators.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fhirValidator } from '@trygg/alarm-core/fhir-schema';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;

beforeAll(async () => {
  svc = await startTestService({ config: { auditUnusualResidents: 2, auditUnusualWindowS: 600 } });
});
afterAll(async () => {
  await svc?.stop();
});

interface Row {
  action: string;
  subtype: string;
  purpose: string;
  source_ip: string;
  request_id: string;
  client_id: string;
  actor_user_id: string;
  actor_role: string;
  outcome: string;
  patient_ids: string[];
  query: string | null;
}
const newRows = async (since: number) =>
  (await svc.trygg.pool.query<Row>('SELECT * FROM audit_events WHERE id > $1 ORDER BY id', [since])).rows;
const lastId = async () =>
  Number((await svc.trygg.pool.query<{ m: string | null }>('SELECT max(id) AS m FROM audit_events')).rows[0]?.m ?? 0);

/** One call; the audit rows it left. */
async function audited(method: string, url: string, token: string): Promise<Row[]> {
  const before = await lastId();
  const res = await svc.api(method, url, token);
  expect(res.status, `${method} ${url}`).toBeLessThan(300);
  return newRows(before);
}

describe('audit events', () => {
  it('writes exactly one BALP-shaped event per personal-data request', async () => {
    const alarm = await svc.raiseAlarm('res-kari-button');
    const { token } = await svc.login('operator');
    const admin = (await svc.login('admin')).token;

    const list = await audited('GET', '/api/alarms', token);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      action: 'alarm.search',
      subtype: 'search',
      purpose: 'TREAT',
      actor_user_id: 'user-operator',
      actor_role: 'operator',
      client_id: 'trygg-web',
      outcome: 'success',
      source_ip: '127.0.0.1',
    });
    expect(list[0]?.patient_ids).toContain('res-kari');
    expect(list[0]?.request_id).toBeTruthy();

    const read = await audited('GET', `/api/alarms/${alarm.id}`, token);
    expect(read).toHaveLength(1);
    expect(read[0]).toMatchObject({ action: 'alarm.read', subtype: 'read', patient_ids: ['res-kari'] });

    const exported = await audited('GET', `/api/alarms/${alarm.id}/journal`, token);
    expect(exported).toHaveLength(1);
    expect(exported[0]).toMatchObject({ action: 'journal-record.read', patient_ids: ['res-kari'] });

    const entries = await audited('GET', '/api/journal/entries', admin);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ subtype: 'search', purpose: 'HOPERAT', query: '' });

    // A command is audited by the engine, in the transaction that applies it: still exactly one.
    const before = await lastId();
    await svc.api('POST', `/api/alarms/${alarm.id}/commands`, token, { id: randomUUID(), type: 'claim' });
    expect(await newRows(before)).toEqual([
      expect.objectContaining({ action: 'alarm.claim', subtype: 'update', patient_ids: ['res-kari'] }),
    ]);

    // Refused at the door: nothing was read, nothing to audit.
    const refused = await lastId();
    expect((await svc.api('GET', `/api/alarms/${alarm.id}`, (await svc.login('staff1')).token)).status).toBe(403);
    expect(await newRows(refused)).toEqual([]);
  });

  it('exports the trail as FHIR AuditEvent, valid against the R4 schema, in NDJSON and XML', async () => {
    const admin = (await svc.login('admin')).token;
    const res = await fetch(`${svc.httpUrl}/api/audit/events?resident=res-kari`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(res.headers.get('content-type')).toMatch(/application\/fhir\+ndjson/);
    const events = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.length).toBeGreaterThanOrEqual(4);
    const validate = fhirValidator();
    for (const e of events) expect(validate('AuditEvent', e)).toEqual([]);
    const read = events.find((e) => (e.subtype as { code: string }[])[0]?.code === 'read');
    expect(read).toMatchObject({
      type: { code: 'rest' },
      action: 'R',
      outcome: '0',
      meta: { profile: ['https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientRead'] },
    });
    const entity = read?.entity as {
      type: { code: string };
      role?: { code: string };
      what?: { identifier: { value: string } };
    }[];
    expect(entity.find((x) => x.role?.code === '1')?.what?.identifier.value).toBe('res-kari');
    expect(entity.some((x) => x.type.code === 'XrequestId')).toBe(true);
    const agents = read?.agent as { requestor: boolean; network?: { address: string } }[];
    expect(agents.filter((a) => a.requestor)).toEqual([
      expect.objectContaining({ network: { address: '127.0.0.1', type: '2' } }),
    ]);

    const xml = await fetch(`${svc.httpUrl}/api/audit/events?resident=res-kari&format=xml`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    const text = await xml.text();
    expect(text.startsWith('<Bundle xmlns="http://hl7.org/fhir"><type value="collection"/>')).toBe(true);
    expect(text.match(/<AuditEvent>/g)?.length).toBe(events.length + 1); // the export itself is audited too
  });

  it('shows an administrator who has looked at a resident', async () => {
    const admin = (await svc.login('admin')).token;
    const res = await svc.api<{ access: { userId: string; action: string; purpose: string }[] }>(
      'GET',
      '/api/audit/residents/res-kari/access',
      admin,
    );
    expect(res.status).toBe(200);
    expect(res.body.access).toEqual(
      expect.arrayContaining([expect.objectContaining({ userId: 'user-operator', action: 'alarm.read', purpose: 'TREAT' })]),
    );
    expect((await svc.api('GET', '/api/audit/residents/res-kari/access', (await svc.login('operator')).token)).status).toBe(403);
  });

  it('alerts administrators when one user opens many residents’ records in a short time', async () => {
    const admin = await svc.operatorSocket((await svc.login('admin')).token);
    const heard: { userId: string; residents: number }[] = [];
    admin.on('access:unusual', (a) => heard.push(a));
    const { token } = await svc.login('operator2');
    for (const device of ['res-per-button', 'res-astrid-button', 'rom-101-cord']) {
      const alarm = await svc.raiseAlarm(device);
      await svc.api('GET', `/api/alarms/${alarm.id}`, token);
    }
    await expect.poll(() => heard, { timeout: 5_000 }).toEqual([{ userId: 'user-operator2', residents: 3, windowS: 600 }]);
    expect(svc.logs.some((l) => l.code === 'TRYGG_ERR_UNUSUAL_ACCESS' && l.userId === 'user-operator2')).toBe(true);
    admin.close();
  });

  it('lets an operator break the glass for one resident, with a reason, for a while — audited as emergency and announced', async () => {
    const adminSocket = await svc.operatorSocket((await svc.login('admin')).token);
    const announced: { userId: string; residentId: string; reason: string }[] = [];
    adminSocket.on('access:break-glass', (g) => announced.push(g));
    const { token } = await svc.login('operator');
    await svc.trygg.pool.query(`UPDATE residents SET key_safe = 'Nøkkelboks ved døren, kode 1234' WHERE id = 'res-per'`);
    const before = await svc.api<{ resident: { keySafe: string | null } }>('GET', '/api/residents/res-per', token);
    expect(before.body.resident.keySafe).toBeNull();

    expect((await svc.api('POST', '/api/residents/res-per/break-glass', token, { reason: 'kort' })).status).toBe(400);
    const grant = await svc.api<{ expiresAt: string }>('POST', '/api/residents/res-per/break-glass', token, {
      reason: 'Datter ringer: mor svarer ikke, hjemmetjenesten trenger nøkkelboksen',
      minutes: 10,
    });
    expect(grant.status).toBe(201);
    await expect
      .poll(() => announced, { timeout: 5_000 })
      .toEqual([
        expect.objectContaining({
          userId: 'user-operator',
          residentId: 'res-per',
          reason: expect.stringContaining('Datter ringer') as unknown,
        }),
      ]);
    const last = await lastId();
    const after = await svc.api<{ resident: { keySafe: string | null } }>('GET', '/api/residents/res-per', token);
    expect(after.body.resident.keySafe).toContain('kode 1234');
    expect(await newRows(last)).toEqual([
      expect.objectContaining({ action: 'resident.read', purpose: 'ETREAT', patient_ids: ['res-per'] }),
    ]);
    // Only for that resident, and only for a while.
    expect(
      (await svc.api<{ resident: { keySafe: string | null } }>('GET', '/api/residents/res-astrid', token)).body.resident.keySafe,
    ).toBeNull();
    await svc.trygg.pool.query(
      `UPDATE access_grants SET expires_at = now() - interval '1 second', granted_at = now() - interval '1 minute'`,
    );
    expect(
      (await svc.api<{ resident: { keySafe: string | null } }>('GET', '/api/residents/res-per', token)).body.resident.keySafe,
    ).toBeNull();
    adminSocket.close();
  });
});
