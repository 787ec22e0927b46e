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

  it('loses sight of their person when the consent is withdrawn', async () => {
    await svc.trygg.pool.query(`UPDATE relatives SET consent_at = NULL WHERE user_id = 'user-ola'`);
    const after = await svc.api<{ people: unknown[]; alarms: Alarm[] }>('GET', '/api/relative/alarms', ola);
    expect(after.body).toEqual({ people: [], alarms: [] });
  });
});
