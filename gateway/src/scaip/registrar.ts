/**
 * The registrar (RFC 3261 §10) with Digest authentication (RFC 2617 / RFC 3261 §22.4; SS 91100:
 * Digest MD5, Basic forbidden). The secret side is HA1 from the registry, never a password.
 *
 * Nonces carry their own birth time and are bound to the flow they were issued on (an HMAC over
 * both under a key made at start), valid for 5 minutes; an old nonce with a right answer gets
 * `stale=true` (RFC 2617 §3.2.1), as does a nonce presented from another flow (a unit whose NAT
 * mapping changed simply answers the fresh challenge). Each nonce's use is tracked: with
 * `qop=auth` its nonce count must grow, without it a nonce is good once. A captured
 * Authorization replayed from elsewhere, or again, therefore proves nothing and can never move a
 * registration.
 *
 * Registrations live in this node's memory and expire as SIP says (Expires header or contact
 * parameter, 60–3600 s); a unit re-registers well before expiry, so a restarted node is filled
 * again within the hour. A registration trusts exactly its flow: over UDP the unit's address and
 * port, over TCP or TLS the connection itself.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from '@trygg/alarm-core';
import type { ScaipUnit, ScaipUnits } from '@trygg/devices';
import { digest, respond, sip, type AuthHeader, type Flow, type SipMessage } from './sip-lib.js';

export const MIN_EXPIRES_S = 60;
export const MAX_EXPIRES_S = 3600;
const NONCE_TTL_MS = 5 * 60_000;
/** Nonces whose use is remembered at once; beyond it the oldest are forgotten (and so refused). */
const MAX_TRACKED_NONCES = 200_000;

export interface Registration {
  unit: ScaipUnit;
  contact: string;
  /** Where `<mrs>` MESSAGEs go: the contact, or the flow the REGISTER came over when behind NAT. */
  target: Flow;
  /** The flow the REGISTER came over: the one flow trusted without digest. */
  source: Flow;
  expiresAt: number;
}

export type AuthOutcome =
  { ok: true; unit: ScaipUnit } | { ok: false; response: 'challenge' | 'stale' | 'forbidden'; reason: string; unit?: ScaipUnit };

function unq(v: string | undefined): string | undefined {
  return v !== undefined && v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

/** `::ffff:127.0.0.1` and `127.0.0.1` are one address. */
export function plainAddress(a: string): string {
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/** The user part of a SIP URI in a To/From header. */
export function userOf(uri: string | undefined): string | null {
  const u = uri ? sip.parseUri(uri) : undefined;
  if (!u?.user) return null;
  try {
    return decodeURIComponent(u.user);
  } catch {
    return null; // a malformed escape names nobody
  }
}

/** The same flow: UDP by transport, address and port; a stream by its connection. */
export function sameFlow(a: Flow, b: Flow): boolean {
  if (a.protocol !== b.protocol) return false;
  if (a.protocol !== 'UDP' && (a.connection !== undefined || b.connection !== undefined)) return a.connection === b.connection;
  return plainAddress(a.address) === plainAddress(b.address) && a.port === b.port;
}

/** A flow as text, for a nonce's binding and for logs. */
export function flowText(f: Flow): string {
  return `${f.protocol}:${plainAddress(f.address)}:${f.port}${f.connection === undefined ? '' : `#${f.connection}`}`;
}

export class Registrar {
  private readonly regs = new Map<string, Registration>();
  private readonly nonceKey = randomBytes(32);
  /** Nonce → highest nonce count used with it (0 when used without qop). Insertion order = age. */
  private readonly used = new Map<string, number>();

  constructor(
    private readonly units: Pick<ScaipUnits, 'findByUsername'>,
    private readonly realm: string,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  get size(): number {
    return this.regs.size;
  }

  /** A live registration of this username. */
  lookup(username: string): Registration | undefined {
    const r = this.regs.get(username);
    if (r && r.expiresAt <= this.clock()) {
      this.regs.delete(username);
      return undefined;
    }
    return r;
  }

  /**
   * A unit proved itself with digest on a request from another flow than it registered over (its
   * NAT mapping changed, its TCP connection was replaced): its registration follows it there.
   */
  follow(username: string, flow: Flow): void {
    const r = this.lookup(username);
    if (!r || sameFlow(r.source, flow)) return;
    this.logger.info(
      { deviceId: r.unit.deviceId, from: flowText(r.source), to: flowText(flow) },
      'SCAIP unit moved to a new flow',
    );
    this.regs.set(username, { ...r, source: flow, target: flow });
  }

  /** A 401 with a fresh challenge bound to `flow`. */
  challenge(rq: SipMessage, flow: Flow, stale = false): SipMessage {
    return respond(rq, 401, 'Unauthorized', {
      headers: {
        'www-authenticate': [
          {
            scheme: 'Digest',
            realm: `"${this.realm}"`,
            nonce: `"${this.nonce(flow)}"`,
            algorithm: 'MD5',
            qop: '"auth"',
            ...(stale ? { stale: 'true' } : {}),
          },
        ],
      },
    });
  }

  /** Checks the request's Authorization against the unit's HA1, the nonce's flow and its use. */
  async authenticate(rq: SipMessage, flow: Flow): Promise<AuthOutcome> {
    const auth = (rq.headers.authorization ?? []).find(
      (a: AuthHeader) => a.scheme.toLowerCase() === 'digest' && unq(a.realm) === this.realm,
    );
    if (!auth) return { ok: false, response: 'challenge', reason: 'no credentials' };
    const username = unq(auth.username) ?? '';
    const unit = await this.units.findByUsername(username);
    if (!unit || unit.realm !== this.realm) return { ok: false, response: 'forbidden', reason: 'unknown unit' };
    const algorithm = (auth.algorithm ?? 'MD5').replace(/"/g, '').toUpperCase();
    if (algorithm !== 'MD5') return { ok: false, response: 'challenge', reason: `algorithm ${algorithm} not offered`, unit };
    const nonce = unq(auth.nonce) ?? '';
    const qop = unq(auth.qop);
    const expected = digest.calculateDigest({
      ha1: unit.ha1,
      method: rq.method ?? '',
      nonce,
      nc: auth.nc,
      cnonce: unq(auth.cnonce),
      qop,
      uri: unq(auth.uri) ?? '',
    });
    const given = Buffer.from(unq(auth.response) ?? '');
    const want = Buffer.from(expected);
    if (given.length !== want.length || !timingSafeEqual(given, want)) {
      return { ok: false, response: 'forbidden', reason: 'wrong digest', unit };
    }
    const age = this.nonceAge(nonce, flow);
    if (age === 'elsewhere')
      return { ok: false, response: 'stale', reason: `nonce issued to another flow than ${flowText(flow)}`, unit };
    if (age === null) return { ok: false, response: 'challenge', reason: 'nonce not ours', unit };
    if (age > NONCE_TTL_MS) return { ok: false, response: 'stale', reason: 'nonce expired', unit };
    if (!this.use(nonce, qop === 'auth' ? auth.nc : undefined)) {
      return {
        ok: false,
        response: 'stale',
        reason: 'nonce used before (a replay, or a resend with the same nonce count)',
        unit,
      };
    }
    if (!unit.active) return { ok: false, response: 'forbidden', reason: 'unit not installed or active', unit };
    return { ok: true, unit };
  }

  /** Handles an authenticated REGISTER; returns the final response. */
  register(rq: SipMessage, flow: Flow, unit: ScaipUnit): SipMessage {
    const aor = userOf(rq.headers.to?.uri);
    if (aor !== unit.username) {
      return respond(rq, 403, 'Forbidden');
    }
    const contacts = rq.headers.contact;
    const headerExpires = rq.headers.expires === undefined ? undefined : Number(rq.headers.expires);
    if (contacts === '*') {
      if (headerExpires !== 0) return respond(rq, 400, 'Bad Request');
      this.regs.delete(unit.username);
      return respond(rq, 200, 'OK');
    }
    const contact = contacts?.[0];
    if (!contact) {
      // A query (RFC 3261 §10.2.3): list what is bound.
      const r = this.lookup(unit.username);
      return respond(rq, 200, 'OK', r ? { headers: { contact: [{ uri: r.contact, params: {} }] } } : {});
    }
    const asked =
      contact.params.expires !== undefined && contact.params.expires !== null ? Number(contact.params.expires) : headerExpires;
    const expires = Number.isFinite(asked) ? Math.floor(asked ?? MAX_EXPIRES_S) : MAX_EXPIRES_S;
    if (expires === 0) {
      this.regs.delete(unit.username);
      this.logger.info({ deviceId: unit.deviceId }, 'SCAIP unit unregistered');
      return respond(rq, 200, 'OK');
    }
    if (expires < MIN_EXPIRES_S) {
      return respond(rq, 423, 'Interval Too Brief', { headers: { 'min-expires': String(MIN_EXPIRES_S) } });
    }
    const granted = Math.min(expires, MAX_EXPIRES_S);
    const target = this.targetOf(contact.uri, flow);
    if (!target) return respond(rq, 400, 'Bad Contact');
    this.regs.set(unit.username, {
      unit,
      contact: contact.uri,
      target,
      source: flow,
      expiresAt: this.clock() + granted * 1000,
    });
    this.logger.debug({ deviceId: unit.deviceId, contact: contact.uri, expires: granted }, 'SCAIP unit registered');
    return respond(rq, 200, 'OK', {
      headers: { contact: [{ uri: contact.uri, params: { expires: String(granted) } }], expires: String(granted) },
    });
  }

  /**
   * The contact when it is where the REGISTER came from; otherwise (a unit behind NAT that
   * registered a private address) the flow it came over, as RFC 3581 / RFC 5626 reach it: over a
   * stream, that connection itself.
   */
  private targetOf(contactUri: string, flow: Flow): Flow | null {
    const u = sip.parseUri(contactUri);
    if (!u) return null;
    const transport = String(u.params.transport ?? '').toUpperCase();
    const protocol =
      transport === 'TCP' || transport === 'TLS' || transport === 'UDP' ? transport : u.schema === 'sips' ? 'TLS' : flow.protocol;
    if (plainAddress(u.host) !== plainAddress(flow.address)) return flow;
    const port = u.port ?? (protocol === 'TLS' ? 5061 : 5060);
    return { protocol, address: plainAddress(flow.address), port };
  }

  private mac(ts: string, flow: Flow): string {
    return createHmac('sha256', this.nonceKey)
      .update(`${ts}|${flowText(flow)}`)
      .digest('base64url')
      .slice(0, 27);
  }

  private nonce(flow: Flow): string {
    const ts = this.clock().toString(36);
    return `${ts}.${randomBytes(6).toString('base64url')}.${this.mac(ts, flow)}`;
  }

  /** Milliseconds since we made this nonce; 'elsewhere' when made for another flow; null when not ours. */
  private nonceAge(nonce: string, flow: Flow): number | 'elsewhere' | null {
    const [ts, salt, mac] = nonce.split('.');
    if (!ts || !salt || !mac) return null;
    const want = this.mac(ts, flow);
    if (want.length !== mac.length) return null;
    if (!timingSafeEqual(Buffer.from(want), Buffer.from(mac))) return 'elsewhere';
    return this.clock() - parseInt(ts, 36);
  }

  /**
   * Records a use of `nonce`: true when it is new (a fresh nonce, a growing `nc`), false for a
   * replay. Entries older than a nonce's life are forgotten (the nonce is stale by then anyway).
   */
  private use(nonce: string, nc: string | undefined): boolean {
    const count = nc === undefined ? 0 : parseInt(nc, 16);
    if (nc !== undefined && (!/^[0-9a-fA-F]{8}$/.test(nc) || count < 1)) return false;
    const seen = this.used.get(nonce);
    if (seen !== undefined && (nc === undefined || count <= seen)) return false;
    this.used.delete(nonce); // re-inserted last: the map stays ordered by last use
    this.used.set(nonce, count);
    this.prune();
    return true;
  }

  private prune(): void {
    const horizon = this.clock() - NONCE_TTL_MS;
    for (const nonce of this.used.keys()) {
      const born = parseInt(nonce.split('.')[0] ?? '', 36);
      if (this.used.size <= MAX_TRACKED_NONCES && !(born < horizon)) break;
      this.used.delete(nonce);
    }
  }
}
