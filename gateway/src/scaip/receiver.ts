/**
 * The SCAIP receiver (SS 91100 / CLC/TS 50134-9): SIP over UDP, TCP and TLS; REGISTER with
 * digest; `MESSAGE` with an `<mrq>` answered `200 OK` and then `<mrs>` in a new MESSAGE to the
 * unit (or, for units that expect it, in the 200 OK body).
 *
 * The rule "no alarm is lost" holds as for MQTT: an event is committed to the inbox before the
 * 200 OK and before any `<mrs>`; when the store is away the request gets `503` and no `<mrs>`, and
 * the unit sends it again (SS 91100: a unit repeats until it gets `<mrs>`). A resend is the same
 * event (sessions.ts). Bad input gets its `snu` and a log line with a catalogue code; the
 * listener keeps serving everyone else, and under overload it says so (`503` with Retry-After,
 * heartbeats first) instead of going silent.
 *
 * Who may speak for a unit (strict: a forged cancel or alarm must be impossible): only the exact
 * flow it registered over (UDP: address and port; TCP/TLS: that connection), or a request that
 * carries fresh digest credentials (registrar.ts: nonces bound to the flow, each used once). Any
 * other sender gets a challenge, never a 200. A unit that proves itself from a new flow (its NAT
 * mapping changed, its TCP connection was replaced) is answered there and its registration
 * follows it (RFC 3581 / RFC 5626).
 */
import { randomBytes } from 'node:crypto';
import type { ErrorCode, Inbox, Logger, Pool } from '@trygg/alarm-core';
import type { ScaipUnit, ScaipUnits } from '@trygg/devices';
import { ScaipAnswers, type Answer } from './answer.js';
import { buildMrs, SCAIP_CONTENT_TYPE } from './mrs.js';
import { flowText, plainAddress, Registrar, sameFlow, userOf, type Registration } from './registrar.js';
import { HOLD_POLL_GAP_S, ScaipSessions } from './sessions.js';
import { respond, sip, type Flow, type SipMessage, type TransactionLayer } from './sip-lib.js';
import { SipTransport, type StreamLimits, type TransportOptions } from './transport.js';

export interface ScaipReceiverOptions extends Omit<TransportOptions, 'maxBodyBytes' | 'logger' | 'streams'> {
  realm: string;
  db: Pool;
  units: Pick<ScaipUnits, 'findByUsername' | 'siteSettings' | 'setHeartbeatInterval' | 'claimCid'>;
  inbox: Pick<Inbox, 'acceptWithOutcome' | 'alarmOf' | 'record' | 'expect'>;
  logger: Logger;
  /** Seconds a quiet ref stays the same session (default 3600). */
  sessionLifetimeS?: number;
  /** Seconds a ref may be quiet within one hold before a closed alarm ends its session (default 45). */
  holdPollGapS?: number;
  /** Largest SIP body taken in (default 16 KiB; SCAIP bodies are under 1 KiB, `<mrq>` over 4 KiB is snu 2). */
  maxBodyBytes?: number;
  /** Limits on SIP streams (TCP, TLS). */
  streams?: Partial<StreamLimits>;
  /**
   * Requests being handled at once above which heartbeats, registrations and probes are turned
   * away with `503` (alarms still taken), and twice which everything is (default 1000).
   */
  maxInFlight?: number;
}

const ALLOW = 'REGISTER, MESSAGE, OPTIONS';
/** Bodies taken as SCAIP when they hold an `<mrq>`: units label them loosely, or not at all. */
const XML_TYPES = new Set([SCAIP_CONTENT_TYPE, 'text/xml', 'application/xml', '']);

export class ScaipReceiver {
  readonly counters = new Map<string, number>();
  private readonly transport: SipTransport;
  private readonly registrar: Registrar;
  private readonly sessions: ScaipSessions;
  private layer: TransactionLayer | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;
  private readonly answers: ScaipAnswers;
  private inFlight = 0;
  private readonly maxInFlight: number;
  private lastOverloadLog = 0;

  constructor(private readonly opts: ScaipReceiverOptions) {
    this.transport = new SipTransport({
      ...opts,
      maxBodyBytes: opts.maxBodyBytes ?? 16 * 1024,
      logger: opts.logger,
      ...(opts.streams ? { streams: opts.streams } : {}),
    });
    this.registrar = new Registrar(opts.units, opts.realm, opts.logger);
    this.sessions = new ScaipSessions(opts.db, opts.sessionLifetimeS ?? 3600, opts.holdPollGapS ?? HOLD_POLL_GAP_S);
    this.maxInFlight = opts.maxInFlight ?? 1000;
    this.answers = new ScaipAnswers({
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

  /** Open SIP streams (TCP and TLS). */
  get streams(): number {
    return this.transport.streamCount;
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
    await this.transport.start(
      (m, flow, tooLarge) => this.onSip(m, flow, tooLarge),
      (flow, detail) => this.refuse('TRYGG_ERR_SIP_MALFORMED', flow, detail),
    );
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
    const shed = this.shed(m);
    if (shed) {
      tx.send(shed);
      return;
    }
    this.inFlight++;
    this.handle(m, flow, tooLarge)
      .catch((err: unknown) => {
        this.count('TRYGG_ERR_INTERNAL');
        this.opts.logger.error({ err, code: 'TRYGG_ERR_INTERNAL', method: m.method }, 'SIP request failed');
        return { rs: respond(m, 500, 'Server Internal Error') };
      })
      .then(({ rs, after }: { rs: SipMessage; after?: () => void }) => {
        tx.send(rs);
        after?.();
      })
      .catch((err: unknown) => this.opts.logger.error({ err, code: 'TRYGG_ERR_INTERNAL' }, 'SIP answer failed'))
      .finally(() => this.inFlight--);
  }

  /**
   * Over the limit, a clear "try again shortly" rather than silence: heartbeats, registrations and
   * probes first (they can wait), alarms only at twice the limit.
   */
  private shed(m: SipMessage): SipMessage | null {
    if (this.inFlight < this.maxInFlight) return null;
    const waits = m.method !== 'MESSAGE' || /<(?:\w+:)?mty>\s*PI\s*</i.test(m.content ?? '');
    if (!waits && this.inFlight < 2 * this.maxInFlight) return null;
    this.count('TRYGG_ERR_SIP_OVERLOADED');
    const now = Date.now();
    if (now - this.lastOverloadLog > 1000) {
      this.lastOverloadLog = now;
      this.opts.logger.warn(
        { code: 'TRYGG_ERR_SIP_OVERLOADED', inFlight: this.inFlight, shed: this.counters.get('TRYGG_ERR_SIP_OVERLOADED') },
        'SIP receiver at its limit; answering 503 Retry-After',
      );
    }
    return respond(m, 503, 'Service Unavailable', { headers: { 'retry-after': '2' } });
  }

  private async handle(rq: SipMessage, flow: Flow, tooLarge: boolean): Promise<{ rs: SipMessage; after?: () => void }> {
    if (tooLarge) {
      this.refuse('TRYGG_ERR_PAYLOAD_TOO_LARGE', flow, 'SIP body over the limit');
      return { rs: respond(rq, 413, 'Request Entity Too Large') };
    }
    switch (rq.method) {
      case 'REGISTER':
        return { rs: await this.onRegister(rq, flow) };
      case 'MESSAGE':
        return this.onMessage(rq, flow);
      case 'OPTIONS':
        return { rs: respond(rq, 200, 'OK', { headers: { allow: ALLOW, accept: SCAIP_CONTENT_TYPE } }) };
      default:
        return { rs: respond(rq, 405, 'Method Not Allowed', { headers: { allow: ALLOW } }) };
    }
  }

  private async onRegister(rq: SipMessage, flow: Flow): Promise<SipMessage> {
    const auth = await this.registrar.authenticate(rq, flow);
    if (!auth.ok) return this.authFailed(rq, flow, auth.response, auth.reason);
    this.count('register');
    return this.registrar.register(rq, flow, auth.unit);
  }

  private authFailed(rq: SipMessage, flow: Flow, response: 'challenge' | 'stale' | 'forbidden', reason: string): SipMessage {
    if (response === 'forbidden' || rq.headers.authorization) {
      this.refuse('TRYGG_ERR_SIP_UNAUTHENTICATED', flow, reason, { method: rq.method, from: rq.headers.from?.uri });
    }
    if (response === 'forbidden') return respond(rq, 403, 'Forbidden');
    return this.registrar.challenge(rq, flow, response === 'stale');
  }

  /**
   * Which unit sent this: a registered one over exactly its registered flow, or one that proves
   * itself now with digest (and is then followed to this flow).
   */
  private async sender(rq: SipMessage, flow: Flow): Promise<{ unit: ScaipUnit; reg?: Registration } | { rs: SipMessage }> {
    const user = userOf(rq.headers.from?.uri);
    const reg = user ? this.registrar.lookup(user) : undefined;
    if (reg && sameFlow(reg.source, flow)) return { unit: reg.unit, reg };
    const auth = await this.registrar.authenticate(rq, flow);
    if (!auth.ok) {
      if (reg && !rq.headers.authorization) {
        this.opts.logger.info(
          { deviceId: reg.unit.deviceId, registered: flowText(reg.source), from: flowText(flow) },
          'SCAIP request from another flow than the registered one; challenged',
        );
      }
      return { rs: this.authFailed(rq, flow, auth.response, auth.reason) };
    }
    this.registrar.follow(auth.unit.username, flow);
    return { unit: auth.unit, reg: this.registrar.lookup(auth.unit.username) };
  }

  private async onMessage(rq: SipMessage, flow: Flow): Promise<{ rs: SipMessage; after?: () => void }> {
    const type = (rq.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (type !== SCAIP_CONTENT_TYPE && !(XML_TYPES.has(type) && /<(?:\w+:)?mrq[\s>/]/.test(rq.content ?? ''))) {
      return { rs: respond(rq, 415, 'Unsupported Media Type', { headers: { accept: SCAIP_CONTENT_TYPE } }) };
    }
    const who = await this.sender(rq, flow);
    if ('rs' in who) return who;
    const { unit, reg } = who;
    let answer: Answer;
    try {
      answer = await this.answers.answer(unit, Buffer.from(rq.content ?? '', 'latin1'));
    } catch (err) {
      // Not stored: no 200 OK and no <mrs>, so the unit sends it again (SS 91100 repeat).
      this.count('TRYGG_ERR_STORE_UNAVAILABLE');
      this.opts.logger.error(
        { err, code: 'TRYGG_ERR_STORE_UNAVAILABLE', deviceId: unit.deviceId },
        'SCAIP event not stored; 503',
      );
      return { rs: respond(rq, 503, 'Service Unavailable', { headers: { 'retry-after': '5' } }) };
    }
    const { mrs } = answer;
    this.count(`snu.${mrs.snu}`);
    const body = Buffer.from(buildMrs(mrs), 'utf8').toString('latin1');
    const delivered = () => this.ended(unit, answer);
    if (unit.replyInOk) {
      return {
        rs: respond(rq, 200, 'OK', { headers: { 'content-type': SCAIP_CONTENT_TYPE }, content: body }),
        after: delivered,
      };
    }
    return { rs: respond(rq, 200, 'OK'), after: () => this.sendMrs(unit, reg, rq, flow, body, delivered) };
  }

  /** The unit has its `snu=0`: the session is over, and its ref may start a new one. */
  private ended(unit: ScaipUnit, { ends }: Answer): void {
    if (!ends) return;
    this.sessions
      .end(unit.deviceId, ends.cid, ends.ref, ends.sessionId)
      .catch((err: unknown) => this.opts.logger.warn({ err, deviceId: unit.deviceId }, 'SCAIP session end not recorded'));
  }

  /**
   * `<mrs>` in a new MESSAGE (SS 91100 §4: not in the 200 OK) to where the unit is now: its
   * registered target when the request came over its registered flow, else (or when that
   * stream has closed) the flow the request came in on.
   */
  private sendMrs(
    unit: ScaipUnit,
    reg: Registration | undefined,
    rq: SipMessage,
    flow: Flow,
    body: string,
    delivered: () => void,
  ): void {
    const layer = this.layer;
    if (!layer) return;
    const registered = reg && sameFlow(reg.source, flow) && this.transport.isOpen(reg.target);
    const target = registered ? reg.target : flow;
    const host = this.transport.host;
    const uri = registered ? reg.contact : `sip:${unit.username}@${plainAddress(flow.address)}:${flow.port}`;
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
        const status = rs.status ?? 0;
        if (status >= 200 && status < 300) delivered();
        if (status >= 300) {
          this.count('mrs.failed');
          this.opts.logger.warn(
            { deviceId: unit.deviceId, status, to: flowText(target) },
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
    const where = typeof who === 'string' ? { deviceId: who } : { from: flowText(who) };
    this.opts.logger.warn({ code, ...where, detail, ...extra }, 'SCAIP request refused');
  }
}
