/**
 * A faithful local SMSC (SMPP 3.4 server) for tests, the bench and the demo: it checks binds
 * (system id, password, system type), takes submit_sm only from bound transmitters and
 * transceivers, checks every field (checks.ts) and refuses what a real SMSC refuses, puts
 * concatenated parts together, assigns message ids, sends delivery receipts (deliver_sm with
 * esm_class 0x04, the receipted_message_id and message_state TLVs and the Appendix B text) after
 * a short delay, and sends people's messages (mobile originated) to the bound ESME. It can fail
 * on command: refuse binds, throttle, withhold receipts, answer UNDELIV, drop connections.
 *
 * A second login, `phones`, plays the handsets (`npm run sim`): every message the SMSC takes is
 * delivered to it as deliver_sm, and what it submits reaches the ESME as a person's reply.
 */
import { checkSubmit, type CheckedPart, type Concat } from './checks.js';
import { encodeGsm } from './gsm.js';
import { ESME, pdu, smpp, type Pdu, type Session, type SmppServer } from './smpp.js';

export interface SmscOptions {
  systemId?: string;
  password?: string;
  /** The system_type a bind must carry; null = any. */
  systemType?: string | null;
  /** The handsets' login (see the header); null = none. */
  phones?: { systemId: string; password: string } | null;
  /** Milliseconds from a submit to its delivery receipt. */
  receiptDelayMs?: number;
  host?: string;
  port?: number;
  /** The address people's messages are sent to when `reply` names none (a short code). */
  shortCode?: string;
  /** A line for each refusal and each failure switch used (the demo prints them). */
  log?: (line: string) => void;
}

/** A message the SMSC took, its parts put together. */
export interface SmsReceived {
  /** The first part's message id (what the ESME got back for it). */
  messageId: string;
  ids: string[];
  from: string;
  sourceTon: number;
  to: string;
  text: string;
  dataCoding: 0 | 8;
  parts: number;
  at: Date;
}

export type ReceiptStat = 'DELIVRD' | 'UNDELIV' | 'EXPIRED' | 'REJECTD' | 'DELETED' | 'UNKNOWN';
const MESSAGE_STATE: Record<ReceiptStat, number> = { DELIVRD: 2, EXPIRED: 3, DELETED: 4, UNDELIV: 5, UNKNOWN: 7, REJECTD: 8 };

type Role = 'esme' | 'phones';
interface Bound {
  role: Role;
  mode: 'transmitter' | 'receiver' | 'transceiver';
}

const BINDS: Record<string, Bound['mode']> = {
  bind_transmitter: 'transmitter',
  bind_receiver: 'receiver',
  bind_transceiver: 'transceiver',
};

export class LocalSmsc {
  /** Failure switches. */
  refuseBinds = false;
  /** The next N submit_sm are answered ESME_RTHROTTLED. */
  throttleNext = 0;
  withholdReceipts = false;
  receiptStat: ReceiptStat = 'DELIVRD';
  /** Receipts carry the receipted_message_id and message_state TLVs; false: the text alone, as older SMSCs send. */
  receiptTlvs = true;
  /** Every refusal, in order: command, status name, reason. */
  readonly refusals: { command: string; status: string; reason: string }[] = [];
  /** The command_status of every deliver_sm_resp the ESME sent back. */
  readonly deliverAnswers: number[] = [];

  private readonly opts: Required<Omit<SmscOptions, 'log' | 'phones' | 'systemType'>> &
    Pick<SmscOptions, 'log'> & {
      phones: SmscOptions['phones'];
      systemType: string | null;
    };
  private server: SmppServer | null = null;
  private readonly bound = new Map<Session, Bound>();
  private readonly received: SmsReceived[] = [];
  private readonly assembling = new Map<string, { parts: Map<number, { part: CheckedPart; id: string }>; total: number }>();
  private readonly waiters = new Set<() => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextId = 0x10000;
  private moRef = 0;

  constructor(opts: SmscOptions = {}) {
    this.opts = {
      systemId: 'trygg',
      password: 'secret',
      receiptDelayMs: 100,
      host: '127.0.0.1',
      port: 0,
      shortCode: '2270',
      ...opts,
      phones: opts.phones ?? null,
      systemType: opts.systemType ?? null,
    };
  }

  /** Listens; resolves with the port. */
  async start(): Promise<number> {
    const server = smpp.createServer({}, (s) => this.onSession(s));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    return this.port;
  }

  get port(): number {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : 0;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const s of [...server.sessions]) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Sessions bound with the ESME's login. */
  get boundSessions(): number {
    return [...this.bound.values()].filter((b) => b.role === 'esme').length;
  }

  /** Closes every connection at once, as a gateway restart does. */
  dropConnections(): void {
    this.opts.log?.('SMSC: dropping every connection');
    for (const s of [...(this.server?.sessions ?? [])]) s.destroy();
  }

  /** Writes raw octets to every bound ESME connection (tests: a gateway that sends garbage). */
  sendBytes(octets: Buffer): void {
    for (const [s, b] of this.bound) if (b.role === 'esme') s.socket.write(octets);
  }

  /** Messages to a phone (E.164), parts put together, oldest first. */
  messagesTo(phone: string): SmsReceived[] {
    return this.received.filter((m) => m.to === phone);
  }

  /** Every message taken, oldest first. */
  get messages(): readonly SmsReceived[] {
    return this.received;
  }

  /** The first message to `phone` (taken before or after the call) that `predicate` accepts. */
  waitForMessage(phone: string, predicate: (m: SmsReceived) => boolean = () => true, timeoutMs = 10_000): Promise<SmsReceived> {
    return new Promise((resolve, reject) => {
      const look = () => {
        const m = this.messagesTo(phone).find(predicate);
        if (!m) return false;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(m);
        return true;
      };
      const check = () => void look();
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no SMS to ${phone} within ${timeoutMs} ms (${this.messagesTo(phone).length} others)`));
      }, timeoutMs);
      if (!look()) this.waiters.add(check);
    });
  }

  /**
   * A person's message from `fromPhone` (E.164) to the bound ESME: GSM 7-bit when it fits, else
   * UCS-2, long texts in concatenated parts. Resolves with each part's deliver_sm_resp status.
   */
  reply(fromPhone: string, text: string, opts: { to?: string; encoding?: 'gsm' | 'ucs2' } = {}): Promise<number[]> {
    const gsm = opts.encoding === 'ucs2' ? null : encodeGsm(text);
    if (opts.encoding === 'gsm' && !gsm) return Promise.reject(new Error('text has characters outside GSM 03.38'));
    const dc = gsm ? 0 : 8;
    const units: number[][] = gsm
      ? [...text].map((c) => [...encodeGsm(c)!])
      : [...text].map((c) => [...Buffer.from(c, 'utf16le').swap16()]);
    const size = (u: number[][]) => u.reduce((n, x) => n + x.length, 0);
    const max = gsm ? 160 : 140;
    const perPart = gsm ? 153 : 134;
    const chunks: number[][] = [];
    if (size(units) <= max) chunks.push(units.flat());
    else {
      let cur: number[] = [];
      for (const u of units) {
        if (cur.length + u.length > perPart) {
          chunks.push(cur);
          cur = [];
        }
        cur.push(...u);
      }
      chunks.push(cur);
    }
    const ref = (this.moRef = (this.moRef + 1) & 0xff);
    const to = opts.to ?? this.opts.shortCode;
    return this.sequentially(
      chunks.map((c, i) => {
        const udh = chunks.length > 1 ? [0x05, 0x00, 0x03, ref, chunks.length, i + 1] : [];
        return {
          source_addr_ton: 1,
          source_addr_npi: 1,
          source_addr: fromPhone.replace(/^\+/, ''),
          dest_addr_ton: /^\+/.test(to) ? 1 : /^\d{1,8}$/.test(to) ? 3 : 5,
          dest_addr_npi: /^\+/.test(to) ? 1 : 0,
          destination_addr: to.replace(/^\+/, ''),
          esm_class: udh.length ? 0x40 : 0,
          data_coding: dc,
          short_message: Buffer.from([...udh, ...c]),
        };
      }),
    );
  }

  /** Sends a deliver_sm as given (tests: what a broken gateway sends); resolves with the ESME's answer status. */
  async deliverRaw(fields: Record<string, unknown>): Promise<number> {
    const [status] = await this.sequentially([fields]);
    return status!;
  }

  private async sequentially(list: Record<string, unknown>[]): Promise<number[]> {
    const session = this.receiverSession();
    if (!session) throw new Error('no ESME is bound to receive');
    const out: number[] = [];
    for (const fields of list) out.push(await this.deliver(session, fields));
    return out;
  }

  private deliver(session: Session, fields: Record<string, unknown>): Promise<number> {
    return new Promise((resolve, reject) => {
      const sent = session.send(pdu('deliver_sm', fields), (resp) => {
        this.deliverAnswers.push(resp.command_status);
        resolve(resp.command_status);
      });
      if (!sent) reject(new Error('the ESME connection is closed'));
    });
  }

  /** A session of the ESME's login that may receive (receiver or transceiver). */
  private receiverSession(role: Role = 'esme', prefer?: Session): Session | null {
    const ok = (s: Session) => {
      const b = this.bound.get(s);
      return b?.role === role && b.mode !== 'transmitter' && s.socket.writable;
    };
    if (prefer && ok(prefer)) return prefer;
    return [...this.bound.keys()].find(ok) ?? null;
  }

  private refuse(session: Session, p: Pdu, status: number, reason: string): void {
    const name = Object.entries(ESME).find(([, v]) => v === status)?.[0] ?? String(status);
    this.refusals.push({ command: p.command, status: name, reason });
    this.opts.log?.(`SMSC: ${p.command} refused ${name}: ${reason}`);
    session.send(p.response({ command_status: status }));
  }

  private onSession(session: Session): void {
    session.on('error', (err) => {
      // A PDU the package cannot parse (a length past its limit, a field past the end).
      this.refusals.push({ command: '(stream)', status: 'closed', reason: err.message });
      this.opts.log?.(`SMSC: unreadable PDU, connection closed: ${err.message}`);
      session.destroy();
    });
    session.on('close', () => this.bound.delete(session));
    session.on('pdu', (p) => {
      if (p.isResponse()) return;
      if (p.command in BINDS) return this.onBind(session, p);
      if (p.command === 'enquire_link') return void session.send(p.response());
      if (p.command === 'unbind') {
        this.bound.delete(session);
        return void session.send(p.response(), () => session.close());
      }
      if (p.command === 'unknown') return void session.send(p.response());
      const b = this.bound.get(session);
      if (!b) return this.refuse(session, p, ESME.ESME_RINVBNDSTS!, `${p.command} before a bind`);
      if (p.command !== 'submit_sm') return this.refuse(session, p, ESME.ESME_RINVCMDID!, `${p.command} is not supported`);
      if (b.mode === 'receiver') return this.refuse(session, p, ESME.ESME_RINVBNDSTS!, 'submit_sm on a receiver bind');
      if (b.role === 'phones') return this.fromPhone(session, p);
      this.onSubmit(session, p);
    });
  }

  private onBind(session: Session, p: Pdu): void {
    const mode = BINDS[p.command]!;
    if (this.refuseBinds) return this.refuse(session, p, ESME.ESME_RBINDFAIL!, 'binds are refused (switch)');
    if (this.bound.has(session)) return this.refuse(session, p, ESME.ESME_RALYBND!, 'already bound');
    const id = typeof p.system_id === 'string' ? p.system_id : '';
    const pw = typeof p.password === 'string' ? p.password : '';
    const phones = this.opts.phones;
    let role: Role | null = null;
    if (id === this.opts.systemId && pw === this.opts.password) role = 'esme';
    else if (phones && id === phones.systemId && pw === phones.password) role = 'phones';
    if (!role) return this.refuse(session, p, ESME.ESME_RBINDFAIL!, `wrong system_id or password for "${id}"`);
    if (role === 'esme' && this.opts.systemType !== null && p.system_type !== this.opts.systemType) {
      return this.refuse(session, p, ESME.ESME_RBINDFAIL!, `system_type "${String(p.system_type)}"`);
    }
    this.bound.set(session, { role, mode });
    session.send(p.response({ system_id: 'TryggSMSC' }));
  }

  private onSubmit(session: Session, p: Pdu): void {
    if (this.throttleNext > 0) {
      this.throttleNext--;
      return this.refuse(session, p, ESME.ESME_RTHROTTLED!, 'throttled (switch)');
    }
    const checked = checkSubmit(p);
    if (!checked.ok) return this.refuse(session, p, checked.status, checked.reason);
    const { part } = checked;
    const key = part.concat && `${part.source.addr}|${part.to}|${part.concat.ref}`;
    const pending = key ? this.assembling.get(key) : undefined;
    if (part.concat && pending) {
      const first = [...pending.parts.values()][0]!.part;
      const why = concatMismatch(part.concat, pending.total, pending.parts, first, part);
      if (why) return this.refuse(session, p, ESME.ESME_RINVESMCLASS!, why);
    }
    const id = (this.nextId++).toString(16).toUpperCase();
    session.send(p.response({ message_id: id }));
    if (part.receipt) this.later(() => this.sendReceipt(session, id, part));
    this.forwardToPhones(p);
    if (!part.concat || !key) return this.take([{ part, id }]);
    const entry = pending ?? { parts: new Map<number, { part: CheckedPart; id: string }>(), total: part.concat.total };
    entry.parts.set(part.concat.seq, { part, id });
    this.assembling.set(key, entry);
    if (entry.parts.size === entry.total) {
      this.assembling.delete(key);
      this.take([...entry.parts.entries()].sort(([a], [b]) => a - b).map(([, v]) => v));
    }
  }

  private take(parts: { part: CheckedPart; id: string }[]): void {
    const first = parts[0]!.part;
    this.received.push({
      messageId: parts[0]!.id,
      ids: parts.map((x) => x.id),
      from: first.source.addr,
      sourceTon: first.source.ton,
      to: first.to,
      text: parts.map((x) => x.part.text).join(''),
      dataCoding: first.dataCoding,
      parts: parts.length,
      at: new Date(),
    });
    for (const w of [...this.waiters]) w();
  }

  private later(fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, this.opts.receiptDelayMs);
    this.timers.add(t);
  }

  /** A delivery receipt (SMPP 3.4 §4.6.1.1, Appendix B) to the session that submitted, or another receiver of the ESME. */
  private sendReceipt(submitter: Session, id: string, part: CheckedPart): void {
    if (this.withholdReceipts) return;
    const session = this.receiverSession('esme', submitter);
    if (!session) return;
    const stat = this.receiptStat;
    const now = yymmddhhmm(new Date());
    const err = stat === 'DELIVRD' ? '000' : '001';
    const text = `id:${id} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:${now} done date:${now} stat:${stat} err:${err} text:${part.text.replace(/[^ -~]/g, '.').slice(0, 20)}`;
    session.send(
      pdu('deliver_sm', {
        source_addr_ton: 1,
        source_addr_npi: 1,
        source_addr: part.to.slice(1),
        dest_addr_ton: part.source.ton,
        dest_addr_npi: part.source.npi,
        destination_addr: part.source.addr,
        esm_class: 0x04,
        data_coding: 0,
        short_message: encodeGsm(text) ?? Buffer.from(text, 'latin1'),
        ...(this.receiptTlvs ? { receipted_message_id: id, message_state: MESSAGE_STATE[stat] } : {}),
      }),
      (resp) => this.deliverAnswers.push(resp.command_status),
    );
  }

  /** The handsets' login gets what was sent to them, part by part as the network would. */
  private forwardToPhones(p: Pdu): void {
    const phones = this.receiverSession('phones');
    if (!phones) return;
    const fields: Record<string, unknown> = {};
    for (const k of [
      'source_addr_ton',
      'source_addr_npi',
      'source_addr',
      'dest_addr_ton',
      'dest_addr_npi',
      'destination_addr',
      'esm_class',
      'data_coding',
      'short_message',
    ]) {
      fields[k] = p[k];
    }
    phones.send(pdu('deliver_sm', fields));
  }

  /** A submit from the handsets' login: a person's message, on to the ESME. */
  private fromPhone(session: Session, p: Pdu): void {
    const from = typeof p.source_addr === 'string' ? p.source_addr : '';
    const sm = Buffer.isBuffer(p.short_message) ? p.short_message : Buffer.alloc(0);
    const dc = typeof p.data_coding === 'number' ? p.data_coding : 0;
    if (!/^[1-9]\d{6,14}$/.test(from))
      return this.refuse(session, p, ESME.ESME_RINVSRCADR!, `phone "${from}" is not E.164 digits`);
    if (dc !== 0 && dc !== 8) return this.refuse(session, p, ESME.ESME_RINVDCS!, `data_coding ${dc}`);
    const id = (this.nextId++).toString(16).toUpperCase();
    session.send(p.response({ message_id: id }));
    this.sequentially([
      {
        source_addr_ton: 1,
        source_addr_npi: 1,
        source_addr: from,
        dest_addr_ton: p.dest_addr_ton,
        dest_addr_npi: p.dest_addr_npi,
        destination_addr: p.destination_addr,
        esm_class: typeof p.esm_class === 'number' ? p.esm_class & 0x40 : 0,
        data_coding: dc,
        short_message: sm,
      },
    ]).catch((err: Error) => this.opts.log?.(`SMSC: a phone's message was not delivered: ${err.message}`));
  }
}

function concatMismatch(
  c: Concat,
  total: number,
  parts: Map<number, { part: CheckedPart }>,
  first: CheckedPart,
  part: CheckedPart,
): string | null {
  if (c.total !== total) return `part ${c.seq} says ${c.total} parts, earlier parts of reference ${c.ref} said ${total}`;
  if (parts.has(c.seq)) return `part ${c.seq} of reference ${c.ref} sent twice`;
  if (first.dataCoding !== part.dataCoding) return `parts of reference ${c.ref} in different data_coding`;
  return null;
}

function yymmddhhmm(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}
