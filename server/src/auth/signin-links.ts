/**
 * Single-use, short-lived sign-in links: made for a person (in an alarm's SMS, or when they ask
 * for a new one), kept only as the SHA-256 of their token, used once; the page that opens one
 * signs the person in and starts a lasting sign-in on that phone (lasting.ts). And "send me a new
 * sign-in link": a phone number typed on the sign-in page gets a link by SMS when it is the number
 * on record of a relative (with consent and an account) or of a staff member on their own phone.
 * The answer is the same whether or not the number is known, and the SMS leaves after the
 * answer (so neither the words nor the time tell); requests are limited per number and per
 * address and recorded.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { withTransaction, type Pool, type Principal, type Role, type SmsTransport } from '@trygg/alarm-core';
import { sha256 } from './lasting.js';

/** What a link is for; becomes part of its record (`signin_links.purpose`). */
export type LinkPurpose = 'alert' | 'request' | (string & {});

export interface SignInLinkOptions {
  /** How long the link opens, seconds (default: `TRYGG_SIGNIN_LINK_TTL_S`). */
  ttlS?: number;
  purpose: LinkPurpose;
  /** The alarm the link was sent about (the page can open it). */
  alarmId?: string;
}

/** Makes a person's sign-in link (the full address to put in an SMS). */
export type SignInLinkMaker = (userId: string, opts: SignInLinkOptions) => Promise<string>;

/** What a redeemed link gives: who is signed in, and why the link was made. */
export type Redeemed =
  | { user: Principal; sessionEpoch: number; purpose: string; alarmId: string | null }
  | { refused: 'unknown' | 'used' | 'expired' | 'no-consent' };

export interface LinkRequestLimits {
  /** Requests for one number within an hour. */
  perNumberPerHour: number;
  /** Requests from one address within an hour. */
  perAddressPerHour: number;
}

/** What became of a "send me a new link" request (the caller answers the same for sent and unknown). */
export type RequestOutcome = 'accepted' | 'limited' | 'unavailable';

/** The digits of a phone number as typed or stored, and the international form when it has one. */
export function phoneDigits(input: string): { digits: string; e164: string | null } {
  const trimmed = input.trim();
  const digits = trimmed.replace(/\D/g, '');
  if (trimmed.startsWith('+')) return { digits, e164: `+${digits}` };
  if (digits.startsWith('00')) return { digits: digits.slice(2), e164: `+${digits.slice(2)}` };
  return { digits: digits.replace(/^0+/, ''), e164: null };
}

/** The SMS text with a link, in the person's language (nb, sv, en). */
export function linkText(locale: string, url: string, minutes: number): string {
  if (locale.startsWith('sv'))
    return `Trygg: Logga in med den här länken (gäller i ${minutes} min, en gång): ${url} Har du inte bett om den kan du bortse från meddelandet.`;
  if (locale.startsWith('en'))
    return `Trygg: Sign in with this link (valid ${minutes} min, once): ${url} If you did not ask for it, ignore this message.`;
  return `Trygg: Logg inn med denne lenken (gyldig i ${minutes} min, én gang): ${url} Har du ikke bedt om den, kan du se bort fra meldingen.`;
}

export class SignInLinks {
  constructor(
    private readonly pool: Pool,
    private readonly opts: {
      /** The address browsers use (`TRYGG_PUBLIC_URL`, or this node's own); never a request's Host. */
      baseUrl: () => string;
      ttlS: number;
      limits: LinkRequestLimits;
      /** The SMS gateway, looked up when needed (the SMS part may start later, or not at all). */
      sms: () => SmsTransport | null;
      logger: Logger;
    },
  ) {}

  /** Whether links can be sent by SMS now (an SMS gateway is configured). */
  get canSend(): boolean {
    return this.opts.sms() !== null;
  }

  /** Makes a link for a person: the address with its token in the fragment (never in a server's log or a Referer). */
  readonly make: SignInLinkMaker = async (userId, { ttlS, purpose, alarmId }) => {
    const token = randomBytes(32).toString('base64url');
    await this.pool.query(
      `INSERT INTO signin_links (id, user_id, token_hash, purpose, alarm_id, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))`,
      [randomUUID(), userId, sha256(token), purpose, alarmId ?? null, ttlS ?? this.opts.ttlS],
    );
    return `${this.opts.baseUrl()}/#link=${token}`;
  };

  /** Uses a link up: once, before it runs out, while its person may still sign in. */
  async redeem(token: string): Promise<Redeemed> {
    return withTransaction(this.pool, async (db) => {
      const { rows } = await db.query<{ user_id: string; purpose: string; alarm_id: string | null }>(
        `UPDATE signin_links SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
         RETURNING user_id, purpose, alarm_id`,
        [sha256(token)],
      );
      const link = rows[0];
      if (!link) {
        const why = await db.query<{ used: boolean }>(
          'SELECT used_at IS NOT NULL AS used FROM signin_links WHERE token_hash = $1',
          [sha256(token)],
        );
        const row = why.rows[0];
        return { refused: !row ? 'unknown' : row.used ? 'used' : 'expired' };
      }
      const { rows: users } = await db.query<{
        display_name: string;
        roles: Role[];
        locale: string;
        session_epoch: number;
        consent: boolean;
      }>(
        `SELECT display_name, roles, locale, session_epoch,
                EXISTS (SELECT 1 FROM relatives WHERE user_id = u.id AND consent_at IS NOT NULL) AS consent
           FROM users u WHERE id = $1`,
        [link.user_id],
      );
      const u = users[0];
      if (!u) return { refused: 'unknown' };
      // A relative only while someone's consent to share with them stands.
      const onlyRelative = u.roles.includes('relative') && u.roles.length === 1;
      if (onlyRelative && !u.consent) return { refused: 'no-consent' };
      return {
        user: { userId: link.user_id, name: u.display_name, roles: u.roles, locale: u.locale },
        sessionEpoch: u.session_epoch,
        purpose: link.purpose,
        alarmId: link.alarm_id,
      };
    });
  }

  /**
   * "Send me a new sign-in link" to `phone` from `address`. Counted first (per number and per
   * address, under a lock per number so parallel requests cannot pass the limit); then, after the
   * caller has answered, a link goes by SMS to each person whose number on record it is.
   */
  async request(phone: string, address: string): Promise<RequestOutcome> {
    const sms = this.opts.sms();
    if (!sms) return 'unavailable';
    const { digits } = phoneDigits(phone);
    const key = createHash('sha256').update(`trygg-phone:${digits}`).digest('hex');
    const { perNumberPerHour, perAddressPerHour } = this.opts.limits;
    const allowed = await withTransaction(this.pool, async (db) => {
      await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`signin-link:${key}`]);
      const { rows } = await db.query<{ number: number; address: number }>(
        `SELECT count(*) FILTER (WHERE phone_key = $1)::int AS number, count(*) FILTER (WHERE address = $2)::int AS address
           FROM signin_link_requests WHERE (phone_key = $1 OR address = $2) AND at > now() - interval '1 hour'`,
        [key, address],
      );
      const n = rows[0] ?? { number: 0, address: 0 };
      if (n.number >= perNumberPerHour || n.address >= perAddressPerHour) return false;
      await db.query('INSERT INTO signin_link_requests (phone_key, address) VALUES ($1, $2)', [key, address]);
      await db.query(`DELETE FROM signin_link_requests WHERE at < now() - interval '1 day'`);
      return true;
    });
    if (!allowed) {
      this.opts.logger.warn(
        { code: 'TRYGG_ERR_RATE_LIMITED', address, phoneKey: key.slice(0, 12) },
        'sign-in link request refused: too many',
      );
      return 'limited';
    }
    setImmediate(() => {
      this.send(sms, digits, key).catch((err: unknown) =>
        this.opts.logger.error(
          { err, code: 'TRYGG_ERR_NOTIFICATION_FAILED', phoneKey: key.slice(0, 12) },
          'sign-in link SMS not sent',
        ),
      );
    });
    return 'accepted';
  }

  /** Finds who has this number and texts each a new link (to the number on record, never the one typed). */
  private async send(sms: SmsTransport, digits: string, key: string): Promise<void> {
    if (digits.length < 5) return;
    // A number typed without its country code (912 34 567, 070-123 45 67) matches the end of
    // the one on record; with it, the whole.
    const { rows } = await this.pool.query<{ user_id: string; phone: string; locale: string }>(
      `WITH people AS (
         SELECT r.user_id, r.phone FROM relatives r
          WHERE r.user_id IS NOT NULL AND r.consent_at IS NOT NULL AND r.phone IS NOT NULL
         UNION
         SELECT u.id, u.phone FROM users u
          WHERE u.phone IS NOT NULL AND u.roles && ARRAY['staff', 'technician']::text[]
            AND NOT u.roles && ARRAY['operator', 'admin']::text[]
       ), numbers AS (
         SELECT user_id, phone, regexp_replace(regexp_replace(phone, '\\D', '', 'g'), '^00', '') AS d FROM people
       )
       SELECT DISTINCT ON (n.user_id) n.user_id, n.phone, u.locale
         FROM numbers n JOIN users u ON u.id = n.user_id
        WHERE n.d = $1 OR (length($1) >= 8 AND right(n.d, length($1)) = $1)`,
      [digits],
    );
    if (rows.length === 0) {
      this.opts.logger.info({ phoneKey: key.slice(0, 12) }, 'sign-in link request: no person with this number');
      return;
    }
    for (const row of rows) {
      const to = phoneDigits(row.phone).e164;
      if (!to) {
        this.opts.logger.warn({ userId: row.user_id }, 'sign-in link not sent: the number on record has no country code');
        continue;
      }
      const url = await this.make(row.user_id, { purpose: 'request' });
      const { messageId } = await sms.submit({
        to,
        text: linkText(row.locale, url, Math.max(1, Math.round(this.opts.ttlS / 60))),
        ref: `signin-link:${row.user_id}`,
      });
      this.opts.logger.info({ userId: row.user_id, messageId }, 'sign-in link sent by SMS');
    }
  }
}
