/**
 * A relative with no account answers by SMS as `relative/<id>` (actingId): that key takes and
 * declines their own alert with the usual first-claim-wins rules, and no account's id reaches it.
 */
import { describe, expect, it } from 'vitest';
import type { Actor, Alarm } from '../contracts/alarm.js';
import { actingId } from '../contracts/acting.js';
import type { Chain, Recipient } from '../contracts/escalation.js';
import { step } from './reducer.js';

const T0 = Date.parse('2026-11-21T03:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000);
const liv: Recipient = { id: 'rel-liv', name: 'Liv', kind: 'relative', userId: null };
const ola: Recipient = { id: 'rel-ola', name: 'Ola', kind: 'relative', userId: 'u-ola' };
const RC: Recipient = { id: 'response-centre', name: 'Responssenteret', kind: 'response-centre', userId: null };
const chain: Chain = { source: 'test', steps: [{ type: 'notify', to: ['relatives'], timeoutS: 120 }] };

function opened(): Alarm {
  const r = step(
    null,
    {
      kind: 'device-event',
      deviceId: 'dev-1',
      event: { id: 'e-1', type: 'alarm.button', ts: at(0).toISOString() },
      open: {
        newAlarmId: '00000000-0000-4000-8000-000000000001',
        subject: {
          deviceId: 'dev-1',
          residentId: 'res-1',
          residentName: 'Per',
          siteId: 'home-1',
          siteName: 'Per',
          address: 'Storgata 1',
          room: null,
        },
        chain,
        roster: { relatives: [liv, ola], 'floor-staff': [], 'site-staff': [], 'response-centre': [RC], technicians: [] },
      },
    },
    at(0),
  );
  if (!r.alarm) throw new Error('no alarm');
  return r.alarm;
}
const as = (userId: string, name = 'x'): Actor => ({ userId, name, role: 'relative' });
const cmd = (type: 'accept' | 'decline', id: string) => ({ kind: 'command' as const, command: { id, type }, actor: as('') });

describe('actingId', () => {
  it('is the account when there is one, `relative/<id>` for a relative without, none for the response centre', () => {
    expect(actingId(ola)).toBe('u-ola');
    expect(actingId(liv)).toBe('relative/rel-liv');
    expect(actingId(RC)).toBeNull();
  });

  it('lets a relative without an account take their own alert; the others are told who has it', () => {
    const r = step(opened(), { ...cmd('accept', 'c1'), actor: as('relative/rel-liv', 'Liv') }, at(5));
    expect(r.error).toBeUndefined();
    expect(r.alarm?.state).toBe('claimed');
    expect(r.alarm?.claimedBy).toEqual({ userId: 'relative/rel-liv', name: 'Liv', role: 'relative' });
    expect(r.alarm?.escalation.alerts.find((a) => a.recipient.id === 'rel-ola')?.state).toBe('withdrawn');
    const taken = r.effects.flatMap((e) => (e.type === 'notify' && e.notification.kind === 'taken' ? [e.notification] : []));
    expect(taken.map((n) => n.recipient.id)).toContain('rel-ola');
  });

  it('lets them decline; someone else’s key (or a bare relative id) answers nothing', () => {
    const a = opened();
    const d = step(a, { ...cmd('decline', 'c2'), actor: as('relative/rel-liv') }, at(5));
    expect(d.alarm?.escalation.alerts.find((x) => x.recipient.id === 'rel-liv')?.state).toBe('declined');
    expect(step(a, { ...cmd('accept', 'c3'), actor: as('rel-liv') }, at(5)).error).toBe('TRYGG_ERR_NOT_ALERTED');
    expect(step(a, { ...cmd('accept', 'c4'), actor: as('relative/rel-other') }, at(5)).error).toBe('TRYGG_ERR_NOT_ALERTED');
  });
});
