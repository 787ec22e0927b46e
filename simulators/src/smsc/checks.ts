/**
 * What the SMSC checks in a submit_sm before it takes a message (SMPP 3.4 §4.4.1, §5.2), each
 * refusal with the status a real SMSC answers and a reason for the test that reads it:
 * addresses by their TON (source §5.2.5–8: alphanumeric ≤ 11, short code, number; destination an
 * international number), data_coding 0 (GSM 7-bit, one septet per octet) or 8 (UCS-2) only, the
 * text valid in its coding, the length within one SMS (160 septets, 140 octets, less the user
 * data header), registered_delivery, and the concatenation header (TS 23.040 §9.2.3.24.1).
 */
import { decodeGsm, decodeUtf16be } from './gsm.js';
import { ESME, type Pdu } from './smpp.js';

export interface Concat {
  ref: number;
  total: number;
  seq: number;
}

export interface CheckedPart {
  source: { ton: number; npi: number; addr: string };
  /** E.164 with "+". */
  to: string;
  dataCoding: 0 | 8;
  text: string;
  concat: Concat | null;
  /** registered_delivery asks for a receipt on the final outcome (§5.2.17 bits 0–1 = 1). */
  receipt: boolean;
}

export type Checked = { ok: true; part: CheckedPart } | { ok: false; status: number; reason: string };

const refuse = (status: number | undefined, reason: string): Checked => ({
  ok: false,
  status: status ?? ESME.ESME_RSYSERR!,
  reason,
});
const int = (v: unknown) => (typeof v === 'number' ? v : 0);
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** The source address by its TON (§5.2.5); null when it is well formed. */
export function sourceProblem(ton: number, addr: string): string | null {
  if (!addr) return 'empty source_addr';
  if (ton === 5)
    return /^[A-Za-z0-9 ._-]{1,11}$/.test(addr) && /[A-Za-z]/.test(addr)
      ? null
      : `alphanumeric source_addr "${addr}" (1–11 letters, digits, space . _ -)`;
  if (ton === 1) return /^[1-9]\d{6,14}$/.test(addr) ? null : `international source_addr "${addr}" is not 7–15 digits`;
  if (ton === 3) return /^\d{1,8}$/.test(addr) ? null : `short code source_addr "${addr}" is not 1–8 digits`;
  if (ton === 0 || ton === 2) return /^\d{1,15}$/.test(addr) ? null : `source_addr "${addr}" is not digits`;
  return `source_addr_ton ${ton} is not one this SMSC takes`;
}

/** The concatenation header, or why the user data header is inconsistent. */
function readUdh(sm: Buffer): { start: number; concat: Concat | null } | { error: string } {
  if (sm.length === 0) return { error: 'esm_class says UDH but short_message is empty' };
  const udhl = sm[0]!;
  if (udhl < 2 || udhl + 1 > sm.length) return { error: `UDH length ${udhl} does not fit the ${sm.length}-octet message` };
  let concat: Concat | null = null;
  let i = 1;
  while (i < udhl + 1) {
    const iei = sm[i]!;
    const len = sm[i + 1];
    if (len === undefined || i + 2 + len > udhl + 1) return { error: `UDH element 0x${iei.toString(16)} overruns the header` };
    const v = sm.subarray(i + 2, i + 2 + len);
    if (iei === 0x00 || iei === 0x08) {
      if (len !== (iei === 0 ? 3 : 4)) return { error: `concatenation element 0x${iei.toString(16)} of length ${len}` };
      concat = iei === 0 ? { ref: v[0]!, total: v[1]!, seq: v[2]! } : { ref: (v[0]! << 8) | v[1]!, total: v[2]!, seq: v[3]! };
      if (concat.total < 2 || concat.seq < 1 || concat.seq > concat.total) {
        return { error: `concatenation part ${concat.seq} of ${concat.total}` };
      }
    }
    i += 2 + len;
  }
  return { start: udhl + 1, concat };
}

/** Checks one submit_sm (mandatory parameters and text). */
export function checkSubmit(p: Pdu): Checked {
  const source = { ton: int(p.source_addr_ton), npi: int(p.source_addr_npi), addr: str(p.source_addr) };
  const sp = sourceProblem(source.ton, source.addr);
  if (sp) return refuse(ESME.ESME_RINVSRCADR, sp);
  const dest = str(p.destination_addr);
  if (int(p.dest_addr_ton) !== 1 || int(p.dest_addr_npi) !== 1) {
    return refuse(
      ESME.ESME_RINVDSTADR,
      `destination TON/NPI ${int(p.dest_addr_ton)}/${int(p.dest_addr_npi)}: this SMSC takes international E.164 (1/1)`,
    );
  }
  if (!/^[1-9]\d{6,14}$/.test(dest)) return refuse(ESME.ESME_RINVDSTADR, `destination_addr "${dest}" is not an E.164 number`);
  const dc = int(p.data_coding);
  if (dc !== 0 && dc !== 8) return refuse(ESME.ESME_RINVDCS, `data_coding ${dc}: this SMSC takes 0 (GSM 7-bit) and 8 (UCS-2)`);
  const rd = int(p.registered_delivery);
  if ((rd & 0x03) === 3 || rd > 0x1f) return refuse(ESME.ESME_RINVREGDLVFLG, `registered_delivery 0x${rd.toString(16)}`);
  if (Buffer.isBuffer(p.message_payload) && p.message_payload.length > 0) {
    return refuse(ESME.ESME_RTLVNOTALLWD, 'message_payload: this SMSC takes short_message only');
  }
  const sm = Buffer.isBuffer(p.short_message) ? p.short_message : Buffer.alloc(0);
  let start = 0;
  let concat: Concat | null = null;
  if (int(p.esm_class) & 0x40) {
    const udh = readUdh(sm);
    if ('error' in udh) return refuse(ESME.ESME_RINVESMCLASS, udh.error);
    ({ start, concat } = udh);
  } else if (int(p.esm_class) & ~0x03) {
    return refuse(ESME.ESME_RINVESMCLASS, `esm_class 0x${int(p.esm_class).toString(16)} on a submit_sm`);
  }
  const body = sm.subarray(start);
  const decoded = dc === 0 ? decodeGsm(body) : decodeUtf16be(body);
  if ('error' in decoded)
    return refuse(ESME.ESME_RINVDCS, `text is not valid ${dc === 0 ? 'GSM 7-bit' : 'UCS-2'}: ${decoded.error}`);
  // One SMS carries 140 octets: the UDH, then (GSM) fill bits to a septet boundary and 7 bits a
  // septet, or (UCS-2) the octets as they are (TS 23.040 §9.2.3.24).
  const bits = dc === 0 ? Math.ceil((start * 8) / 7) * 7 + body.length * 7 : (start + body.length) * 8;
  if (bits > 140 * 8) {
    return refuse(
      ESME.ESME_RINVMSGLEN,
      `${body.length} ${dc === 0 ? 'septets' : 'octets'} after a ${start}-octet header exceed one SMS`,
    );
  }
  return { ok: true, part: { source, to: `+${dest}`, dataCoding: dc, text: decoded.text, concat, receipt: (rd & 0x03) === 1 } };
}
