/**
 * Silence that leaves a person unprotected alerts the response centre too (issue 19): a real
 * SCAIP unit (the simulators' unit over SIP/UDP) registers and sends its heartbeat, then falls
 * silent; heartbeat supervision raises an offline alarm whose chain alerts the technicians and
 * the response centre together, and the operators' queue has it. A silent bed sensor (a kind
 * that protects nobody on its own) stays with the technicians. And the dispenser's "refill
 * needed" arrives over SCAIP (vendor status code 0901) and over MQTT as its own technical alarm.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScaipUnit } from '@trygg/simulators';
import { createScaipUnit, startUnit } from './support/scaip.js';
import { startTestService, type TestService } from './support/service.js';
import type { Alarm } from './support/types.js';

let svc: TestService;
let db: pg.Pool;
const units: ScaipUnit[] = [];
beforeAll(async () => {
  svc = await startTestService();
  db = new pg.Pool({ connectionString: svc.db.url, max: 2 });
  // Devices get one heartbeat interval of grace after ingress comes up (docs/supervision.md):
  // these tests are about a device's own silence, so the ingress has been up an hour.
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    const { rowCount } = await db.query(`UPDATE service_ingress SET up_since = now() - interval '1 hour' WHERE up`);
    if ((rowCount ?? 0) >= 2) break;
  }
  // The technician is reached by SMS (no app on a phone here): alerted, not unreachable.
  await db.query(`UPDATE users SET phone = '+4790000077' WHERE id = 'user-tech'`);
});
afterAll(async () => {
  for (const u of units) await u.stop();
  await db?.end();
  await svc?.stop();
});

const alarmsOf = async (deviceId: string, type: string) =>
  (
    await db.query<{ doc: Alarm }>('SELECT doc FROM alarms WHERE device_id = $1 AND type = $2 ORDER BY opened_at', [
      deviceId,
      type,
    ])
  ).rows.map((r) => r.doc);

async function alarmOf(deviceId: string, type: string): Promise<Alarm> {
  await expect.poll(async () => (await alarmsOf(deviceId, type)).length, { timeout: 15_000 }).toBeGreaterThan(0);
  const a = (await alarmsOf(deviceId, type)).at(-1);
  if (!a) throw new Error('no alarm');
  return a;
}

/** The device fell silent long ago: its last sighting moved back past twice its interval plus the grace. */
const silence = (deviceId: string) =>
  db.query(`UPDATE devices SET last_seen_at = last_seen_at - interval '2 days' WHERE id = $1`, [deviceId]);

describe('offline supervision', () => {
  it('a SCAIP social-alarm unit that falls silent raises an offline alarm the response centre is alerted for', async () => {
    const row = await createScaipUnit(db, 'scaip-silent');
    const unit = await startUnit(svc, row);
    units.push(unit);
    const { status, mrs } = await unit.heartbeat();
    expect([status, mrs?.snu]).toEqual([200, 0]);
    // The heartbeat is what supervision compares with.
    await expect
      .poll(async () => (await db.query('SELECT 1 FROM devices WHERE id = $1 AND last_seen_at IS NOT NULL', [row.id])).rowCount)
      .toBe(1);
    await svc.trygg.engine.supervise();
    expect(await alarmsOf(row.id, 'technical.offline')).toEqual([]);

    await unit.stop();
    await silence(row.id);
    await svc.trygg.engine.supervise();
    const offline = await alarmOf(row.id, 'technical.offline');
    expect(offline).toMatchObject({
      state: 'open',
      class: 'technical',
      subject: { residentName: 'Ingrid Berg' },
      escalation: { chain: { source: 'default:offline-protecting' } },
    });
    expect(offline.escalation.alerts.map((a) => [a.recipient.kind, a.state]).sort()).toEqual([
      ['response-centre', 'pending'],
      ['technician', 'pending'],
    ]);
    // The response centre's alert is written with the change, and the operators' queue shows the alarm.
    const rc = await db.query(
      `SELECT 1 FROM notifications WHERE alarm_id = $1 AND kind = 'alert' AND recipient->>'kind' = 'response-centre'`,
      [offline.id],
    );
    expect(rc.rowCount).toBe(1);
    const { token } = await svc.login('operator');
    const queue = await svc.api<{ alarms: Alarm[] }>('GET', '/api/alarms', token);
    expect(queue.body.alarms.map((a) => a.id)).toContain(offline.id);
  });

  it('a silent bed sensor (no person depends on it alone) goes to technicians only', async () => {
    const id = 'rom-101-bed';
    const { rowCount } = await db.query(`UPDATE devices SET last_seen_at = now() - interval '2 days' WHERE id = $1`, [id]);
    expect(rowCount).toBe(1);
    await svc.trygg.engine.supervise();
    const offline = await alarmOf(id, 'technical.offline');
    expect(offline.escalation.chain.source).toBe('default:technical');
    expect(offline.escalation.alerts.map((a) => a.recipient.kind)).toEqual(['technician']);
  });
});

describe('refill needed', () => {
  it('arrives over SCAIP (dty 0011, stc 0901) and over MQTT as a technical alarm for technicians, relatives informed', async () => {
    const row = await createScaipUnit(db, 'scaip-dispenser', { residentId: 'res-astrid', siteId: 'home-astrid' });
    const unit = await startUnit(svc, row);
    units.push(unit);
    const { status, mrs } = await unit.mrq({ ref: 'R901', dty: '0011', stc: '0901' });
    expect([status, mrs?.snu]).toEqual([200, 0]);
    const viaScaip = await alarmOf(row.id, 'dispenser.refill-needed');
    expect(viaScaip).toMatchObject({
      class: 'technical',
      priority: 10,
      escalation: { chain: { source: 'default:dispenser-refill' } },
    });
    expect(viaScaip.escalation.alerts.filter((a) => a.state === 'pending').map((a) => a.recipient.kind)).toEqual(['technician']);

    const dev = await svc.device('res-astrid-dispenser');
    await dev.publishAsync(
      'trygg/v1/devices/res-astrid-dispenser/events',
      JSON.stringify({ id: randomUUID(), type: 'dispenser.refill-needed', ts: new Date().toISOString() }),
      { qos: 1 },
    );
    const viaMqtt = await alarmOf('res-astrid-dispenser', 'dispenser.refill-needed');
    const states = viaMqtt.escalation.alerts.map((a) => [a.recipient.kind, a.state]);
    expect(states).toContainEqual(['technician', 'pending']);
    // Astrid's relatives are told, not asked.
    const relatives = states.filter(([kind]) => kind === 'relative');
    expect(relatives.length).toBeGreaterThan(0);
    expect(relatives.every(([, state]) => state === 'informed')).toBe(true);
  });
});
