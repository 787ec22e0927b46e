/**
 * SMS through an SMPP 3.4 gateway: one bind_transceiver session (SMPP 3.4 §4.1.5) kept up with
 * enquire_link (§4.11) and rebound after a loss with backoff; submits go out in a window of
 * outstanding submit_sm (§4.4) and resolve on submit_sm_resp; receipts and people's messages
 * arrive as deliver_sm (§4.6), each answered with deliver_sm_resp, and reach listeners as
 * SmsEvents. A gateway's refusal for good rejects with TRYGG_ERR_NOTIFICATION_FAILED; anything
 * trying again may help (throttled, queue full, not bound, timed out, aborted) rejects with
 * SmppRetryableError. Nothing the gateway sends crashes it: an unreadable PDU or text is logged
 * with TRYGG_ERR_SMPP_PDU.
 */
import type { ConnectionOptions } from 'node:tls';
import { TryggError, type Logger, type SmsEvent, type SmsMessage, type SmsTransport } from '@trygg/alarm-core';
import { E164, destinationAddress, senderAddress } from './address.js';
import { ESM_UDHI, encodeSms, type SmsEncoding } from './encode.js';
import { Reassembler, SmppInboundError, readDeliverSm } from './inbound.js';
import { STATUS, pdu, smpp, statusName, type Pdu, type SmppSession } from './smpp-lib.js';

export interface SmppTransportOptions {
  host: string;
  port: number;
  /** SMPP over TLS: true, or Node's TLS options (ca, servername …). */
  tls?: boolean | ConnectionOptions;
  systemId: string;
  /** Never logged. */
  password: string;
  systemType?: string;
  /** Source address: "+4790000000", a short code, or a name of at most 11 characters. */
  sender: string;
  encoding?: SmsEncoding;
  /** submit_sm outstanding at once (the gateway's window). */
  window?: number;
  /** How long a submit_sm, bind or enquire_link waits for its answer. */
  responseTimeoutMs?: number;
  /** Seconds between enquire_links while bound. */
  enquireLinkS?: number;
  /** Backoff between reconnects: first, and the most it grows to. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  logger: Logger;
}

/** A submit that failed for now: trying again later may help. `status` is the SMPP status, if the gateway gave one. */
export class SmppRetryableError extends Error {
  constructor(
    message: string,
    readonly status: string | null = null,
  ) {
    super(message);
    this.name = 'SmppRetryableError';
  }
}

/** Statuses that say "later", not "never" (SMPP 3.4 §5.1.3). */
const RETRYABLE = new Set([
  STATUS.ESME_RTHROTTLED,
  STATUS.ESME_RMSGQFUL,
  STATUS.ESME_RSYSERR,
  STATUS.ESME_RINVBNDSTS,
  STATUS.ESME_RX_T_APPN,
  STATUS.ESME_RSUBMITFAIL,
]);

/** Parts of a concatenated message by their own id, until every receipt is in. */
interface Multipart {
  messageId: string;
  remaining: number;
  failed: boolean;
}
const MAX_TRACKED_PARTS = 100_000;

export class SmppTransport implements SmsTransport {
  private readonly opts: Required<Omit<SmppTransportOptions, 'tls' | 'systemType'>> & {
    tls: SmppTransportOptions['tls'];
    systemType: string;
  };
  private session: SmppSession | null = null;
  private bound = false;
  private stopped = true;
  private backoffMs: number;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private enquireTimer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<(e: SmsEvent) => void>();
  /** Rejecters of the current session's requests awaiting an answer. */
  private readonly awaiting = new Set<(err: Error) => void>();
  private inflight = 0;
  /** Requests waiting for a place in the window: handed a place, or refused on stop. */
  private readonly waiting: { go: () => void; refuse: (err: Error) => void }[] = [];
  private ref = Math.floor(Math.random() * 256);
  private readonly multipart = new Map<string, Multipart>();
  private readonly reassembler: Reassembler;
  private firstBind: (() => void) | null = null;
  private readonly source: ReturnType<typeof senderAddress>;

  constructor(opts: SmppTransportOptions) {
    this.opts = {
      encoding: 'auto',
      window: 10,
      responseTimeoutMs: 10_000,
      enquireLinkS: 30,
      reconnectMinMs: 500,
      reconnectMaxMs: 30_000,
      ...opts,
      tls: opts.tls,
      systemType: opts.systemType ?? '',
    };
    this.backoffMs = this.opts.reconnectMinMs;
    this.source = senderAddress(this.opts.sender);
    this.reassembler = new Reassembler(({ from, to, text, complete }) => {
      if (!complete)
        this.opts.logger.warn({ from: mask(from) }, 'SMS reply: not every part of a long text arrived; handing on what did');
      this.emit({ type: 'reply', from, to, text, at: new Date().toISOString() });
    });
  }

  /** True while bound to the gateway. */
  get ready(): boolean {
    return this.bound;
  }

  /** Connects and binds; resolves once the first bind succeeded or failed (a failed one is retried in the background). */
  start(): Promise<void> {
    if (!this.stopped) return Promise.resolve();
    this.stopped = false;
    return new Promise((resolve) => {
      this.firstBind = resolve;
      this.connect();
    });
  }

  /** Unbinds (§4.2) and closes; submits still waiting reject as retryable. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const session = this.session;
    if (session && this.bound) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1_000);
        session.send(pdu('unbind'), () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    this.down(session, 'stopped');
    session?.destroy();
    for (const w of this.waiting.splice(0)) w.refuse(new SmppRetryableError('the SMS transport is stopped'));
    this.reassembler.flushAll();
  }

  onEvent(listener: (e: SmsEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async submit(msg: SmsMessage, opts: { signal?: AbortSignal } = {}): Promise<{ messageId: string }> {
    if (!E164.test(msg.to)) throw new TryggError('TRYGG_ERR_NOTIFICATION_FAILED', `SMS to ${mask(msg.to)}: not an E.164 number`);
    this.ref = (this.ref + 1) & 0xff;
    const { dataCoding, parts } = encodeSms(msg.text, this.opts.encoding, this.ref);
    const src = this.source;
    const dst = destinationAddress(msg.to);
    const ids: string[] = [];
    for (const part of parts) {
      const resp = await this.request(
        'submit_sm',
        {
          source_addr_ton: src.ton,
          source_addr_npi: src.npi,
          source_addr: src.addr,
          dest_addr_ton: dst.ton,
          dest_addr_npi: dst.npi,
          destination_addr: dst.addr,
          esm_class: parts.length > 1 ? ESM_UDHI : 0,
          registered_delivery: 1, // SMSC delivery receipt on the final outcome (§5.2.17)
          data_coding: dataCoding,
          short_message: part,
        },
        opts.signal,
      );
      if (resp.command_status !== STATUS.ESME_ROK) {
        const status = statusName(resp.command_status);
        const what = `SMS ${msg.ref} to ${mask(msg.to)}${parts.length > 1 ? ` (part ${ids.length + 1} of ${parts.length})` : ''}: gateway answered ${status}`;
        if (RETRYABLE.has(resp.command_status)) throw new SmppRetryableError(what, status);
        throw new TryggError('TRYGG_ERR_NOTIFICATION_FAILED', what);
      }
      ids.push(typeof resp.message_id === 'string' ? resp.message_id : '');
    }
    const messageId = ids[0] ?? '';
    if (ids.length > 1) {
      const multi = { messageId, remaining: ids.length, failed: false };
      for (const id of ids) this.multipart.set(id, multi);
      while (this.multipart.size > MAX_TRACKED_PARTS) this.multipart.delete(this.multipart.keys().next().value!);
    }
    return { messageId };
  }

  /** Sends a request within the window and resolves with its response. */
  private async request(command: string, fields: Record<string, unknown>, signal?: AbortSignal): Promise<Pdu> {
    if (this.stopped) throw new SmppRetryableError('the SMS transport is stopped');
    if (signal?.aborted) throw new SmppRetryableError('aborted');
    if (!this.bound) throw new SmppRetryableError('not bound to the SMS gateway');
    if (this.inflight < this.opts.window) this.inflight++;
    else await this.slot(signal);
    try {
      return await this.exchange(pdu(command, fields), signal);
    } finally {
      // The place goes straight to the next request waiting, so the window never overfills.
      const next = this.waiting.shift();
      if (next) next.go();
      else this.inflight--;
    }
  }

  /** Waits until a finishing request hands over its place in the window (or the abort). */
  private slot(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry = {
        go: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        refuse: (err: Error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new SmppRetryableError('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  /** One request on the current session, answered, timed out, aborted, or lost with the connection. */
  private exchange(request: Pdu, signal?: AbortSignal): Promise<Pdu> {
    const session = this.session;
    if (!session || !this.bound) return Promise.reject(new SmppRetryableError('not bound to the SMS gateway'));
    return new Promise<Pdu>((resolve, reject) => {
      const done = (err: Error | null, resp?: Pdu) => {
        clearTimeout(timer);
        this.awaiting.delete(fail);
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(resp!);
      };
      const fail = (err: Error) => done(err);
      const onAbort = () => done(new SmppRetryableError('aborted'));
      const timer = setTimeout(
        () => done(new SmppRetryableError(`no ${request.command}_resp within ${this.opts.responseTimeoutMs} ms`)),
        this.opts.responseTimeoutMs,
      );
      this.awaiting.add(fail);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (!session.send(request, (resp) => done(null, resp)))
        done(new SmppRetryableError('the SMS gateway connection is closed'));
    });
  }

  private connect(): void {
    this.reconnectTimer = null;
    if (this.stopped) return;
    const { host, port, tls } = this.opts;
    const session = smpp.connect({ host, port, ...(tls ? { tls: true, ...(tls === true ? {} : tls) } : {}) });
    this.session = session;
    const bindTimer = setTimeout(() => {
      this.opts.logger.warn({ host, port }, 'SMS gateway: no bind within the response timeout; reconnecting');
      session.destroy();
    }, this.opts.responseTimeoutMs);
    bindTimer.unref();
    session.on(tls ? 'secureConnect' : 'connect', () => {
      session.send(
        pdu('bind_transceiver', {
          system_id: this.opts.systemId,
          password: this.opts.password,
          system_type: this.opts.systemType,
          interface_version: 0x34,
        }),
        (resp) => {
          clearTimeout(bindTimer);
          if (resp.command_status !== STATUS.ESME_ROK) {
            this.opts.logger.error(
              { code: 'TRYGG_ERR_SMPP_BIND', status: statusName(resp.command_status), host, port, systemId: this.opts.systemId },
              `SMS gateway refused the bind (${statusName(resp.command_status)}): check TRYGG_SMPP_SYSTEM_ID, TRYGG_SMPP_PASSWORD and TRYGG_SMPP_SYSTEM_TYPE`,
            );
            session.destroy();
            return;
          }
          this.bound = true;
          this.backoffMs = this.opts.reconnectMinMs;
          this.opts.logger.info({ host, port, systemId: this.opts.systemId }, 'SMS gateway bound (SMPP transceiver)');
          this.keepAlive(session);
          this.settleFirstBind();
        },
      );
    });
    session.on('deliver_sm', (p) => this.onDeliver(session, p));
    session.on('enquire_link', (p) => session.send(p.response()));
    session.on('unbind', (p) => {
      this.opts.logger.warn({ host, port }, 'SMS gateway unbound us; rebinding');
      this.bound = false;
      session.send(p.response(), () => session.close());
    });
    session.on('pdu', (p) => {
      if (p.isResponse() || HANDLED.has(p.command)) return;
      // A request Trygg does not take (§4.3 generic_nack for an unknown command).
      session.send(p.response({ command_status: STATUS.ESME_RINVCMDID }));
    });
    session.on('error', (err) => {
      const code = (err as NodeJS.ErrnoException).code;
      if (code) this.opts.logger.warn({ host, port, err: code }, `SMS gateway connection: ${err.message}`);
      else
        this.opts.logger.error(
          { code: 'TRYGG_ERR_SMPP_PDU', host, port, reason: err.message },
          'SMS gateway sent a PDU Trygg cannot read; reconnecting',
        );
      clearTimeout(bindTimer);
      this.down(session, code ? 'connection failed' : 'unreadable PDU');
      session.destroy();
    });
    session.on('close', () => {
      clearTimeout(bindTimer);
      this.down(session, 'connection closed');
    });
  }

  /** enquire_link while bound; no answer in time means the link is dead. */
  private keepAlive(session: SmppSession): void {
    if (this.enquireTimer) clearInterval(this.enquireTimer);
    this.enquireTimer = setInterval(() => {
      this.exchange(pdu('enquire_link')).catch(() => {
        if (this.session !== session) return;
        this.opts.logger.warn({ host: this.opts.host, port: this.opts.port }, 'SMS gateway: no enquire_link_resp; reconnecting');
        session.destroy();
      });
    }, this.opts.enquireLinkS * 1000);
    this.enquireTimer.unref();
  }

  /** The session went away: every request on it fails as retryable, and a reconnect is scheduled. */
  private down(session: SmppSession | null, why: string): void {
    if (!session || this.session !== session) return;
    session.removeAllListeners();
    session.on('error', () => {}); // late socket errors of a dropped session
    this.session = null;
    const wasBound = this.bound;
    this.bound = false;
    if (this.enquireTimer) clearInterval(this.enquireTimer);
    this.enquireTimer = null;
    for (const fail of [...this.awaiting]) fail(new SmppRetryableError(`SMS gateway ${why}`));
    if (this.stopped) return this.settleFirstBind();
    const delay = Math.round(this.backoffMs * (0.75 + Math.random() * 0.5));
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.reconnectMaxMs);
    if (wasBound)
      this.opts.logger.warn(
        { host: this.opts.host, port: this.opts.port, why },
        `SMS gateway lost (${why}); reconnecting in ${delay} ms`,
      );
    this.settleFirstBind();
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
    this.reconnectTimer.unref();
  }

  private settleFirstBind(): void {
    this.firstBind?.();
    this.firstBind = null;
  }

  private onDeliver(session: SmppSession, p: Pdu): void {
    let inbound;
    try {
      inbound = readDeliverSm(p);
    } catch (err) {
      // SmppInboundError says what is wrong; anything else thrown while reading is the PDU's fault too.
      const reason = err instanceof SmppInboundError || err instanceof Error ? err.message : String(err);
      this.opts.logger.error(
        { code: 'TRYGG_ERR_SMPP_PDU', reason },
        'SMS gateway sent a deliver_sm Trygg cannot read; answered ESME_RX_P_APPN',
      );
      session.send(p.response({ command_status: STATUS.ESME_RX_P_APPN }));
      return;
    }
    session.send(p.response({ message_id: '' }));
    if (inbound.kind === 'message') return this.reassembler.add(inbound);
    if (inbound.state === null) return;
    const at = new Date().toISOString();
    const multi = this.multipart.get(inbound.messageId);
    if (!multi)
      return this.emit({ type: 'receipt', messageId: inbound.messageId, state: inbound.state, detail: inbound.detail, at });
    this.multipart.delete(inbound.messageId);
    if (multi.failed) return;
    if (inbound.state === 'failed') {
      multi.failed = true;
      return this.emit({ type: 'receipt', messageId: multi.messageId, state: 'failed', detail: inbound.detail, at });
    }
    if (--multi.remaining === 0)
      this.emit({ type: 'receipt', messageId: multi.messageId, state: 'delivered', detail: inbound.detail, at });
  }

  private emit(e: SmsEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.opts.logger.error({ err, event: e.type }, 'SMS event listener failed');
      }
    }
  }
}

/** Requests the transport answers itself; any other request gets ESME_RINVCMDID. */
const HANDLED = new Set(['deliver_sm', 'enquire_link', 'unbind']);

/** A phone number for a log line: enough to tell two apart, not enough to call. */
function mask(phone: string): string {
  return phone.length > 5 ? `${phone.slice(0, 3)}…${phone.slice(-2)}` : '…';
}
