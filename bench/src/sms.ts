/**
 * SMS submitted per second: Trygg's SmppTransport (encoding, window, per-submit bookkeeping)
 * against a bare `smpp` client keeping the same window of submit_sm outstanding, in the same
 * run, to the same local SMSC over loopback, with the same texts (GSM 7-bit with æøå, one part
 * each). Both bind as transceivers and ask for receipts; the SMSC withholds receipts while
 * timing, so a round's receipts never land in the other side's round. Before timing, a sample of
 * each side's messages must be taken by the SMSC (which checks addresses, coding and length) and
 * read back as sent, so the figure is for correct messages.
 */
import { SmppTransport, pdu, smpp, type Pdu, type SmppSession } from '@trygg/gateway';
import { LocalSmsc } from '@trygg/simulators/smsc';
import { figure, type Figure } from './figures.js';
import { median } from './stats.js';

export interface SmsBenchResult {
  messagesPerRound: number;
  window: number;
  tryggPerSecond: number;
  barePerSecond: number;
  ratio: number;
  tryggRounds: number[];
  bareRounds: number[];
}

const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const texts = Array.from(
  { length: 100 },
  (_, i) => `Trygghetsalarm ${i}: Åse Ødegård, Bjørkeveien ${i + 1}, trenger hjelp. Svar 1 = JA, 2 = NEI (kode ${1000 + i}).`,
);
const phone = (i: number) => `+479${String(1_000_000 + (i % 1000)).padStart(7, '0')}`;

/** A bare client: bind_transceiver, then submit_sm with the package's own GSM encoding, `window` outstanding. */
async function bareClient(port: number): Promise<SmppSession> {
  const s = smpp.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    s.on('error', reject);
    s.on('connect', () =>
      s.send(pdu('bind_transceiver', { system_id: 'bench', password: 'bench', interface_version: 0x34 }), (r) =>
        r.command_status === 0 ? resolve() : reject(new Error(`bare bind refused: ${r.command_status}`)),
      ),
    );
  });
  s.on('deliver_sm', (p) => s.send(p.response()));
  return s;
}

function bareSubmit(s: SmppSession, i: number): Promise<Pdu> {
  return new Promise((resolve, reject) => {
    const ok = s.send(
      pdu('submit_sm', {
        source_addr_ton: 5,
        source_addr: 'Trygg',
        dest_addr_ton: 1,
        dest_addr_npi: 1,
        destination_addr: phone(i).slice(1),
        registered_delivery: 1,
        data_coding: 0,
        short_message: texts[i % texts.length]!,
      }),
      (r) => (r.command_status === 0 ? resolve(r) : reject(new Error(`bare submit refused: ${r.command_status}`))),
    );
    if (!ok) reject(new Error('bare client closed'));
  });
}

/** `n` submits through `submit`, at most `window` at once; messages per second. */
async function timed(n: number, window: number, submit: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: window }, async () => {
      while (next < n) await submit(next++);
    }),
  );
  return n / ((performance.now() - t0) / 1000);
}

export async function benchSms(opts: { messages: number; rounds: number; log: (l: string) => void }): Promise<SmsBenchResult> {
  const smsc = new LocalSmsc({ systemId: 'bench', password: 'bench', receiptDelayMs: 10 });
  const port = await smsc.start();
  const window = 10;
  const transport = new SmppTransport({
    host: '127.0.0.1',
    port,
    systemId: 'bench',
    password: 'bench',
    sender: 'Trygg',
    window,
    logger: quiet,
  });
  let bare: SmppSession | null = null;
  try {
    await transport.start();
    if (!transport.ready) throw new Error('SmppTransport did not bind to the local SMSC');
    bare = await bareClient(port);
    const b = bare;

    // Correctness first: each side's sample must be taken and read back as sent.
    for (let i = 0; i < 20; i++) {
      const t = await transport.submit({ to: phone(i), text: texts[i]!, ref: `s${i}` });
      const r = await bareSubmit(b, i);
      for (const id of [t.messageId, r.message_id]) {
        const m = await smsc.waitForMessage(phone(i), (x) => x.messageId === id, 5_000);
        if (m.text !== texts[i] || m.dataCoding !== 0)
          throw new Error(`the SMSC read ${JSON.stringify(m.text)} (data_coding ${m.dataCoding})`);
      }
    }
    opts.log(`  40 sample messages taken and read back by the local SMSC (GSM 7-bit, æøå)`);
    if (smsc.refusals.length > 0) throw new Error(`the SMSC refused: ${JSON.stringify(smsc.refusals[0])}`);

    smsc.withholdReceipts = true;
    const trygg = (i: number) => transport.submit({ to: phone(i), text: texts[i % texts.length]!, ref: `b${i}` });
    const stock = (i: number) => bareSubmit(b, i);
    await timed(Math.min(1000, opts.messages), window, trygg); // warm-up (untimed)
    await timed(Math.min(1000, opts.messages), window, stock);
    const tr: number[] = [];
    const br: number[] = [];
    for (let r = 0; r < opts.rounds; r++) {
      tr.push(await timed(opts.messages, window, trygg));
      br.push(await timed(opts.messages, window, stock));
      opts.log(`  round ${r + 1}: Trygg ${Math.round(tr.at(-1)!)}/s, bare smpp ${Math.round(br.at(-1)!)}/s`);
    }
    if (smsc.refusals.length > 0) throw new Error(`the SMSC refused: ${JSON.stringify(smsc.refusals[0])}`);
    const t = median(tr);
    const s = median(br);
    return {
      messagesPerRound: opts.messages,
      window,
      tryggPerSecond: t,
      barePerSecond: s,
      ratio: t / s,
      tryggRounds: tr,
      bareRounds: br,
    };
  } finally {
    bare?.destroy();
    await transport.stop();
    await smsc.stop();
  }
}

export function smsFigures(r: SmsBenchResult): Figure[] {
  return [
    figure({
      section: 'sms',
      name: `SMS submitted / s (SMPP, window ${r.window}, local SMSC, median of rounds)`,
      kind: 'rate',
      trygg: r.tryggPerSecond,
      peer: { name: 'bare smpp client', value: r.barePerSecond },
      goal: { text: 'Trygg/peer ≥ 0.5', met: r.ratio >= 0.5 },
      rounds: { trygg: r.tryggRounds, peer: r.bareRounds },
    }),
  ];
}
