/**
 * Push subscriptions in the database: one per user and device (a phone, a browser profile), at
 * most `maxPerUser` per user — a new device beyond that replaces the one registered longest ago,
 * so nobody can make Trygg send each alarm to endless endpoints.
 */
import { randomUUID } from 'node:crypto';
import { withTransaction, type Pool, type PushSubscriptionBody, type Queryable } from '@trygg/alarm-core';

export interface StoredSubscription {
  id: string;
  userId: string;
  device: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  /** The user's language, for the notification's words. */
  locale: string;
}

/**
 * Registers (or replaces) the subscription of this user's device; an endpoint belongs to one
 * user. Returns its id and the devices it displaced to stay within `maxPerUser`.
 */
export async function saveSubscription(
  pool: Pool,
  userId: string,
  device: string,
  s: PushSubscriptionBody,
  maxPerUser: number,
): Promise<{ id: string; replaced: string[] }> {
  return withTransaction(pool, async (db) => {
    // One save per user at a time, so two at once cannot both keep the others and exceed the cap.
    await db.query(`SELECT pg_advisory_xact_lock(hashtext('push-subscriptions:' || $1))`, [userId]);
    await db.query('DELETE FROM push_subscriptions WHERE endpoint = $1 AND NOT (user_id = $2 AND device = $3)', [
      s.endpoint,
      userId,
      device,
    ]);
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO push_subscriptions (id, user_id, device, endpoint, p256dh, auth) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (user_id, device) DO UPDATE
         SET endpoint = EXCLUDED.endpoint, p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth, failures = 0, created_at = now()
       RETURNING id`,
      [randomUUID(), userId, device, s.endpoint, s.keys.p256dh, s.keys.auth],
    );
    const id = rows[0]?.id ?? '';
    // This one stays, with the newest others up to the cap.
    const replaced = await db.query<{ device: string }>(
      `DELETE FROM push_subscriptions WHERE id IN (
         SELECT id FROM push_subscriptions WHERE user_id = $1 AND id <> $2 ORDER BY created_at DESC, id OFFSET $3 - 1)
       RETURNING device`,
      [userId, id, maxPerUser],
    );
    return { id, replaced: replaced.rows.map((r) => r.device) };
  });
}

export async function deleteSubscription(db: Queryable, userId: string, device: string): Promise<boolean> {
  const r = await db.query('DELETE FROM push_subscriptions WHERE user_id = $1 AND device = $2', [userId, device]);
  return (r.rowCount ?? 0) > 0;
}

export async function listSubscriptions(db: Queryable, userId: string): Promise<{ device: string; createdAt: string }[]> {
  const { rows } = await db.query<{ device: string; created_at: Date }>(
    'SELECT device, created_at FROM push_subscriptions WHERE user_id = $1 ORDER BY created_at',
    [userId],
  );
  return rows.map((r) => ({ device: r.device, createdAt: r.created_at.toISOString() }));
}

export async function subscriptionsOf(db: Queryable, userId: string): Promise<StoredSubscription[]> {
  const { rows } = await db.query<StoredSubscription>(
    `SELECT s.id, s.user_id AS "userId", s.device, s.endpoint, s.p256dh, s.auth, u.locale
       FROM push_subscriptions s JOIN users u ON u.id = s.user_id WHERE s.user_id = $1`,
    [userId],
  );
  return rows;
}

/** The push service said the subscription is gone (404 / 410, RFC 8030 §7.3). */
export async function dropSubscription(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM push_subscriptions WHERE id = $1', [id]);
}
