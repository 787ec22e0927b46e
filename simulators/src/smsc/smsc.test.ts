/**
 * The local SMSC validates, not just accepts: a bare `smpp` client sends it what a broken ESME
 * would, and each is refused with the status a real SMSC answers. Real TCP on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalSmsc } from './smsc.js';
import { ESME, pdu, smpp, type Pdu, type Session } from './smpp.js';

let smsc: LocalSmsc;
let port: number;

function connect(): Promise<Session> {
  return new Promise((resolve, reject) => {
    const s = smpp.connect({ host: '127.0.0.1', port });
    s.on('connect', () => resolve(s));
    s.on('error', reject);
  });
}
async function until(ok: () => boolean, what: string): Promise<void> {
  for (const end = Date.now() + 10_000; !ok(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}
const ask = (s: Session, command: string, fields: Record<string, unknown>) =>
  new Promise<Pdu>((resolve) => s.send(pdu(command, fields), resolve));
async function bound(systemId = 'trygg', password = 'secret'): Promise<Session> {
  const s = await connect();
  const r = await ask(s, 'bind_transceiver', { system_id: systemId, password, interface_version: 0x34 });
  expect(r.command_status).toBe(0);
  return s;
}
const good = {
  source_addr_ton: 5,
  source_addr: 'Trygg',
  dest_addr_ton: 1,
  dest_addr_npi: 1,
  destination_addr: '4791234567',
  registered_delivery: 1,
  data_coding: 0,
  short_message: Buffer.from('Hei', 'latin1'),
};

beforeAll(async () => {
  smsc = new LocalSmsc({ phones: { systemId: 'phones', password: 'phones-pw' }, receiptDelayMs: 10 });
  port = await smsc.start();
});
afterAll(() => smsc.stop());

describe('the local SMSC', () => {
  it('refuses a submit before a bind, and a wrong password', async () => {
    const s = await connect();
    expect((await ask(s, 'submit_sm', good)).command_status).toBe(ESME.ESME_RINVBNDSTS);
    expect((await ask(s, 'bind_transceiver', { system_id: 'trygg', password: 'nope' })).command_status).toBe(ESME.ESME_RBINDFAIL);
    s.destroy();
  });

  it('refuses what a real SMSC refuses, each with its status', async () => {
    const s = await bound();
    const cases: [Record<string, unknown>, number | undefined][] = [
      [{ short_message: Buffer.from([0x48, 0x80]) }, ESME.ESME_RINVDCS], // not a septet under data_coding 0
      [{ short_message: Buffer.from([0x48, 0x1b, 0x41]) }, ESME.ESME_RINVDCS], // escape to no extension character
      [{ data_coding: 8, short_message: Buffer.from([0x00, 0x48, 0x00]) }, ESME.ESME_RINVDCS], // odd UCS-2
      [{ data_coding: 8, short_message: Buffer.from([0xdc, 0x00]) }, ESME.ESME_RINVDCS], // lone surrogate
      [{ data_coding: 3 }, ESME.ESME_RINVDCS],
      [{ short_message: Buffer.alloc(161, 0x41) }, ESME.ESME_RINVMSGLEN],
      [{ data_coding: 8, short_message: Buffer.alloc(142, 0x41) }, ESME.ESME_RINVMSGLEN],
      [
        { esm_class: 0x40, short_message: Buffer.concat([Buffer.from([5, 0, 3, 1, 2, 1]), Buffer.alloc(154, 0x41)]) },
        ESME.ESME_RINVMSGLEN,
      ],
      [{ esm_class: 0x40, short_message: Buffer.from([5, 0, 3, 1, 2, 3, 0x41]) }, ESME.ESME_RINVESMCLASS], // part 3 of 2
      [{ esm_class: 0x40, short_message: Buffer.from([9, 0, 3, 1, 2, 1, 0x41]) }, ESME.ESME_RINVESMCLASS], // header past the end
      [{ destination_addr: '12' }, ESME.ESME_RINVDSTADR],
      [{ dest_addr_ton: 0 }, ESME.ESME_RINVDSTADR],
      [{ source_addr: 'TooLongSender1' }, ESME.ESME_RINVSRCADR],
      [{ source_addr_ton: 1, source_addr: 'Trygg' }, ESME.ESME_RINVSRCADR],
    ];
    for (const [over, status] of cases) {
      const r = await ask(s, 'submit_sm', { ...good, ...over });
      expect([over, r.command_status]).toEqual([over, status]);
    }
    expect(smsc.messages).toHaveLength(0);
    const ok = await ask(s, 'submit_sm', { ...good, short_message: Buffer.from([0x48, 0x1b, 0x65]) }); // "H€"
    expect(ok.command_status).toBe(0);
    expect(await smsc.waitForMessage('+4791234567')).toMatchObject({ text: 'H€', messageId: ok.message_id });
    s.destroy();
  });

  it('refuses parts of one text that disagree on their total', async () => {
    const s = await bound();
    const part = (total: number, seq: number) => ({
      ...good,
      esm_class: 0x40,
      short_message: Buffer.from([5, 0, 3, 77, total, seq, 0x41]),
    });
    expect((await ask(s, 'submit_sm', part(3, 1))).command_status).toBe(0);
    expect((await ask(s, 'submit_sm', part(2, 2))).command_status).toBe(ESME.ESME_RINVESMCLASS);
    expect((await ask(s, 'submit_sm', part(3, 1))).command_status).toBe(ESME.ESME_RINVESMCLASS); // twice
    s.destroy();
  });

  it('withholds receipts on command; the phones login gets messages and its replies reach the ESME', async () => {
    const esme = await bound();
    const phones = await bound('phones', 'phones-pw');
    const toPhones: Pdu[] = [];
    phones.on('deliver_sm', (p) => {
      toPhones.push(p);
      phones.send(p.response());
    });
    const toEsme: Pdu[] = [];
    esme.on('deliver_sm', (p) => {
      toEsme.push(p);
      esme.send(p.response());
    });
    smsc.withholdReceipts = true;
    await ask(esme, 'submit_sm', { ...good, destination_addr: '4790000001' });
    await smsc.waitForMessage('+4790000001');
    await until(() => toPhones.length > 0, 'the phones login to get it');
    expect(toPhones.map((p) => p.destination_addr)).toEqual(['4790000001']);
    const r = await ask(phones, 'submit_sm', {
      source_addr_ton: 1,
      source_addr_npi: 1,
      source_addr: '4790000001',
      destination_addr: 'Trygg',
      data_coding: 0,
      short_message: Buffer.from('1'),
    });
    expect(r.command_status).toBe(0);
    await until(() => toEsme.length > 0, 'the reply at the ESME');
    expect(toEsme.map((p) => [p.esm_class, p.source_addr, String(p.short_message)])).toEqual([[0, '4790000001', '1']]);
    smsc.withholdReceipts = false;
    esme.destroy();
    phones.destroy();
  });
});
