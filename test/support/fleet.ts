/**
 * Many devices for load and crash tests: registered straight into the database, all with one
 * secret and one stored hash. The hash uses cheap scrypt parameters (the stored format names
 * them, so verification follows): these tests are about the gateway, and 500 full-cost scrypt
 * checks after every restart would only measure the KDF.
 */
import { randomBytes, scrypt } from 'node:crypto';
import pg from 'pg';
import { newSecret } from '@trygg/devices';

async function cheapHash(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await new Promise<Buffer>((resolve, reject) =>
    scrypt(secret, salt, 32, { N: 16, r: 1, p: 1 }, (err, k) => (err ? reject(err) : resolve(k))),
  );
  return ['scrypt', 16, 1, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export interface Fleet {
  ids: string[];
  secret: string;
}

export async function addFleet(databaseUrl: string, prefix: string, n: number, residentId = 'res-astrid'): Promise<Fleet> {
  const secret = newSecret();
  const hash = await cheapHash(secret);
  const ids = Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await c.query(
      `INSERT INTO devices (id, kind, serial, protocol, secret_hash, status, resident_id)
       SELECT id, 'alarm-button', 'SN-' || id, 'mqtt', $2, 'active', $3 FROM unnest($1::text[]) AS id`,
      [ids, hash, residentId],
    );
  } finally {
    await c.end();
  }
  return { ids, secret };
}
