/**
 * Reach in the reducer, with a virtual clock: a person with no working channel is never
 * "alerted" but recorded as unreachable with the reason, a step nobody at it can be reached on
 * moves on at once (one-by-one: the next person at once), and a notification whose every channel
 * failed (the deliverer's `undeliverable` input) makes the alert unreachable and moves the chain
 * on when nobody else at the step is still waiting to answer.
 */
import { describe, expect, it } from 'vitest';
import type { Alarm, AlarmSubject } from '../contracts/alarm.js';
import type { Chain, Recipient, Roster } from '../contracts/escalation.js';
import type { Notification, StepResult } from './draft.js';
import { step, type EngineInput } from './reducer.js';

const T0 = Date.parse('2026-11-21T03:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000);
const subject: AlarmSubject = {
  deviceId: 'dev-1',
  residentId: 'res-1',
  residentName: 'Per Hansen',
  siteId: 'home-1',
  siteName: 'Per Hansen',
  address: 'Storgata 1',
  room: null,
};
const person = (id: string, reach: Recipient['reach'], unreachable?: Recipient['unreachable']): Recipient => ({
  id,
  name: id,
  kind: 'relative',
  userId: `u-${id}`,
  reach,
  ...(unreachable ? { unreachable } : {}),
});
const RC: Recipient = {
  id: 'response-centre',
  name: 'Responssenteret',
  kind: 'response-centre',
  userId: null,
  reach: ['console'],
};
const liv = person('liv', ['push', 'sms']);
const per = person('per', [], 'no-channel');
const guro = person('guro', [], 'no-consent');
const old: Recipient = { id: 'old', name: 'old', kind: 'relative', userId: 'u-old' }; // stored before reach

const chain = (mode: 'all' | 'one-by-one'): Chain => ({
  source: 'test',
  steps: [
    { type: 'notify', to: ['relatives'], mode, timeoutS: 120, receiptTimeoutS: 5 },
    { type: 'notify', to: ['response-centre'], timeoutS: 60 },
  ],
});
const open = (relatives: Recipient[], mode: 'all' | 'one-by-one' = 'all'): StepResult => {
  const roster: Roster = { relatives, 'floor-staff': [], 'site-staff': [], 'response-centre': [RC], technicians: [] };
  return step(
    null,
    {
      kind: 'device-event',
      deviceId: 'dev-1',
      event: { id: 'e-1', type: 'alarm.fall', ts: at(0).toISOString() },
      open: { newAlarmId: '00000000-0000-4000-8000-000000000001', subject, chain: chain(mode), roster },
    },
    at(0),
  );
};
function must(r: StepResult): Alarm {
  if (!r.alarm) throw new Error('no alarm');
  return r.alarm;
}
const notes = (r: StepResult): Notification[] => r.effects.flatMap((e) => (e.type === 'notify' ? [e.notification] : []));
const sent = (r: StepResult) => notes(r).map((x) => `${x.kind}:${x.recipient.id}`);
const kinds = (r: StepResult) => r.entries.map((e) => e.kind);
const alertOf = (a: Alarm, id: string) => a.escalation.alerts.find((x) => x.recipient.id === id);
const failed = (n: Notification): EngineInput => ({
  kind: 'undeliverable',
  notificationId: n.id,
  recipientId: n.recipient.id,
  step: n.step,
});

describe('unreachable people are skipped at once', () => {
  it('a step where nobody can be reached moves on to the response centre at once, with the reasons', () => {
    const r = open([per, guro]);
    const a = must(r);
    expect(kinds(r)).toEqual(['opened', 'unreachable', 'unreachable', 'skipped', 'notified']);
    expect(sent(r)).toEqual(['alert:response-centre']);
    expect(a.escalation.step).toBe(1);
    expect(alertOf(a, 'per')).toMatchObject({ state: 'unreachable', reason: 'no-channel', step: 0 });
    expect(alertOf(a, 'guro')).toMatchObject({ state: 'unreachable', reason: 'no-consent' });
    expect(r.entries.find((e) => e.kind === 'skipped')?.data).toMatchObject({ reason: 'nobody reachable' });
    expect(r.entries.filter((e) => e.kind === 'unreachable').map((e) => e.data)).toEqual([
      { step: 0, recipient: 'per', recipientId: 'per', reason: 'no-channel' },
      { step: 0, recipient: 'guro', recipientId: 'guro', reason: 'no-consent' },
    ]);
  });

  it('all at once: the reachable are alerted (with the step’s receipt timeout), the rest recorded, no notification for them', () => {
    const r = open([per, liv]);
    const a = must(r);
    expect(sent(r)).toEqual(['alert:liv']);
    expect(notes(r)[0]?.receiptTimeoutS).toBe(5);
    expect(a.escalation.step).toBe(0);
    expect(r.entries.find((e) => e.kind === 'notified')?.data.to).toEqual(['liv']);
    // Taken by someone else: the unreachable person is not told either.
    const taken = step(
      a,
      { kind: 'command', command: { id: 'c1', type: 'claim' }, actor: { userId: 'o', name: 'O', role: 'operator' } },
      at(3),
    );
    expect(sent(taken)).toEqual(['taken:liv']);
  });

  it('one by one: an unreachable person is passed at once, the next one alerted', () => {
    const r = open([per, liv], 'one-by-one');
    const a = must(r);
    expect(sent(r)).toEqual(['alert:liv']);
    expect(a.escalation.cursor).toBe(1);
    expect(kinds(r)).toEqual(['opened', 'unreachable', 'notified']);
  });

  it('an alarm stored before reach existed reads a missing reach as push', () => {
    expect(sent(open([old]))).toEqual(['alert:old']);
  });
});

describe('every channel failed', () => {
  it('the only person at the step: unreachable, and the response centre is alerted at once', () => {
    const r = open([liv]);
    const n = notes(r)[0];
    if (!n) throw new Error('no notification');
    const f = step(must(r), failed(n), at(40));
    const a = must(f);
    expect(alertOf(a, 'liv')).toMatchObject({ state: 'unreachable', reason: 'all-channels-failed' });
    expect(kinds(f)).toEqual(['unreachable', 'escalated', 'notified']);
    expect(f.entries[0]?.data).toMatchObject({ notificationId: n.id, reason: 'all-channels-failed' });
    expect(f.entries[1]?.data).toMatchObject({ from: 0, to: 1, reason: 'unreachable' });
    expect(sent(f)).toEqual(['alert:response-centre']);
    // The old step's timer is gone: it cannot move the chain a second time.
    expect(a.escalation.timers.filter((t) => t.kind === 'step')).toHaveLength(1);
    // A late second report for the same notification changes nothing.
    expect(kinds(step(a, failed(n), at(41)))).toEqual([]);
  });

  it('while another person at the step may still answer, the chain waits for them', () => {
    const ida = person('ida', ['push']);
    const r = open([liv, ida]);
    const [nl, ni] = notes(r);
    if (!nl || !ni) throw new Error('two notifications expected');
    const f1 = step(must(r), failed(nl), at(40));
    expect(kinds(f1)).toEqual(['unreachable']);
    expect(must(f1).escalation.step).toBe(0);
    const f2 = step(must(f1), failed(ni), at(50));
    expect(kinds(f2)).toEqual(['unreachable', 'escalated', 'notified']);
  });

  it('one by one: the next person is alerted at once', () => {
    const ida = person('ida', ['sms']);
    const r = open([liv, ida], 'one-by-one');
    const n = notes(r)[0];
    if (!n) throw new Error('no notification');
    const f = step(must(r), failed(n), at(40));
    expect(sent(f)).toEqual(['alert:ida']);
    expect(must(f).escalation.cursor).toBe(1);
  });

  it('a person whose every channel failed may still accept (they opened the app)', () => {
    const r = open([liv, person('ida', ['push'])]);
    const n = notes(r)[0];
    if (!n) throw new Error('no notification');
    const a = must(step(must(r), failed(n), at(40)));
    const ok = step(
      a,
      { kind: 'command', command: { id: 'c2', type: 'accept' }, actor: { userId: 'u-liv', name: 'liv', role: 'relative' } },
      at(45),
    );
    expect(ok.error).toBeUndefined();
    expect(must(ok).state).toBe('claimed');
  });

  it('after the step moved on, a failure report only records the person as unreachable', () => {
    const r = open([liv]);
    const n = notes(r)[0];
    if (!n) throw new Error('no notification');
    const a = must(r);
    const timer = a.escalation.timers.find((t) => t.kind === 'step');
    if (!timer) throw new Error('no step timer');
    const moved = must(step(a, { kind: 'timer', token: timer.token }, at(120)));
    const f = step(moved, failed(n), at(130));
    expect(kinds(f)).toEqual(['unreachable']);
    expect(must(f).escalation.step).toBe(1);
    expect(sent(f)).toEqual([]);
  });
});
