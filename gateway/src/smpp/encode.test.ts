/** The SMS codecs at their edges: part limits, escapes, receipts read from text or TLVs, parts put together. */
import { describe, expect, it } from 'vitest';
import { encodeSms } from './encode.js';
import { gsmDecode, gsmEncode, gsmSeptets } from './gsm7.js';
import { Reassembler, readDeliverSm, SmppInboundError } from './inbound.js';
import type { Pdu } from './smpp-lib.js';

const asPdu = (fields: Record<string, unknown>) => fields as unknown as Pdu;
const message = (fields: Record<string, unknown>) => {
  const m = readDeliverSm(asPdu(fields));
  if (m.kind !== 'message') throw new Error('not a message');
  return m;
};

describe('encodeSms', () => {
  it('keeps 160 GSM septets or 70 UCS-2 units in one part, and splits one more into 153 / 67 per part', () => {
    expect(encodeSms('ø'.repeat(160), 'auto', 1).parts).toHaveLength(1);
    const g = encodeSms('ø'.repeat(161), 'auto', 7);
    expect(g.parts.map((p) => p.length)).toEqual([6 + 153, 6 + 8]);
    expect([...g.parts[1]!.subarray(0, 6)]).toEqual([5, 0, 3, 7, 2, 2]);
    expect(encodeSms('ŋ'.repeat(70), 'auto', 1)).toMatchObject({ dataCoding: 8 });
    expect(encodeSms('ŋ'.repeat(70), 'auto', 1).parts[0]).toHaveLength(140);
    expect(encodeSms('ŋ'.repeat(71), 'auto', 1).parts.map((p) => p.length)).toEqual([6 + 134, 6 + 8]);
    expect(gsmSeptets('€'.repeat(80))).toBe(160);
    expect(encodeSms('€'.repeat(81), 'auto', 1).parts).toHaveLength(2);
  });

  it('refuses a text beyond 255 parts for good', () => {
    expect(() => encodeSms('a'.repeat(153 * 255 + 1), 'auto', 1)).toThrow(/256 SMS parts/);
  });

  it('GSM round trip, and octets above 0x7F are no GSM text', () => {
    const t = 'Åse Ødegård æøå ÆØÅ äöÄÖ éü @£$¥ {[~]} \\ ^ | €';
    expect(gsmDecode(gsmEncode(t)!)).toBe(t);
    expect(gsmDecode(Buffer.from([0x41, 0x80]))).toBeNull();
  });
});

describe('readDeliverSm', () => {
  it('reads a receipt from its text alone, and from the TLVs', () => {
    const text = Buffer.from('id:A1B2 sub:001 dlvrd:000 submit date:2612012200 done date:2612012201 stat:EXPIRED err:027 text:x');
    expect(readDeliverSm(asPdu({ esm_class: 0x04, short_message: text }))).toEqual({
      kind: 'receipt',
      messageId: 'A1B2',
      state: 'failed',
      detail: 'EXPIRED err:027',
    });
    expect(
      readDeliverSm(asPdu({ esm_class: 0x04, short_message: Buffer.alloc(0), receipted_message_id: 'Z9', message_state: 2 })),
    ).toMatchObject({
      messageId: 'Z9',
      state: 'delivered',
    });
    expect(readDeliverSm(asPdu({ esm_class: 0x04, short_message: Buffer.from('id:Q stat:ENROUTE') }))).toMatchObject({
      state: null,
    });
    expect(() => readDeliverSm(asPdu({ esm_class: 0x04, short_message: Buffer.from('stat:DELIVRD') }))).toThrow(SmppInboundError);
  });

  it('puts parts together by UDH or by sar_* TLVs, whatever order they come in', () => {
    const got: string[] = [];
    const r = new Reassembler((m) => got.push(`${m.from}:${m.text}:${m.complete}`));
    const base = { source_addr_ton: 1, source_addr: '4790000000', destination_addr: '2270', data_coding: 0 };
    r.add(message({ ...base, esm_class: 0x40, short_message: Buffer.from([5, 0, 3, 9, 2, 2, 0x42]) }));
    r.add(message({ ...base, esm_class: 0x40, short_message: Buffer.from([5, 0, 3, 9, 2, 1, 0x41]) }));
    const sar = (seq: number, c: string) =>
      readDeliverSm(
        asPdu({
          ...base,
          esm_class: 0,
          short_message: Buffer.from(c),
          sar_msg_ref_num: 300,
          sar_total_segments: 2,
          sar_segment_seqnum: seq,
        }),
      );
    r.add(sar(1, 'J'));
    r.add(sar(2, 'A'));
    expect(got).toEqual(['+4790000000:AB:true', '+4790000000:JA:true']);
  });
});
