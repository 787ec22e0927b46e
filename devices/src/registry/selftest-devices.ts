/**
 * The self-test's own devices (issue 20): one per ingress it proves, registered by the service at
 * start with fresh credentials (the secrets live only in the running service's memory). They
 * belong to no resident and no site, stay `installed` (never `active`, so heartbeat supervision
 * leaves them alone), and are left out of the technicians' device lists. They only ever send
 * `test` events, which open no alarm, notify nobody and are never journaled.
 */
import { randomBytes } from 'node:crypto';
import type { Queryable } from '@trygg/alarm-core';
import { issueScaipCredentials } from '../scaip-units.js';
import { hashSecret, newSecret } from '../secrets.js';

/** `devices.kind` of a self-test device. */
export const SELFTEST_KIND = 'trygg-selftest';

export interface SelfTestDevice {
  id: string;
  protocol: 'mqtt' | 'scaip';
  /** MQTT: the secret (password); SCAIP: the digest password. */
  secret: string;
  /** SCAIP: the digest realm and the unit's controller id. */
  realm: string | null;
  cid: string | null;
}

/**
 * Registers (or re-keys) a self-test device: a fresh secret on every start, so no secret outlives
 * the process that holds it. Events of earlier runs older than a day are removed.
 */
export async function registerSelfTestDevice(
  db: Queryable,
  id: string,
  protocol: 'mqtt' | 'scaip',
  realm = 'trygg',
): Promise<SelfTestDevice> {
  const secret = newSecret();
  const secretHash = protocol === 'mqtt' ? await hashSecret(secret) : null;
  await db.query(
    `INSERT INTO devices (id, kind, vendor, model, serial, protocol, secret_hash, status, heartbeat_interval_s)
     VALUES ($1, $2, 'Trygg', 'self-test', $3, $4, $5, 'installed', 86400)
     ON CONFLICT (id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, status = 'installed', kind = EXCLUDED.kind`,
    [id, SELFTEST_KIND, `SELFTEST-${id}`, protocol, secretHash],
  );
  if (protocol === 'mqtt') return { id, protocol, secret, realm: null, cid: null };
  // A controller id no unit in the field has (SS 91100 cid: digits), stable per device id.
  const cid = `9${BigInt(`0x${Buffer.from(id).toString('hex').slice(-12)}`) % 10n ** 12n}`;
  const creds = await issueScaipCredentials(db, id, { realm, cid, password: randomBytes(18).toString('base64url') });
  return { id, protocol, secret: creds.password, realm, cid };
}

/** Removes the self-test devices' events older than `keepS` (they are proof of the moment, not records). */
export async function pruneSelfTestEvents(db: Queryable, ids: readonly string[], keepS = 86_400): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM device_events WHERE device_id = ANY($1::text[]) AND received_at < now() - make_interval(secs => $2)`,
    [ids, keepS],
  );
  return rowCount ?? 0;
}
