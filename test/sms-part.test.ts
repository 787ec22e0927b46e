/**
 * The SMS part of a node (server/src/parts/sms.ts): with no gateway set, the demo's node runs the
 * local SMSC and binds to it, and `npm run sim`'s phones (from `<data dir>/smsc.json`) get its
 * texts and reply; with TRYGG_SMPP_* set, it binds to that gateway with those credentials and
 * sender. `/readyz` shows the binding.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SmsEvent } from '@trygg/alarm-core';
import { LocalSmsc, SimPhones, type PhoneSms, type SmscLogin } from '@trygg/simulators/smsc';
import { startTestService, type TestService } from './support/service.js';

async function until<T>(fn: () => T | Promise<T>, what: string, ms = 20_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const readyz = async (svc: TestService) =>
  (await (await fetch(`${svc.httpUrl}/readyz`)).json()) as { status: string; sms?: boolean };

const cleanup: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

describe('the SMS part', () => {
  it("on the demo with no gateway set, runs the local SMSC: the phones get Trygg's text and their reply comes back", async () => {
    const svc = await startTestService();
    cleanup.push(() => svc.stop());
    const sms = svc.trygg.sms!;
    await until(async () => (await readyz(svc)).sms === true, '/readyz sms true');
    const login = JSON.parse(await readFile(path.join(svc.trygg.config.dataDir, 'smsc.json'), 'utf8')) as SmscLogin;
    const got: PhoneSms[] = [];
    const phones = new SimPhones(login, (m) => got.push(m));
    await phones.start();
    cleanup.push(() => phones.stop());
    const events: SmsEvent[] = [];
    sms.onEvent((e) => events.push(e));

    const { messageId } = await sms.submit({
      to: '+4791112222',
      text: 'Trygghetsalarm: Åse Ødegård trenger hjelp. Svar 1 = JA',
      ref: 'n1',
    });
    const m = await until(() => got.find((x) => x.to === '+4791112222'), 'the phone to get it');
    expect(m).toMatchObject({ from: 'Trygg', text: 'Trygghetsalarm: Åse Ødegård trenger hjelp. Svar 1 = JA', part: null });
    await phones.send('+4791112222', m.from, '1');
    await until(() => events.find((e) => e.type === 'reply'), 'the reply');
    expect(events.find((e) => e.type === 'reply')).toMatchObject({ from: '+4791112222', to: 'Trygg', text: '1' });
    await until(() => events.find((e) => e.type === 'receipt'), 'the receipt');
    expect(events.find((e) => e.type === 'receipt')).toMatchObject({ messageId, state: 'delivered' });
  });

  it('binds to the gateway TRYGG_SMPP_* names, with its sender, and never logs the password', async () => {
    const smsc = new LocalSmsc({ systemId: 'kommune', password: 'Pw9x!k2q', systemType: 'trygg', receiptDelayMs: 10 });
    const port = await smsc.start();
    cleanup.push(() => smsc.stop());
    const svc = await startTestService({
      config: {
        smppHost: '127.0.0.1',
        smppPort: port,
        smppSystemId: 'kommune',
        smppPassword: 'Pw9x!k2q',
        smppSystemType: 'trygg',
        smsSender: '2270',
      },
    });
    cleanup.push(() => svc.stop());
    await until(async () => (await readyz(svc)).sms === true, '/readyz sms true');
    const { messageId } = await svc.trygg.sms!.submit({ to: '+4670123456', text: 'Hej, larm hos Åsa', ref: 'n2' });
    expect(await smsc.waitForMessage('+4670123456')).toMatchObject({
      messageId,
      from: '2270',
      sourceTon: 3,
      text: 'Hej, larm hos Åsa',
    });
    expect(JSON.stringify(svc.logs)).not.toContain('Pw9x!k2q');
    smsc.refuseBinds = true;
    smsc.dropConnections();
    await until(async () => (await readyz(svc)).sms === false, '/readyz sms false');
    expect((await readyz(svc)).status).toBe('ready');
  });
});
