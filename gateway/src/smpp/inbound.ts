/**
 * What a deliver_sm from the SMS gateway says (SMPP 3.4 §4.6.1): a delivery receipt for one of
 * our messages (esm_class message type 0x04, §5.2.12; receipted_message_id and message_state
 * TLVs, or the receipt text of Appendix B "id:… stat:DELIVRD err:…") or a person's message
 * (mobile originated), decoded by its data_coding and, when it is one part of a longer text,
 * with its concatenation header (TS 23.040 §9.2.3.24.1, or the sar_* TLVs, §5.3.2.22–24).
 * Anything it cannot read throws SmppInboundError with the reason; the transport logs it and
 * answers the PDU, never crashes.
 */
import { gsmDecode } from './gsm7.js';
import type { Pdu } from './smpp-lib.js';

export class SmppInboundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SmppInboundError';
  }
}

export type Inbound =
  | { kind: 'receipt'; messageId: string; state: 'delivered' | 'failed' | null; detail: string }
  | { kind: 'message'; from: string; to: string; text: string; concat: { ref: number; total: number; seq: number } | null };

/** Final receipt states (Appendix B "stat" and the message_state TLV, §5.2.28). Null: not final. */
const STATES: Record<string, 'delivered' | 'failed' | null> = {
  DELIVRD: 'delivered',
  UNDELIV: 'failed',
  EXPIRED: 'failed',
  REJECTD: 'failed',
  DELETED: 'failed',
  UNKNOWN: 'failed',
  ACCEPTD: null,
  ENROUTE: null,
  SCHEDUL: null,
};
const MESSAGE_STATE = ['SCHEDUL', 'ENROUTE', 'DELIVRD', 'EXPIRED', 'DELETED', 'UNDELIV', 'ACCEPTD', 'UNKNOWN', 'REJECTD'];

const bytes = (v: unknown): Buffer => (Buffer.isBuffer(v) ? v : Buffer.alloc(0));
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** UTF-16BE octets → text; throws on an odd length or a lone surrogate. */
export function decodeUcs2(octets: Buffer): string {
  if (octets.length % 2 !== 0) throw new SmppInboundError(`UCS-2 text of odd length (${octets.length} octets)`);
  let out = '';
  for (let i = 0; i < octets.length; i += 2) {
    const u = octets.readUInt16BE(i);
    if (u >= 0xd800 && u <= 0xdbff) {
      const lo = i + 2 < octets.length ? octets.readUInt16BE(i + 2) : -1;
      if (lo < 0xdc00 || lo > 0xdfff) throw new SmppInboundError(`UCS-2 text with a lone surrogate at octet ${i}`);
      out += String.fromCharCode(u, lo);
      i += 2;
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      throw new SmppInboundError(`UCS-2 text with a lone surrogate at octet ${i}`);
    } else {
      out += String.fromCharCode(u);
    }
  }
  return out;
}

/** A text by its data_coding (§5.2.19); throws for binary data or octets the coding cannot hold. */
export function decodeText(dataCoding: number, octets: Buffer): string {
  switch (dataCoding) {
    case 0x00:
    case 0xf0:
    case 0xf1:
    case 0xf2:
    case 0xf3: {
      const text = gsmDecode(octets);
      if (text === null) throw new SmppInboundError('GSM 7-bit text with an octet above 0x7F');
      return text;
    }
    case 0x01: // IA5 (ASCII)
      if (octets.some((b) => b > 0x7f)) throw new SmppInboundError('IA5 text with an octet above 0x7F');
      return octets.toString('latin1');
    case 0x03:
      return octets.toString('latin1');
    case 0x08:
      return decodeUcs2(octets);
    default:
      throw new SmppInboundError(`data_coding 0x${dataCoding.toString(16)} is not a text Trygg reads`);
  }
}

/** The concatenation header's reference, total and sequence, and where the text starts. */
function readUdh(sm: Buffer): { start: number; concat: { ref: number; total: number; seq: number } | null } {
  const udhl = sm[0];
  if (udhl === undefined || udhl + 1 > sm.length) throw new SmppInboundError('user data header longer than the message');
  let concat: { ref: number; total: number; seq: number } | null = null;
  for (let i = 1; i < udhl + 1;) {
    const iei = sm[i]!;
    const len = sm[i + 1];
    if (len === undefined || i + 2 + len > udhl + 1) throw new SmppInboundError('user data header element overruns the header');
    const v = sm.subarray(i + 2, i + 2 + len);
    if (iei === 0x00 && len === 3) concat = { ref: v[0]!, total: v[1]!, seq: v[2]! };
    if (iei === 0x08 && len === 4) concat = { ref: v.readUInt16BE(0), total: v[2]!, seq: v[3]! };
    i += 2 + len;
  }
  if (concat && (concat.total < 1 || concat.seq < 1 || concat.seq > concat.total)) {
    throw new SmppInboundError(`concatenation header part ${concat.seq} of ${concat.total}`);
  }
  return { start: udhl + 1, concat };
}

/** An address as E.164 when its TON says international (§5.2.5); as it came otherwise. */
export function addressOf(addr: string, ton: number | undefined): string {
  if (ton === 1 && /^\d+$/.test(addr)) return `+${addr}`;
  return addr;
}

/** Reads a deliver_sm whose short_message and message_payload arrived as octets. */
export function readDeliverSm(p: Pdu): Inbound {
  const esm = num(p.esm_class) ?? 0;
  const messageType = esm & 0x3c;
  const payload = bytes(p.message_payload);
  const sm = payload.length > 0 ? payload : bytes(p.short_message);
  if (messageType === 0x04 || messageType === 0x20) {
    const text = sm.toString('latin1');
    const id = str(p.receipted_message_id) || /\bid:(\S+)/i.exec(text)?.[1] || '';
    if (!id) throw new SmppInboundError('delivery receipt without a message id');
    const stateTlv = num(p.message_state);
    const stat = (
      /\bstat:(\w+)/i.exec(text)?.[1] ?? (stateTlv !== undefined ? MESSAGE_STATE[stateTlv] : undefined)
    )?.toUpperCase();
    if (!stat || !(stat in STATES)) throw new SmppInboundError(`delivery receipt with stat ${stat ?? '(none)'}`);
    const err =
      /\berr:(\w+)/i.exec(text)?.[1] ?? (Buffer.isBuffer(p.network_error_code) ? p.network_error_code.toString('hex') : '000');
    return { kind: 'receipt', messageId: id, state: STATES[stat] ?? null, detail: `${stat} err:${err}` };
  }
  if (messageType !== 0) throw new SmppInboundError(`esm_class 0x${esm.toString(16)} is neither a receipt nor a message`);
  let start = 0;
  let concat: { ref: number; total: number; seq: number } | null = null;
  if (esm & 0x40) ({ start, concat } = readUdh(sm));
  const ref = num(p.sar_msg_ref_num);
  const total = num(p.sar_total_segments);
  const seq = num(p.sar_segment_seqnum);
  if (!concat && ref !== undefined && total !== undefined && seq !== undefined) {
    if (total < 1 || seq < 1 || seq > total) throw new SmppInboundError(`sar_* segment ${seq} of ${total}`);
    concat = { ref, total, seq };
  }
  return {
    kind: 'message',
    from: addressOf(str(p.source_addr), num(p.source_addr_ton)),
    to: addressOf(str(p.destination_addr), num(p.dest_addr_ton)),
    text: decodeText(num(p.data_coding) ?? 0, sm.subarray(start)),
    concat: concat && concat.total > 1 ? concat : null,
  };
}

interface Pending {
  parts: Map<number, string>;
  total: number;
  timer: NodeJS.Timeout;
}

/**
 * Puts concatenated parts back together, by sender, recipient and reference. A text whose parts
 * do not all arrive within `timeoutMs` is handed on with what arrived (and `complete: false`), so
 * nothing a person sent is dropped unseen.
 */
export class Reassembler {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly onText: (m: { from: string; to: string; text: string; complete: boolean }) => void,
    private readonly timeoutMs = 5 * 60_000,
    private readonly maxPending = 1_000,
  ) {}

  add(m: Extract<Inbound, { kind: 'message' }>): void {
    if (!m.concat) return this.onText({ from: m.from, to: m.to, text: m.text, complete: true });
    const key = `${m.from}|${m.to}|${m.concat.ref}|${m.concat.total}`;
    let p = this.pending.get(key);
    if (!p) {
      if (this.pending.size >= this.maxPending) this.flush(this.pending.keys().next().value!, m.from, m.to);
      p = { parts: new Map(), total: m.concat.total, timer: setTimeout(() => this.flush(key, m.from, m.to), this.timeoutMs) };
      p.timer.unref();
      this.pending.set(key, p);
    }
    p.parts.set(m.concat.seq, m.text);
    if (p.parts.size === p.total) this.flush(key, m.from, m.to);
  }

  private flush(key: string, from: string, to: string): void {
    const p = this.pending.get(key);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(key);
    const seqs = [...p.parts.keys()].sort((a, b) => a - b);
    const [f, t] = key.split('|');
    this.onText({
      from: f ?? from,
      to: t ?? to,
      text: seqs.map((s) => p.parts.get(s)).join(''),
      complete: p.parts.size === p.total,
    });
  }

  /** Hands on whatever waits for more parts (on stop). */
  flushAll(): void {
    for (const key of [...this.pending.keys()]) this.flush(key, '', '');
  }
}
