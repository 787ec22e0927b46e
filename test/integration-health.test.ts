/**
 * Health per integration (issue 20, item 2). `/readyz` names every integration with its state
 * and last success; breaking one shows it and it recovers:
 *
 * - the journal receiver unreachable: `journal` down with the records waiting, the node still
 *   ready (alarms go on), the operators' live channel told; back when the receiver answers;
 * - the MQTT listener stopped: `mqtt` down and 503 (fatal: devices' alarms cannot come in);
 *   ready again when it listens.
 */
import { INTEGRATIONS, type IntegrationHealth, type Readiness } from '@trygg/alarm-core';
import { afterAll, describe, expect, it } from 'vitest';
import { startWithJournal, type JournalSetup } from './support/journal.js';
import type { TestService } from './support/service.js';

const readyz = async (svc: TestService) => {
  const res = await fetch(`${svc.httpUrl}/readyz`);
  return { status: res.status, body: (await res.json()) as Readiness };
};
const named = (r: Readiness, name: string) => r.integrations.find((i) => i.name === name);

let setup: JournalSetup;
afterAll(async () => {
  await setup?.stop();
});

describe('/readyz per integration', () => {
  it('names every integration with its state; the journal unreachable is shown and recovers', { timeout: 120_000 }, async () => {
    setup = await startWithJournal({ healthWatchS: 1 });
    const { svc, receiver } = setup;
    // The demo's local SMSC is bound once the SMS part has connected (a moment after the start).
    for (const deadline = Date.now() + 20_000; !svc.trygg.sms?.ready; await new Promise((r) => setTimeout(r, 100))) {
      if (Date.now() > deadline) throw new Error('the SMS gateway did not bind within 20 s');
    }
    const first = await readyz(svc);
    expect(first.status).toBe(200);
    expect(first.body.integrations.map((i) => i.name)).toEqual([...INTEGRATIONS]);
    expect(Object.fromEntries(first.body.integrations.map((i) => [i.name, [i.state, i.fatal]]))).toEqual({
      database: ['ok', true],
      'event-store': ['ok', true],
      mqtt: ['ok', true],
      sip: ['ok', true],
      journal: ['ok', false],
      push: ['ok', false],
      sms: ['ok', false],
      redis: ['not-configured', false],
      'identity-provider': ['not-configured', false],
      'synthetic-chain': ['not-configured', false],
    });
    expect(named(first.body, 'database')?.lastSuccessAt).toEqual(expect.any(String));

    // An operator's console hears of it live.
    const { token } = await svc.login('operator');
    const heard: IntegrationHealth[][] = [];
    const socket = await svc.operatorSocket(token, (s) =>
      s.on('integrations:health', ({ integrations }) => heard.push(integrations)),
    );
    // Told on connect: every integration as it stands.
    await expect.poll(() => heard[0]?.map((i) => i.name), { timeout: 10_000 }).toEqual([...INTEGRATIONS]);

    receiver.setMode('down');
    const id = await setup.handledAlarm('res-per-button');
    await expect.poll(async () => named((await readyz(svc)).body, 'journal')?.state, { timeout: 15_000 }).toBe('down');
    const down = await readyz(svc);
    expect(down.status).toBe(200); // not fatal: alarms are still taken
    expect(named(down.body, 'journal')).toMatchObject({ state: 'down', fatal: false, since: expect.any(String) });
    // The outbox count is shared for up to 2 s (the route is public): polled, not read once.
    await expect
      .poll(async () => named((await readyz(svc)).body, 'journal')?.waiting, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(1);
    await expect.poll(() => heard.at(-1)?.find((i) => i.name === 'journal')?.state, { timeout: 15_000 }).toBe('down');

    receiver.setMode('ok');
    await expect
      .poll(
        async () =>
          (await svc.api<{ status: string }>('GET', `/api/alarms/${id}/journal/status`, (await svc.login('admin')).token)).body
            .status,
        {
          timeout: 15_000,
        },
      )
      .toBe('journaled');
    await expect.poll(async () => named((await readyz(svc)).body, 'journal')?.state, { timeout: 15_000 }).toBe('ok');
    expect(named((await readyz(svc)).body, 'journal')?.lastSuccessAt).toEqual(expect.any(String));
    await expect.poll(() => heard.at(-1)?.find((i) => i.name === 'journal')?.state, { timeout: 15_000 }).toBe('ok');
    socket.close();
  });

  it('the MQTT listener stopped: mqtt down and 503; ready again when it listens', { timeout: 60_000 }, async () => {
    const { svc } = setup;
    const gateway = svc.trygg.gateway;
    if (!gateway) throw new Error('the test service runs the embedded broker');
    await gateway.stop();
    const stopped = await readyz(svc);
    expect(stopped.status).toBe(503);
    expect(stopped.body).toMatchObject({ status: 'not-ready', broker: false, database: true });
    expect(named(stopped.body, 'mqtt')).toMatchObject({ state: 'down', fatal: true });

    await gateway.start();
    await expect.poll(async () => (await readyz(svc)).status, { timeout: 10_000 }).toBe(200);
    expect(named((await readyz(svc)).body, 'mqtt')?.state).toBe('ok');
  });
});
