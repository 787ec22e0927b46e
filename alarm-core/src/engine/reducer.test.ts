/** The alarm state machine with a virtual clock: no database, no timers. */
import { describe, expect, it } from 'vitest';
import type { Actor, Alarm, AlarmSubject } from '../contracts/alarm.js';
import type { DeviceEventType } from '../contracts/vocabulary.js';
import { step, type EngineInput } from './reducer.js';

const t0 = new Date('2026-11-21T03:00:00.000Z');
const later = (s: number) => new Date(t0.getTime() + s * 1000);
const subject: AlarmSubject = {
  deviceId: 'dev-1',
  residentId: 'res-1',
  residentName: 'Kari Nordmann',
  siteId: 'home-1',
  siteName: 'Kari Nordmann',
  address: 'Storgata 12',
  room: null,
};
const olav: Actor = { userId: 'u-olav', name: 'Olav', role: 'operator' };
const siri: Actor = { userId: 'u-siri', name: 'Siri', role: 'operator' };

const ev = (type: DeviceEventType, id = `e-${Math.random()}`): EngineInput => ({
  kind: 'device-event',
  deviceId: 'dev-1',
  event: { id, type, ts: t0.toISOString() },
  subject,
  newAlarmId: '00000000-0000-4000-8000-000000000001',
});
const cmd = (
  actor: Actor,
  command: { id: string; type: 'claim' } | { id: string; type: 'resolve'; note: string },
): EngineInput => ({
  kind: 'command',
  command,
  actor,
});

function open(type: DeviceEventType = 'alarm.button'): Alarm {
  const r = step(null, ev(type), t0);
  if (!r.alarm) throw new Error('no alarm');
  return r.alarm;
}

describe('step', () => {
  it('opens an alarm on an alarm event, notifies the response centre and tells the device', () => {
    const r = step(null, ev('alarm.fall', 'e1'), t0);
    expect(r.alarm).toMatchObject({
      state: 'open',
      type: 'alarm.fall',
      priority: 50,
      eventCount: 1,
      version: 1,
      chain: ['response-centre'],
    });
    expect(r.alarm?.openedAt).toBe(t0.toISOString());
    expect(r.entries.map((e) => e.kind)).toEqual(['opened', 'notified']);
    expect(r.effects).toEqual([
      { type: 'notify', alarmId: r.alarm?.id, target: 'response-centre', reason: 'opened' },
      { type: 'device-feedback', deviceId: 'dev-1', feedback: { type: 'received', eventId: 'e1', alarmId: r.alarm?.id } },
    ]);
  });

  it('orders priorities fire > fall > button > sensors > missed dose > technical', () => {
    const p = (t: DeviceEventType) => open(t).priority;
    expect(p('alarm.smoke')).toBe(p('alarm.co'));
    expect(p('alarm.smoke')).toBeGreaterThan(p('alarm.fall'));
    expect(p('alarm.fall')).toBeGreaterThan(p('alarm.button'));
    expect(p('alarm.button')).toBe(p('alarm.pull-cord'));
    expect(p('alarm.button')).toBeGreaterThan(p('alarm.door'));
    expect(p('alarm.door')).toBeGreaterThan(p('dispenser.missed-dose'));
    expect(p('dispenser.missed-dose')).toBeGreaterThan(p('technical.battery-low'));
  });

  it('joins repeated presses into the open alarm and raises its priority for a worse event', () => {
    const a = open('alarm.button');
    const r = step(a, ev('alarm.fall'), later(5));
    expect(r.alarm).toMatchObject({ id: a.id, eventCount: 2, priority: 50, version: 2, state: 'open' });
    expect(r.entries.map((e) => e.kind)).toEqual(['event-joined']);
    expect(r.effects.filter((e) => e.type === 'notify')).toEqual([]);
  });

  it('opens a new alarm when the previous one is closed', () => {
    const closed: Alarm = { ...open(), state: 'resolved', closedAt: t0.toISOString() };
    const r = step(
      closed,
      { ...ev('alarm.button'), newAlarmId: '00000000-0000-4000-8000-000000000002' } as EngineInput,
      later(60),
    );
    expect(r.alarm?.id).toBe('00000000-0000-4000-8000-000000000002');
    expect(r.entries[0]?.kind).toBe('opened');
  });

  it('cancels an alarm nobody has taken, and only notes a cancel after a claim', () => {
    const a = open();
    const cancelled = step(a, ev('cancel'), later(10));
    expect(cancelled.alarm).toMatchObject({ state: 'cancelled', closedAt: later(10).toISOString() });
    const claimed = step(a, cmd(olav, { id: 'c1', type: 'claim' }), later(5)).alarm;
    if (!claimed) throw new Error('no alarm');
    const after = step(claimed, ev('cancel'), later(10));
    expect(after.alarm).toMatchObject({ state: 'claimed', claimedBy: olav });
    expect(after.entries.map((e) => e.kind)).toEqual(['cancel-ignored']);
  });

  it('ignores a cancel, a test and a heartbeat with no open alarm', () => {
    for (const t of ['cancel', 'test', 'heartbeat', 'dispenser.dispensed'] as const) {
      const r = step(null, ev(t), t0);
      expect(r.alarm).toBeNull();
      expect(r.entries).toEqual([]);
    }
  });

  it('lets the first claim win and refuses the second', () => {
    const a = open();
    const first = step(a, cmd(olav, { id: 'c1', type: 'claim' }), later(3));
    expect(first.alarm).toMatchObject({ state: 'claimed', claimedBy: olav, version: 2 });
    expect(first.effects).toContainEqual({
      type: 'device-feedback',
      deviceId: 'dev-1',
      feedback: { type: 'accepted', alarmId: a.id, by: 'Olav' },
    });
    if (!first.alarm) throw new Error('no alarm');
    // Same millisecond, another operator: refused, nothing changes.
    const second = step(first.alarm, cmd(siri, { id: 'c2', type: 'claim' }), later(3));
    expect(second.error).toBe('TRYGG_ERR_ALARM_CLAIMED');
    expect(second.alarm).toBe(first.alarm);
    expect(second.entries).toEqual([]);
    // The same operator claiming again changes nothing and is not an error.
    const again = step(first.alarm, cmd(olav, { id: 'c3', type: 'claim' }), later(4));
    expect(again.error).toBeUndefined();
    expect(again.entries).toEqual([]);
  });

  it('resolves only by the one who claimed, with the note', () => {
    const a = open();
    expect(step(a, cmd(olav, { id: 'r0', type: 'resolve', note: 'x' }), later(1)).error).toBe(
      'TRYGG_ERR_ALARM_NOT_CLAIMED_BY_YOU',
    );
    const claimed = step(a, cmd(olav, { id: 'c1', type: 'claim' }), later(2)).alarm;
    if (!claimed) throw new Error('no alarm');
    expect(step(claimed, cmd(siri, { id: 'r1', type: 'resolve', note: 'x' }), later(3)).error).toBe(
      'TRYGG_ERR_ALARM_NOT_CLAIMED_BY_YOU',
    );
    const done = step(claimed, cmd(olav, { id: 'r2', type: 'resolve', note: 'Alt i orden' }), later(300));
    expect(done.alarm).toMatchObject({
      state: 'resolved',
      resolution: { note: 'Alt i orden' },
      closedAt: later(300).toISOString(),
    });
    expect(done.entries).toEqual([{ kind: 'resolved', actor: olav, data: { note: 'Alt i orden' } }]);
    if (!done.alarm) throw new Error('no alarm');
    expect(step(done.alarm, cmd(olav, { id: 'c9', type: 'claim' }), later(301)).error).toBe('TRYGG_ERR_ALARM_CLOSED');
  });

  it('refuses commands on an unknown alarm', () => {
    expect(step(null, cmd(olav, { id: 'c1', type: 'claim' }), t0).error).toBe('TRYGG_ERR_ALARM_NOT_FOUND');
  });

  it('is pure: the input alarm is never mutated', () => {
    const a = open();
    const frozen = structuredClone(a);
    step(a, cmd(olav, { id: 'c1', type: 'claim' }), later(1));
    step(a, ev('alarm.fall'), later(1));
    step(a, ev('cancel'), later(1));
    expect(a).toEqual(frozen);
  });
});
