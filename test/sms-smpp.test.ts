/**
 * SMS over SMPP 3.4 (issue 19): Trygg's SmppTransport against the local SMSC over real TCP. The
 * SMSC checks every submit_sm (addresses, data_coding, the text in its coding, lengths, the
 * concatenation header), so a message it takes is one a real SMSC would take; the tests read
 * what it took, decoded by its own GSM and UCS-2 code.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TryggError, type SmsEvent } from '@trygg/alarm-core';
import { SmppRetryableError, SmppTransport, type SmppTransportOptions } from '@trygg/gateway';
import { LocalSmsc } from '@trygg/simulators/smsc';

interface Line {
  level: string;
  obj: Record<string, unknown>;
  msg: string;
}
function collector() {
  const lines: Line[] = [];
  const at = (level: string) => (obj: object, msg?: string) =>
    lines.push({ level, obj: obj as Record<string, unknown>, msg: msg ?? '' });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } };
}

/** Polls `fn` until it is truthy (no timed assertions: a generous deadline). */
async function until<T>(fn: () => T | Promise<T>, what: string, ms = 15_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const PHONE = '+4791234567';
let smsc: LocalSmsc;
let port: number;
const transports: SmppTransport[] = [];

async function transport(over: Partial<SmppTransportOptions> = {}) {
  const log = collector();
  const t = new SmppTransport({
    host: '127.0.0.1',
    port,
    systemId: 'trygg',
    password: 'secret',
    systemType: 'alarm',
    sender: 'Trygg',
    reconnectMinMs: 50,
    reconnectMaxMs: 200,
    logger: log.logger,
    ...over,
  });
  transports.push(t);
  const events: SmsEvent[] = [];
  t.onEvent((e) => events.push(e));
  await t.start();
  return { t, events, lines: log.lines };
}

beforeAll(async () => {
  smsc = new LocalSmsc({ systemId: 'trygg', password: 'secret', systemType: 'alarm', receiptDelayMs: 20 });
  port = await smsc.start();
});
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.stop()));
  smsc.refuseBinds = false;
  smsc.throttleNext = 0;
  smsc.withholdReceipts = false;
  smsc.receiptStat = 'DELIVRD';
  smsc.receiptTlvs = true;
});
afterAll(() => smsc.stop());

describe('binding', () => {
  it('a refused bind is logged with its code, submits fail as retryable, and it binds once the SMSC takes it', async () => {
    smsc.refuseBinds = true;
    const { t, lines } = await transport();
    expect(t.ready).toBe(false);
    expect(lines.find((l) => l.obj.code === 'TRYGG_ERR_SMPP_BIND')?.obj.status).toBe('ESME_RBINDFAIL');
    await expect(t.submit({ to: PHONE, text: 'x', ref: 'r' })).rejects.toBeInstanceOf(SmppRetryableError);
    smsc.refuseBinds = false;
    await until(() => t.ready, 'bound');
    expect((await t.submit({ to: PHONE, text: 'etter binding', ref: 'r' })).messageId).toMatch(/^[0-9A-F]+$/);
  });

  it('a wrong password is ESME_RBINDFAIL and the password is in no log line', async () => {
    const { t, lines } = await transport({ password: 'wrong-pass' });
    expect(t.ready).toBe(false);
    expect(smsc.refusals.at(-1)).toMatchObject({ command: 'bind_transceiver', status: 'ESME_RBINDFAIL' });
    expect(JSON.stringify(lines)).not.toContain('wrong-pass');
  });
});

describe('encoding', () => {
  it('GSM 7-bit (data_coding 0) for Norwegian and Swedish letters, in one part up to 160 characters', async () => {
    const { t } = await transport();
    const text = 'Hei Åse! Per Hansen (Storgata 12) trenger hjelp: æøå ÆØÅ äöÄÖ é ü. Svar 1 = JA, 2 = NEI. Kostnad: 0 € {x} [y]';
    const { messageId } = await t.submit({ to: PHONE, text, ref: 'n1' });
    const m = await smsc.waitForMessage(PHONE, (x) => x.messageId === messageId);
    expect(m).toMatchObject({ text, dataCoding: 0, parts: 1, from: 'Trygg', sourceTon: 5 });
    const full = 'å'.repeat(160);
    const r = await t.submit({ to: PHONE, text: full, ref: 'n2' });
    expect(await smsc.waitForMessage(PHONE, (x) => x.messageId === r.messageId)).toMatchObject({
      text: full,
      dataCoding: 0,
      parts: 1,
    });
  });

  it('UCS-2 (data_coding 8) for characters outside GSM, emoji included', async () => {
    const { t } = await transport();
    for (const text of ['Ŋ (samisk) Áŋŋe', 'Hjelp er på vei 🚑 ❤️']) {
      const { messageId } = await t.submit({ to: PHONE, text, ref: 'u' });
      expect(await smsc.waitForMessage(PHONE, (x) => x.messageId === messageId)).toMatchObject({ text, dataCoding: 8, parts: 1 });
    }
  });

  it('the encoding setting forces UCS-2, or squeezes a text into GSM', async () => {
    const ucs2 = await transport({ encoding: 'ucs2' });
    const a = await ucs2.t.submit({ to: PHONE, text: 'bare ASCII', ref: 'e1' });
    expect(await smsc.waitForMessage(PHONE, (x) => x.messageId === a.messageId)).toMatchObject({
      dataCoding: 8,
      text: 'bare ASCII',
    });
    const gsm = await transport({ encoding: 'gsm' });
    const b = await gsm.t.submit({ to: PHONE, text: 'Čapek Ŋ 🚑', ref: 'e2' });
    expect(await smsc.waitForMessage(PHONE, (x) => x.messageId === b.messageId)).toMatchObject({
      dataCoding: 0,
      text: 'Capek ? ?',
    });
  });

  it('long texts go in concatenated parts of 153 septets or 67 UCS-2 units, never splitting a character', async () => {
    const { t } = await transport();
    const gsm = `${'Alarm hos Åse Ødegård. '.repeat(17)}slutt`; // 396 characters
    const g = await t.submit({ to: PHONE, text: gsm, ref: 'l1' });
    expect(await smsc.waitForMessage(PHONE, (x) => x.messageId === g.messageId)).toMatchObject({
      text: gsm,
      dataCoding: 0,
      parts: 3,
    });
    // 152 plain + "€" (two septets) straddles the boundary: it moves whole to the second part.
    const esc = `${'a'.repeat(152)}€${'b'.repeat(20)}`;
    const e = await t.submit({ to: PHONE, text: esc, ref: 'l2' });
    expect(await smsc.waitForMessage(PHONE, (x) => x.messageId === e.messageId)).toMatchObject({ text: esc, parts: 2 });
    const ucs = `${'ŋ'.repeat(66)}🚑${'ŋ'.repeat(70)}`; // the emoji's surrogate pair would straddle 67
    const u = await t.submit({ to: PHONE, text: ucs, ref: 'l3' });
    expect(await smsc.waitForMessage(PHONE, (x) => x.messageId === u.messageId)).toMatchObject({
      text: ucs,
      dataCoding: 8,
      parts: 3,
    });
  });
});

describe('receipts', () => {
  it('DELIVRD is a delivered receipt; UNDELIV a failed one, read from the TLVs or from the text alone', async () => {
    const { t, events } = await transport();
    const a = await t.submit({ to: PHONE, text: 'kvittering', ref: 'k1' });
    await until(() => events.find((e) => e.type === 'receipt' && e.messageId === a.messageId), 'receipt');
    expect(events.find((e) => e.type === 'receipt' && e.messageId === a.messageId)).toMatchObject({
      state: 'delivered',
      detail: 'DELIVRD err:000',
    });

    smsc.receiptStat = 'UNDELIV';
    smsc.receiptTlvs = false;
    const b = await t.submit({ to: PHONE, text: 'kvittering 2', ref: 'k2' });
    await until(() => events.find((e) => e.type === 'receipt' && e.messageId === b.messageId), 'receipt');
    expect(events.find((e) => e.type === 'receipt' && e.messageId === b.messageId)).toMatchObject({
      state: 'failed',
      detail: 'UNDELIV err:001',
    });
    expect(smsc.deliverAnswers.every((s) => s === 0)).toBe(true);
  });

  it('a text in parts gets one receipt, delivered when every part is', async () => {
    const { t, events } = await transport();
    const { messageId } = await t.submit({ to: PHONE, text: 'x'.repeat(400), ref: 'k3' });
    await until(() => events.find((e) => e.type === 'receipt' && e.messageId === messageId), 'receipt');
    const m = smsc.messagesTo(PHONE).find((x) => x.messageId === messageId)!;
    expect(m.parts).toBe(3);
    // Let the other parts' receipts arrive: still one event for the message.
    await until(() => smsc.deliverAnswers.length >= 3, 'three receipts answered');
    expect(events.filter((e) => e.type === 'receipt' && m.ids.includes(e.messageId))).toHaveLength(1);
  });
});

describe("people's messages", () => {
  it('a reply in GSM, in UCS-2 and in concatenated parts arrives as one reply event each', async () => {
    const { t, events } = await transport();
    expect(await smsc.reply('+4798765432', '1')).toEqual([0]);
    expect(await smsc.reply('+4798765432', 'JA, jeg drar – Ŋ 🚗')).toEqual([0]);
    const long = `NEI ${'æ'.repeat(300)}`;
    expect(await smsc.reply('+4798765432', long)).toEqual([0, 0]);
    await until(() => events.filter((e) => e.type === 'reply').length >= 3, 'three replies');
    expect(events.filter((e) => e.type === 'reply').map((e) => e.type === 'reply' && [e.from, e.to, e.text])).toEqual([
      ['+4798765432', '2270', '1'],
      ['+4798765432', '2270', 'JA, jeg drar – Ŋ 🚗'],
      ['+4798765432', '2270', long],
    ]);
    expect(t.ready).toBe(true);
  });

  it('a deliver_sm in a broken encoding is answered, logged with a code, and the session stays up', async () => {
    const { t, events, lines } = await transport();
    const base = { source_addr_ton: 1, source_addr_npi: 1, source_addr: '4798765432', destination_addr: '2270', esm_class: 0 };
    expect(await smsc.deliverRaw({ ...base, data_coding: 8, short_message: Buffer.from([0x00, 0x41, 0x00]) })).toBe(0x65);
    expect(await smsc.deliverRaw({ ...base, data_coding: 0, short_message: Buffer.from([0x41, 0x80]) })).toBe(0x65);
    expect(await smsc.deliverRaw({ ...base, data_coding: 8, short_message: Buffer.from([0xd8, 0x3d, 0x00, 0x41]) })).toBe(0x65);
    expect(lines.filter((l) => l.obj.code === 'TRYGG_ERR_SMPP_PDU')).toHaveLength(3);
    expect(events).toHaveLength(0);
    expect(t.ready).toBe(true);
    expect(await smsc.reply('+4798765432', 'ok')).toEqual([0]);
  });
});

describe('failures', () => {
  it('ESME_RTHROTTLED is retryable, and the same message goes through after', async () => {
    const { t } = await transport();
    smsc.throttleNext = 1;
    const err = await t.submit({ to: PHONE, text: 'strupet', ref: 't1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmppRetryableError);
    expect(err).not.toBeInstanceOf(TryggError);
    expect((err as SmppRetryableError).status).toBe('ESME_RTHROTTLED');
    const { messageId } = await t.submit({ to: PHONE, text: 'strupet', ref: 't1' });
    expect(await smsc.waitForMessage(PHONE, (x) => x.messageId === messageId)).toMatchObject({ text: 'strupet' });
  });

  it("a refusal for good (the SMSC's ESME_RINVSRCADR, a number that is not E.164) is TRYGG_ERR_NOTIFICATION_FAILED", async () => {
    const { t } = await transport({ sender: 'Trygg!' });
    const err = await t.submit({ to: PHONE, text: 'x', ref: 'p1' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TRYGG_ERR_NOTIFICATION_FAILED' });
    expect((err as Error).message).toContain('ESME_RINVSRCADR');
    await expect(t.submit({ to: '12345', text: 'x', ref: 'p2' })).rejects.toMatchObject({
      code: 'TRYGG_ERR_NOTIFICATION_FAILED',
    });
  });

  it('an aborted signal is retryable', async () => {
    const { t } = await transport();
    await expect(t.submit({ to: PHONE, text: 'x', ref: 'a' }, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      SmppRetryableError,
    );
  });

  it('a PDU the package cannot parse is logged with its code, and the session is made anew', async () => {
    const { t, lines } = await transport();
    const header = Buffer.alloc(16);
    header.writeUInt32BE(0x7fffffff, 0); // command_length past any PDU
    smsc.sendBytes(header);
    await until(() => lines.find((l) => l.obj.code === 'TRYGG_ERR_SMPP_PDU'), 'the log line');
    await until(() => t.ready && smsc.boundSessions === 1, 'bound again');
    const { messageId } = await t.submit({ to: PHONE, text: 'etter søppel', ref: 'g' });
    expect(await smsc.waitForMessage(PHONE, (x) => x.messageId === messageId)).toMatchObject({ text: 'etter søppel' });
  });

  it('reconnects and rebinds after the SMSC drops the connection', async () => {
    const { t, lines } = await transport();
    expect(t.ready).toBe(true);
    smsc.refuseBinds = true; // held down until the submit below has been refused
    smsc.dropConnections();
    await until(() => !t.ready, 'unbound');
    await expect(t.submit({ to: PHONE, text: 'x', ref: 'd' })).rejects.toBeInstanceOf(SmppRetryableError);
    smsc.refuseBinds = false;
    await until(() => t.ready, 'bound again');
    const { messageId } = await t.submit({ to: PHONE, text: 'etter brudd', ref: 'd' });
    expect(await smsc.waitForMessage(PHONE, (x) => x.messageId === messageId)).toMatchObject({ text: 'etter brudd' });
    expect(lines.some((l) => l.msg.includes('reconnecting'))).toBe(true);
  });
});
