/**
 * An outgoing text as SMPP short_message octets: GSM 7-bit (data_coding 0) when every character
 * fits, else UCS-2 (data_coding 8, UTF-16BE), and long texts as concatenated parts.
 *
 * Concatenation uses a user data header (3GPP TS 23.040 §9.2.3.24.1, IE 0x00 with an 8-bit
 * reference) with esm_class UDHI 0x40, not the sar_* TLVs: the UDH travels inside the message to
 * the handset, every SMSC passes it through, while the sar_* TLVs are optional in SMPP 3.4
 * (§5.3.2.22–24) and an SMSC that ignores them delivers the parts as separate texts. The
 * 6-octet header leaves 153 septets (GSM) or 67 UTF-16 units (UCS-2) per part, against 160 / 70
 * for a text in one part.
 */
import { TryggError } from '@trygg/alarm-core';
import { gsmCharacters, gsmEncode, toGsmText } from './gsm7.js';

export type SmsEncoding = 'auto' | 'gsm' | 'ucs2';
export const SMS_ENCODINGS: readonly SmsEncoding[] = ['auto', 'gsm', 'ucs2'];

export const DATA_CODING_GSM = 0;
export const DATA_CODING_UCS2 = 8;
/** esm_class bit: short_message starts with a user data header (SMPP 3.4 §5.2.12). */
export const ESM_UDHI = 0x40;

/** Per-part limits: septets for GSM, UTF-16 code units for UCS-2. */
export const LIMITS = {
  gsm: { single: 160, part: 153 },
  ucs2: { single: 70, part: 67 },
} as const;
/** An 8-bit concatenation reference counts parts in an octet. */
export const MAX_PARTS = 255;

export interface EncodedSms {
  dataCoding: typeof DATA_CODING_GSM | typeof DATA_CODING_UCS2;
  /** Each part's short_message, its UDH first when there is more than one part. */
  parts: Buffer[];
}

/** The concatenation header of part `seq` (1-based) of `total` (TS 23.040 §9.2.3.24.1). */
export function concatUdh(ref: number, total: number, seq: number): Buffer {
  return Buffer.from([0x05, 0x00, 0x03, ref & 0xff, total, seq]);
}

/** Groups of units into chunks of at most `max` units, never splitting a group. */
function chunk<T>(groups: T[][], max: number): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  for (const g of groups) {
    if (cur.length + g.length > max) {
      out.push(cur);
      cur = [];
    }
    cur.push(...g);
  }
  out.push(cur);
  return out;
}

/** UTF-16 code units grouped per code point, so a surrogate pair is never split across parts. */
function utf16Groups(text: string): number[][] {
  const out: number[][] = [];
  for (const ch of text) {
    const units: number[] = [];
    for (let i = 0; i < ch.length; i++) units.push(ch.charCodeAt(i));
    out.push(units);
  }
  return out;
}

function ucs2Octets(units: number[]): Buffer {
  const b = Buffer.alloc(units.length * 2);
  units.forEach((u, i) => b.writeUInt16BE(u, i * 2));
  return b;
}

/**
 * Encodes `text` by the encoding setting; `ref` is the concatenation reference used when the
 * text needs several parts. Throws TRYGG_ERR_NOTIFICATION_FAILED for a text beyond 255 parts.
 */
export function encodeSms(text: string, encoding: SmsEncoding, ref: number): EncodedSms {
  // The common case first: a text that fits one SMS, without splitting it into characters.
  const one = encoding === 'ucs2' ? null : gsmEncode(encoding === 'gsm' ? toGsmText(text) : text);
  if (one && one.length <= LIMITS.gsm.single) return { dataCoding: DATA_CODING_GSM, parts: [one] };
  if (!one && encoding !== 'gsm' && text.length <= LIMITS.ucs2.single) {
    return { dataCoding: DATA_CODING_UCS2, parts: [Buffer.from(text, 'utf16le').swap16()] };
  }
  const gsm = encoding === 'ucs2' ? null : gsmCharacters(encoding === 'gsm' ? toGsmText(text) : text);
  const [dataCoding, groups, limit, toOctets] = gsm
    ? ([DATA_CODING_GSM, gsm, LIMITS.gsm, (u: number[]) => Buffer.from(u)] as const)
    : ([DATA_CODING_UCS2, utf16Groups(text), LIMITS.ucs2, ucs2Octets] as const);
  const units = groups.reduce((n, g) => n + g.length, 0);
  if (units <= limit.single) return { dataCoding, parts: [toOctets(groups.flat())] };
  const chunks = chunk(groups, limit.part);
  if (chunks.length > MAX_PARTS) {
    throw new TryggError('TRYGG_ERR_NOTIFICATION_FAILED', `the text needs ${chunks.length} SMS parts; at most ${MAX_PARTS}`);
  }
  return {
    dataCoding,
    parts: chunks.map((c, i) => Buffer.concat([concatUdh(ref, chunks.length, i + 1), toOctets(c)])),
  };
}
