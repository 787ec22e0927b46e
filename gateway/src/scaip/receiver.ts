/**
 * The SCAIP receiver (SS 91100 / CLC/TS 50134-9): SIP over UDP, TCP and TLS; REGISTER with
 * digest; `MESSAGE` with `application/scaip+xml` answered `200 OK` and then `<mrs>` in a new
 * MESSAGE to the unit's registered contact (or, for units that expect it, in the 200 OK body).
 *
 * The rule "no alarm is lost" holds as for MQTT: an event is committed to the inbox before the
 * 200 OK and before any `<mrs>`; when the store fails the request gets `503` and no `<mrs>`, and
 * the unit sends it again (SS 91100: a unit repeats until it gets `<mrs>`). A resend is the same
 * event (sessions.ts). Bad input gets its `snu` and a log line with a catalogue code; the
 * listener keeps serving everyone else.
 */
import { randomBytes } from 'node:crypto';
import type { ErrorCode, Inbox, Logger, Pool } from '@trygg/alarm-core';
import type { ScaipUnit, ScaipUnits } from '@trygg/devices';
import { ScaipAnswers } from './answer.js';
import { buildMrs, SCAIP_CONTENT_TYPE, type Mrs } from './mrs.js';
import { plainAddress, Registrar, userOf, type Registration } from './registrar.js';
import { ScaipSessions } from './sessions.js';
import { sip, type Flow, type SipMessage, type TransactionLayer } from './sip-lib.js';
import { SipTransport, type TransportOptions } from './transport.js';

export interface ScaipReceiverOptions extends Omit<TransportOptions, 'maxBodyBytes' | 'logger'> {
  realm: string;
  db: Pool;
  units: Pick<ScaipUnits, 'findByUsername' | 'siteSettings' | 'setHeartbeatInterval'>;
  inbox: Pick<Inbox, 'accept' | 'record' | 'expect'>;
  logger: Logger;
  /** Seconds a quiet ref stays the same session (default 3600). */
  sessionLifetimeS?: number;
  /** Largest SIP body taken in (default 16 KiB; SCAIP bodies are under 1 KiB, `<mrq>` over 4 KiB is snu 2). */
  maxBodyBytes?: number;
}

const ALLOW = 'REGISTER, MESSAGE, OPTIONS';

export class ScaipReceiver {
  readonly counters = new Map<string, number>();
  private readonly transport: SipTransport;
  private readonly registrar: Registrar;
  private readonly sessions: ScaipSessions;
  private layer: TransactionLayer | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;
  private readonly answers: ScaipAnswers;

  constructor(private readonly opts: ScaipReceiverOptions) {
    this.transport = new SipTransport({ ...opts, maxBodyBytes: opts.maxBodyBytes ?? 16 * 1024, logger: opts.logger });
    this.registrar = new Registrar(opts.units, opts.realm, opts.logger);
    this.sessions = new ScaipSessions(opts.db, opts.sessionLifetimeS ?? 3600);
    this.answers = new ScaipAnswers({
      db: opts.db,
      units: opts.units,
      inbox: opts.inbox,
      sessions: this.sessions,
      logger: opts.logger,
      count: (what) => this.count(what),
      refuse: (code, deviceId, detail) => this.refuse(code, deviceId, detail),
    });
  }

  get ports(): { udp: number | null; tcp: number | null; tls: number | null } {
    return this.transport.ports;
  }

  get registeredUnits(): number {
    return this.registrar.size;
  }

  get ready(): boolean {
    return this.layer !== null;
  }

  async start(): Promise<void> {
    const layer = sip.makeTransactionLayer({}, (target) => this.transport.open(target));
    this.layer = layer;
    this.pruneTimer = setInterval(() => {
      this.sessions.prune().catch((err: unknown) => this.opts.logger.warn({ err }, 'SCAIP session pruning failed; will retry'));
    }, 10 * 60_000);
    this.pruneTimer.unref();
    await this.transport.start((m, flow, tooLarge) => this.onSip(m, flow, tooLarge));
    this.opts.logger.info({ ports: this.ports, realm: this.opts.realm }, 'SCAIP receiver listening');
  }

  async stop(): Promise<void> {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.pruneTimer = null;
    this.layer?.destroy();
    this.layer = null;
    await this.transport.stop();
  }

  private count(what: string): void {
    this.counters.set(what, (this.counters.get(what) ?? 0) + 1);
  }

  private onSip(m: SipMessage, flow: Flow, tooLarge: boolean): void {
    const layer = this.layer;
    if (!layer) return;
    if (!m.method) {
      layer.getClient(m)?.message(m, flow);
      return;
    }
    if (m.method === 'ACK') return;
    const existing = layer.getServer(m);
    if (existing) {
      existing.message(m, flow); // a retransmission: the transaction answers it
      return;
    }
    const tx = layer.createServerTransaction(m, this.transport.open(flow));
    this.handle(m, flow, tooLarge)
      .catch((err: unknown) => {
        this.count('TRYGG_ERR_INTERNAL');
        this.opts.logger.error({ err, code: 'TRYGG_ERR_INTERNAL', method: m.method }, 'SIP request failed');
        return { rs: sip.makeResponse(m, 500, 'Server Internal Error') };
      })
      .then(({ rs, after }: { rs: SipMessage; after?: () => void }) => {
        tx.send(rs);
        after?.();
      })
      .catch((err: unknown) => this.opts.logger.error({ err, code: 'TRYGG_ERR_INTERNAL' }, 'SIP answer failed'));
  }

  private async handle(rq: SipMessage, flow: Flow, tooLarge: boolean): Promise<{ rs: SipMessage; after?: () => void }> {
    if (tooLarge) {
      this.refuse('TRYGG_ERR_PAYLOAD_TOO_LARGE', flow, 'SIP body over the limit');
      return { rs: sip.makeResponse(rq, 413, 'Request Entity Too Large') };
    }
    switch (rq.method) {
      case 'REGISTER':
        return { rs: await this.onRegister(rq, flow) };
      case 'MESSAGE':
        return this.onMessage(rq, flow);
      case 'OPTIONS':
        return { rs: sip.makeResponse(rq, 200, 'OK', { headers: { allow: ALLOW, accept: SCAIP_CONTENT_TYPE } }) };
      default:
        return { rs: sip.makeResponse(rq, 405, 'Method Not Allowed', { headers: { allow: ALLOW } }) };
    }
  }

  private async onRegister(rq: SipMessage, flow: Flow): Promise<SipMessage> {
    const auth = await this.registrar.authenticate(rq);
    if (!auth.ok) return this.authFailed(rq, flow, auth.response, auth.reason);
    this.count('register');
    return this.registrar.register(rq, flow, auth.unit);
  }

  private authFailed(rq: SipMessage, flow: Flow, response: 'challenge' | 'stale' | 'forbidden', reason: string): SipMessage {
    if (response === 'forbidden' || rq.headers.authorization) {
      this.refuse('TRYGG_ERR_SIP_UNAUTHENTICATED', flow, reason, { method: rq.method, from: rq.headers.from?.uri });
    }
    if (response === 'forbidden') return sip.makeResponse(rq, 403, 'Forbidden');
    return this.registrar.challenge(rq, response === 'stale');
  }

  /** Which unit sent this: a registered one from its registered address, or one that proves itself now. */
  private async sender(rq: SipMessage, flow: Flow): Promise<{ unit: ScaipUnit; reg?: Registration } | { rs: SipMessage }> {
    const user = userOf(rq.headers.from?.uri);
    const reg = user ? this.registrar.lookup(user) : undefined;
    if (reg && plainAddress(reg.source.address) === plainAddress(flow.address)) return { unit: reg.unit, reg };
    const auth = await this.registrar.authenticate(rq);
    if (!auth.ok) return { rs: this.authFailed(rq, flow, auth.response, auth.reason) };
    return { unit: auth.unit, reg: this.registrar.lookup(auth.unit.username) };
  }

  private async onMessage(rq: SipMessage, flow: Flow): Promise<{ rs: SipMessage; after?: () => void }> {
    const type = (rq.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== SCAIP_CONTENT_TYPE) {
      return { rs: sip.makeResponse(rq, 415, 'Unsupported Media Type', { headers: { accept: SCAIP_CONTENT_TYPE } }) };
    }
    const who = await this.sender(rq, flow);
    if ('rs' in who) return who;
    const { unit, reg } = who;
    let mrs: Mrs;
    try {
      mrs = await this.answers.answer(unit, Buffer.from(rq.content ?? '', 'latin1'));
    } catch (err) {
      // Not stored: no 200 OK and no <mrs>, so the unit sends it again (SS 91100 repeat).
      this.count('TRYGG_ERR_STORE_UNAVAILABLE');
      this.opts.logger.error(
        { err, code: 'TRYGG_ERR_STORE_UNAVAILABLE', deviceId: unit.deviceId },
        'SCAIP event not stored; 503',
      );
      return { rs: sip.makeResponse(rq, 503, 'Service Unavailable', { headers: { 'retry-after': '5' } }) };
    }
    this.count(`snu.${mrs.snu}`);
    const body = Buffer.from(buildMrs(mrs), 'utf8').toString('latin1');
    if (unit.replyInOk) {
      return { rs: sip.makeResponse(rq, 200, 'OK', { headers: { 'content-type': SCAIP_CONTENT_TYPE }, content: body }) };
    }
    return { rs: sip.makeResponse(rq, 200, 'OK'), after: () => this.sendMrs(unit, reg, rq, flow, body) };
  }

  /** `<mrs>` in a new MESSAGE to the registered contact (SS 91100 §4: not in the 200 OK). */
  private sendMrs(unit: ScaipUnit, reg: Registration | undefined, rq: SipMessage, flow: Flow, body: string): void {
    const layer = this.layer;
    if (!layer) return;
    const target = reg?.target ?? flow;
    const host = this.transport.host;
    const uri = reg?.contact ?? `sip:${unit.username}@${plainAddress(flow.address)}:${flow.port}`;
    const request: SipMessage = {
      method: 'MESSAGE',
      uri,
      version: '2.0',
      headers: {
        via: [{ version: '2.0', protocol: target.protocol, host, params: {} }],
        to: { uri: rq.headers.from.uri, params: {} },
        from: { uri: `sip:trygg@${host}`, params: { tag: randomBytes(6).toString('hex') } },
        'call-id': `${randomBytes(12).toString('hex')}@${host}`,
        cseq: { seq: 1, method: 'MESSAGE' },
        'max-forwards': 70,
        'content-type': SCAIP_CONTENT_TYPE,
      },
      content: body,
    };
    try {
      layer.createClientTransaction(this.transport.open(target), request, (rs) => {
        if ((rs.status ?? 0) >= 300) {
          this.count('mrs.failed');
          this.opts.logger.warn(
            { deviceId: unit.deviceId, status: rs.status },
            'unit did not take <mrs>; it will resend its request',
          );
        }
      });
    } catch (err) {
      this.count('mrs.failed');
      this.opts.logger.warn({ err, deviceId: unit.deviceId }, '<mrs> could not be sent; the unit will resend its request');
    }
  }

  private refuse(code: ErrorCode, who: string | Flow, detail: string, extra: object = {}): void {
    this.count(code);
    const where = typeof who === 'string' ? { deviceId: who } : { from: `${who.protocol}:${who.address}:${who.port}` };
    this.opts.logger.warn({ code, ...where, detail, ...extra }, 'SCAIP request refused');
  }
}
