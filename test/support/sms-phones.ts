/**
 * The phones of a test: one SMPP session with the local SMSC a demo test service runs (its login
 * in `<dataDir>/smsc.json`), receiving every SMS Trygg sends. Texts in several parts are joined
 * once all have come.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SimPhones, type PhoneSms, type SmscLogin } from '@trygg/simulators/smsc';
import type { TestService } from './service.js';

export interface TestPhones {
  /** Whole texts each phone received, in order. */
  inbox: { to: string; text: string }[];
  /** The `nth` text (from 0) to `to`, already received or still to come (15 s at most). */
  next(to: string, nth: number): Promise<{ to: string; text: string }>;
  /** Sends a reply from a phone to Trygg's number. */
  reply(from: string, to: string, text: string): Promise<void>;
  stop(): void;
}

export async function startPhones(svc: TestService): Promise<TestPhones> {
  for (const deadline = Date.now() + 20_000; !svc.trygg.sms?.ready; await new Promise((r) => setTimeout(r, 100))) {
    if (Date.now() > deadline) throw new Error('the SMS gateway did not bind within 20 s');
  }
  const inbox: { to: string; text: string }[] = [];
  const partial = new Map<string, PhoneSms[]>();
  const receive = (m: PhoneSms) => {
    if (!m.part) return void inbox.push({ to: m.to, text: m.text });
    const parts = [...(partial.get(m.to) ?? []), m];
    if (parts.length < m.part.total) return void partial.set(m.to, parts);
    partial.delete(m.to);
    parts.sort((a, b) => (a.part?.seq ?? 0) - (b.part?.seq ?? 0));
    inbox.push({ to: m.to, text: parts.map((p) => p.text).join('') });
  };
  const login = JSON.parse(await readFile(path.join(svc.trygg.config.dataDir, 'smsc.json'), 'utf8')) as SmscLogin;
  const phones = new SimPhones(login, receive);
  await phones.start();
  return {
    inbox,
    next: async (to, nth) => {
      for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
        const got = inbox.filter((m) => m.to === to)[nth];
        if (got) return got;
      }
      throw new Error(`no text number ${nth + 1} to ${to} within 15 s`);
    },
    reply: (from, to, text) => phones.send(from, to, text),
    stop: () => phones.stop(),
  };
}
