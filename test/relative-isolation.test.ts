/**
 * A relative sees their own person, and only while the consent stands: not another resident's
 * alarm by any route (lists, guessed ids, commands, exports), nor through either socket
 * namespace.
 */
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alarm, PeopleServerToClientEvents } from '@trygg/alarm-core';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let ola: string;

beforeAll(async () => {
  svc = await startTestService();
  ola = (await svc.login('ola')).token; // Kari Nordmann's son
});
afterAll(async () => {
  await svc?.stop();
});

async function peopleSocket(token: string): Promise<Socket<PeopleServerToClientEvents>> {
  const socket: Socket<PeopleServerToClientEvents> = io(`${svc.httpUrl}/people`, {
    path: '/socket.io',
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  return socket;
}

describe('a relative', () => {
  it('sees their own person’s alarm and nobody else’s, by any route or socket', async () => {
    const changed: string[] = [];
    const socket = await peopleSocket(ola);
    socket.on('alarm:changed', (c) => changed.push(c.alarmId));

    const own = await svc.raiseAlarm('res-kari-button');
    const other = await svc.raiseAlarm('res-per-button');
    await expect.poll(() => changed, { timeout: 5_000 }).toContain(own.id);

    const mine = await svc.api<{ alarms: Alarm[] }>('GET', '/api/relative/alarms', ola);
    expect(mine.body.alarms.map((a) => a.id)).toEqual([own.id]);
    // Guessing the other alarm's id gets nothing.
    for (const url of [`/api/alarms/${other.id}`, `/api/alarms/${other.id}/journal`, `/api/alarms/${other.id}/journal/status`])
      expect((await svc.api('GET', url, ola)).status, url).toBe(403);
    for (const url of ['/api/alarms', '/api/residents/res-per', '/api/residents', '/api/admin/export/alarms'])
      expect((await svc.api('GET', url, ola)).status, url).toBe(403);
    const accept = await svc.api<{ code: string }>('POST', `/api/alarms/${other.id}/commands`, ola, {
      id: randomUUID(),
      type: 'accept',
    });
    expect(accept.body.code).toBe('TRYGG_ERR_NOT_ALERTED');
    // The operators' stream is closed to them; the people stream never named the other alarm.
    await expect(svc.operatorSocket(ola)).rejects.toThrow(/TRYGG_ERR_FORBIDDEN/);
    expect(changed).not.toContain(other.id);
    socket.close();
  });

  it('sees only themselves and who took it, not the rest of the roster', async () => {
    const admin = (await svc.login('admin')).token;
    // Kari's daughter is on the chain too; her name is not her brother's business.
    const kristin = await svc.api('POST', '/api/relatives', admin, {
      residentId: 'res-kari',
      name: 'Kristin Nordmann',
      relation: 'datter',
      phone: '+4799988777',
      order: 2,
      consent: true,
    });
    expect(kristin.status).toBe(201);
    const alarm = await svc.raiseAlarm('res-kari-smoke', 'alarm.smoke');
    const operatorView = await svc.api<{ alarm: Alarm }>('GET', `/api/alarms/${alarm.id}`, (await svc.login('operator')).token);
    const everyone = Object.values(operatorView.body.alarm.escalation.roster).flat();
    expect(everyone.map((r) => r.name)).toEqual(expect.arrayContaining(['Ola Nordmann', 'Kristin Nordmann']));

    const mine = await svc.api<{ alarms: Alarm[] }>('GET', '/api/relative/alarms', ola);
    const seen = mine.body.alarms.find((a) => a.id === alarm.id);
    expect(seen).toBeDefined();
    const text = JSON.stringify(seen);
    expect(text).not.toContain('Kristin');
    expect(text).not.toMatch(/user-(staff|operator|tech|admin)/);
    expect(
      Object.values(seen?.escalation.roster ?? {})
        .flat()
        .filter((r) => r.kind !== 'response-centre'),
    ).toEqual([expect.objectContaining({ name: 'Ola Nordmann', userId: 'user-ola' })]);

    // The operator takes it: the relative sees by whom, without the operator's id.
    await svc.api('POST', `/api/alarms/${alarm.id}/commands`, (await svc.login('operator')).token, {
      id: randomUUID(),
      type: 'claim',
    });
    const after = await svc.api<{ alarms: Alarm[] }>('GET', '/api/relative/alarms', ola);
    const taken = after.body.alarms.find((a) => a.id === alarm.id);
    expect(taken?.claimedBy).toMatchObject({ name: 'Olav Operatør', userId: '' });
    expect(JSON.stringify(taken)).not.toContain('Kristin');
  });

  it('cannot accept an alarm (nor learn whose it is) the moment the consent is withdrawn', async () => {
    const admin = (await svc.login('admin')).token;
    const alarm = await svc.raiseAlarm('res-kari-button');
    const withdrawn = await svc.api('PATCH', '/api/relatives/rel-res-kari-1', admin, { consent: false });
    expect(withdrawn.status).toBe(200);
    const accept = await svc.api<{ code?: string }>('POST', `/api/alarms/${alarm.id}/commands`, ola, {
      id: randomUUID(),
      type: 'accept',
    });
    expect(accept).toMatchObject({ status: 403, body: { code: 'TRYGG_ERR_NOT_ALERTED' } });
    expect(JSON.stringify(accept.body)).not.toMatch(/Kari|Storgata/);
    // Nor from the push notification's button, which carries its own token.
    const action = await svc.trygg.tokens.issueAction(
      { userId: 'user-ola', name: 'Ola Nordmann', roles: ['relative'], locale: 'nb' },
      { alarmId: alarm.id, notificationId: randomUUID(), actions: ['accept', 'decline'] },
      600,
    );
    const pushed = await svc.api<{ code?: string }>('POST', '/api/push/actions', action, { action: 'accept' });
    expect(pushed).toMatchObject({ status: 403, body: { code: 'TRYGG_ERR_NOT_ALERTED' } });
    expect(JSON.stringify(pushed.body)).not.toMatch(/Kari|Storgata/);
    // The alarm is still open for those who may take it.
    const { body } = await svc.api<{ alarm: Alarm }>('GET', `/api/alarms/${alarm.id}`, (await svc.login('operator')).token);
    expect(body.alarm.state).toBe('open');
    await svc.api('PATCH', '/api/relatives/rel-res-kari-1', admin, { consent: true });
  });

  it('loses sight of their person when the consent is withdrawn', async () => {
    await svc.trygg.pool.query(`UPDATE relatives SET consent_at = NULL WHERE user_id = 'user-ola'`);
    const after = await svc.api<{ people: unknown[]; alarms: Alarm[] }>('GET', '/api/relative/alarms', ola);
    expect(after.body).toEqual({ people: [], alarms: [] });
  });
});
