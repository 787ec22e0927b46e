/**
 * VAPID (RFC 8292): the key pair that identifies this installation to push services, made on
 * first start and kept in `settings` so every node signs with the same key and browsers'
 * subscriptions (bound to it) survive restarts; and the `Authorization` header per push-service
 * origin, cached until shortly before its JWT expires instead of signed for every message.
 */
import webpush from 'web-push';
import type { Queryable } from '@trygg/alarm-core';

export interface VapidKeys {
  /** Uncompressed P-256 public key, base64url: the browser's `applicationServerKey`. */
  publicKey: string;
  privateKey: string;
}

/** Loads (or on first start creates) the installation's VAPID key pair. */
export async function loadVapidKeys(db: Queryable): Promise<VapidKeys> {
  const fresh = webpush.generateVAPIDKeys();
  await db.query(`INSERT INTO settings (key, value) VALUES ('vapid.keys', $1::jsonb) ON CONFLICT (key) DO NOTHING`, [
    JSON.stringify(fresh),
  ]);
  const { rows } = await db.query<{ value: VapidKeys }>(`SELECT value FROM settings WHERE key = 'vapid.keys'`);
  const keys = rows[0]?.value;
  if (!keys?.publicKey || !keys.privateKey) throw new Error('VAPID keys missing from settings');
  return keys;
}

/** RFC 8292 §2: a JWT lives at most 24 h; ours 12 h, renewed when less than 1 h is left. */
const LIFETIME_S = 12 * 3600;
const RENEW_BEFORE_S = 3600;

export class VapidAuth {
  private readonly byOrigin = new Map<string, { header: string; expiresAt: number }>();

  constructor(
    private readonly keys: VapidKeys,
    /** `mailto:` or `https:` contact for the push service's operator (RFC 8292 §2.1). */
    private readonly subject: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The `Authorization` header for a push to `endpoint` (RFC 8292 §3: `vapid t=…, k=…`). */
  headerFor(endpoint: string): string {
    const origin = new URL(endpoint).origin;
    const nowS = Math.floor(this.now() / 1000);
    const hit = this.byOrigin.get(origin);
    if (hit && hit.expiresAt - nowS > RENEW_BEFORE_S) return hit.header;
    const expiresAt = nowS + LIFETIME_S;
    // The audience is the push service's origin (RFC 8292 §2), so one header serves every
    // subscription at that service.
    const headers = webpush.getVapidHeaders(
      origin,
      this.subject,
      this.keys.publicKey,
      this.keys.privateKey,
      'aes128gcm',
      expiresAt,
    );
    this.byOrigin.set(origin, { header: headers.Authorization, expiresAt });
    return headers.Authorization;
  }

  get cachedOrigins(): number {
    return this.byOrigin.size;
  }
}
