/**
 * Simulated mobile phones for `npm run sim`: one SMPP session with the local SMSC's `phones`
 * login receives every SMS Trygg sends (as the handsets would) and sends people's replies back
 * through it. Each relative's phone, on an alert, answers "1" (accept) or "2" (decline) after a
 * human delay, or not at all, by the same chances as the simulated app users.
 */
import { Later } from '../later.js';
import type { Behaviour } from '../people.js';
import { decodeGsm, decodeUtf16be, encodeGsm } from './gsm.js';
import { pdu, smpp, type Pdu, type Session } from './smpp.js';

export interface PhoneSms {
  /** The phone it was sent to, E.164. */
  to: string;
  from: string;
  text: string;
  /** Part n of m of a longer text; null for a text in one part. */
  part: { seq: number; total: number } | null;
}

export interface SmscLogin {
  host: string;
  port: number;
  phones: { systemId: string; password: string };
}

/** One bound session for every simulated phone. */
export class SimPhones {
  private session: Session | null = null;

  constructor(
    private readonly login: SmscLogin,
    private readonly onSms: (sms: PhoneSms) => void,
  ) {}

  /** Connects and binds; rejects when the SMSC refuses. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const s = smpp.connect({ host: this.login.host, port: this.login.port });
      this.session = s;
      s.on('error', reject);
      s.on('connect', () => {
        s.send(
          pdu('bind_transceiver', {
            system_id: this.login.phones.systemId,
            password: this.login.phones.password,
            interface_version: 0x34,
          }),
          (r) =>
            r.command_status === 0
              ? resolve()
              : reject(new Error(`the SMSC refused the phones' bind (status ${r.command_status})`)),
        );
      });
      s.on('deliver_sm', (p) => {
        s.send(p.response());
        const sms = read(p);
        if (sms) this.onSms(sms);
      });
      s.on('enquire_link', (p) => s.send(p.response()));
    });
  }

  /** A person's SMS from `fromPhone` to `to` (Trygg's sender); one part. */
  send(fromPhone: string, to: string, text: string): Promise<void> {
    const s = this.session;
    if (!s) return Promise.reject(new Error('phones not started'));
    const gsm = encodeGsm(text);
    const body = gsm ?? Buffer.from(text, 'utf16le').swap16();
    return new Promise((resolve, reject) => {
      const ok = s.send(
        pdu('submit_sm', {
          source_addr_ton: 1,
          source_addr_npi: 1,
          source_addr: fromPhone.replace(/^\+/, ''),
          dest_addr_ton: /^\+/.test(to) ? 1 : /^\d{1,8}$/.test(to) ? 3 : 5,
          destination_addr: to.replace(/^\+/, ''),
          data_coding: gsm ? 0 : 8,
          short_message: body.subarray(0, 140),
        }),
        (r) =>
          r.command_status === 0 ? resolve() : reject(new Error(`the SMSC refused a phone's SMS (status ${r.command_status})`)),
      );
      if (!ok) reject(new Error('the SMSC connection is closed'));
    });
  }

  stop(): void {
    this.session?.close();
    this.session = null;
  }
}

function read(p: Pdu): PhoneSms | null {
  const sm = Buffer.isBuffer(p.short_message) ? p.short_message : Buffer.alloc(0);
  let body = sm;
  let part: PhoneSms['part'] = null;
  if (typeof p.esm_class === 'number' && p.esm_class & 0x40 && sm.length > 0) {
    const udhl = sm[0]!;
    if (sm[1] === 0x00 && sm[2] === 3) part = { total: sm[5] ?? 1, seq: sm[6] ?? 1 };
    body = sm.subarray(udhl + 1);
  }
  const decoded = p.data_coding === 8 ? decodeUtf16be(body) : decodeGsm(body);
  if ('error' in decoded) return null;
  const ton = typeof p.source_addr_ton === 'number' ? p.source_addr_ton : 0;
  return { to: `+${String(p.destination_addr)}`, from: (ton === 1 ? '+' : '') + String(p.source_addr), text: decoded.text, part };
}

/**
 * Relatives' phones for `npm run sim`: each SMS that reaches a phone (its first part) is shown,
 * and answered "1" or "2" after `behaviour.answerS`, or left unanswered, by its chances.
 */
export async function startSmsPhones(opts: {
  login: SmscLogin;
  behaviour: Behaviour;
  verbose: boolean;
  log: (line: string) => void;
}): Promise<{ stop(): void; received(): number; replied(): number }> {
  const later = new Later();
  let received = 0;
  let replied = 0;
  const between = ([a, b]: [number, number]) => (a + Math.random() * (b - a)) * 1000;
  const phones: SimPhones = new SimPhones(opts.login, (sms) => {
    if (sms.part && sms.part.seq !== 1) return;
    received++;
    if (opts.verbose) opts.log(`✉ SMS to ${sms.to}: ${JSON.stringify(sms.text.slice(0, 70))}${sms.text.length > 70 ? '…' : ''}`);
    const r = Math.random();
    const answer = r < opts.behaviour.accept ? '1' : r < opts.behaviour.accept + opts.behaviour.decline ? '2' : null;
    if (!answer) return;
    later.run(between(opts.behaviour.answerS), () => {
      phones.send(sms.to, sms.from, answer).then(
        () => {
          replied++;
          if (opts.verbose) opts.log(`✉ ${sms.to} replied "${answer}"`);
        },
        (err: Error) => opts.log(`✉ ${sms.to} could not reply: ${err.message}`),
      );
    });
  });
  await phones.start();
  return {
    stop: () => {
      later.stop();
      phones.stop();
    },
    received: () => received,
    replied: () => replied,
  };
}
