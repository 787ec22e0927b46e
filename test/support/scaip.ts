/**
 * SCAIP test helpers: registry rows for units (with digest credentials issued the way the demo
 * does) and a started `ScaipUnit` from the simulators pointed at the service's SIP port.
 */
import type pg from 'pg';
import { issueScaipCredentials } from '@trygg/devices';
import { ScaipUnit } from '@trygg/simulators';
import type { TestService } from './service.js';

export interface UnitRow {
  id: string;
  username: string;
  password: string;
  cid: string;
}

let cidSeq = 5_000_000;

/** A SCAIP unit installed at a home of the demo (default Ingrid's), with fresh credentials. */
export async function createScaipUnit(
  db: pg.Pool,
  id: string,
  opts: { siteId?: string; residentId?: string | null; replyInOk?: boolean; realm?: string; cid?: string } = {},
): Promise<UnitRow> {
  await db.query(
    `INSERT INTO devices (id, kind, vendor, model, serial, protocol, status, heartbeat_interval_s, resident_id, site_id)
     VALUES ($1, 'social-alarm-unit', 'Test', 'SCAIP', $2, 'scaip', 'active', 300, $3, $4)`,
    [id, `SER-${id}`, opts.residentId === undefined ? 'res-ingrid' : opts.residentId, opts.siteId ?? 'home-ingrid'],
  );
  const cid = opts.cid ?? String(cidSeq++);
  const creds = await issueScaipCredentials(db, id, { realm: opts.realm ?? 'trygg', cid, replyInOk: opts.replyInOk ?? false });
  return { id, username: creds.username, password: creds.password, cid };
}

/** A unit that has started (bound its socket) and, unless told not to, registered. */
export async function startUnit(
  svc: TestService,
  row: UnitRow,
  opts: { transport?: 'UDP' | 'TCP'; register?: boolean; password?: string } = {},
): Promise<ScaipUnit> {
  const transport = opts.transport ?? 'UDP';
  const port = transport === 'UDP' ? svc.trygg.ports.sip.udp : svc.trygg.ports.sip.tcp;
  if (!port) throw new Error(`SIP ${transport} is off`);
  const unit = new ScaipUnit({
    host: '127.0.0.1',
    port,
    transport,
    username: row.username,
    password: opts.password ?? row.password,
    cid: row.cid,
  });
  await unit.start();
  if (opts.register !== false) {
    const status = await unit.register();
    if (status !== 200) throw new Error(`REGISTER of ${row.id} answered ${status}`);
  }
  return unit;
}
