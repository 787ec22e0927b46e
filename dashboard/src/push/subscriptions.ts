/** Push subscriptions in the database: one per user and device (a phone, a browser profile). */
import { randomUUID } from 'node:crypto';
import type { PushSubscriptionBody, Queryable } from '@trygg/alarm-core';

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

/** Registers (or replaces) the subscription of this user's device; an endpoint belongs to one user. */
export async function saveSubscription(db: Queryable, userId: string, device: string, s: PushSubscriptionBody): Promise<string> {
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
  return rows[0]?.id ?? '';
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
