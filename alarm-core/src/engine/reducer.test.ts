/**
 * The alarm state machine with a virtual clock: every step type and every rule of escalation,
 * including the races (two accepts in one millisecond, an accept after the timeout fired,
 * cancel after accept, decline by all). No database, no real timers.
 */
import { describe, expect, it } from 'vitest';
import type { Actor, Alarm, AlarmSubject } from '../contracts/alarm.js';
import type { Chain, Recipient, Roster } from '../contracts/escalation.js';
import { PRIORITY, type DeviceEventType } from '../contracts/vocabulary.js';
import { defaultChain, defaultChainName } from '../escalation/defaults.js';
import type { Notification, StepResult } from './draft.js';
import { step, type EngineInput, type OpenContext } from './reducer.js';

const T0 = Date.parse('2026-11-21T03:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000);
const subject: AlarmSubject = {
  deviceId: 'dev-1',
  residentId: 'res-1',
  residentName: 'Kari Nordmann',
  siteId: 'home-1',
  siteName: 'Kari Nordmann',
  address: 'Storgata 12',
  room: null,
};
const person = (id: string, name: string, kind: Recipient['kind']): Recipient => ({ id, name, kind, userId: `u-${id}` });
const ola = person('ola', 'Ola', 'relative');
const liv = person('liv', 'Liv', 'relative');
const nina = person('nina', 'Nina', 'staff');
const tor = person('tor', 'Tor', 'staff');
const tekla = person('tekla', 'Tekla', 'technician');
const RC: Recipient = { id: 'response-centre', name: 'Responssenteret', kind: 'response-centre', userId: null };
const roster: Roster = {
  relatives: [ola, liv],
  'floor-staff': [nina],
  'site-staff': [nina, tor],
  'response-centre': [RC],
  technicians: [tekla],
};
const actorOf = (r: Recipient): Actor => ({
  userId: r.userId ?? '',
  name: r.name,
  role: r.kind === 'relative' ? 'relative' : 'staff',
});
const olav: Actor = { userId: 'u-olav', name: 'Olav', role: 'operator' };
const siri: Actor = { userId: 'u-siri', name: 'Siri', role: 'operator' };

let n = 0;
const ctx = (chain: Chain, id = '00000000-0000-4000-8000-000000000001'): OpenContext => ({
  newAlarmId: id,
  subject,
  chain,
  roster,
});
const ev = (type: DeviceEventType, chain: Chain = defaultChain('home')): EngineInput => ({
  kind: 'device-event',
  deviceId: 'dev-1',
  event: { id: `e-${++n}`, type, ts: new Date(T0).toISOString() },
  open: ctx(chain),
});
const cmd = (actor: Actor, type: 'claim' | 'accept' | 'decline' | 'arrived'): EngineInput => ({
  kind: 'command',
  command: { id: `c-${++n}`, type },
  actor,
});
const resolve = (actor: Actor, note = 'ok'): EngineInput => ({
  kind: 'command',
  command: { id: `c-${++n}`, type: 'resolve', note, cause: 'fall', action: 'home-visit' },
  actor,
});

function must(r: StepResult): Alarm {
  if (!r.alarm) throw new Error('no alarm');
  return r.alarm;
}
const notes = (r: StepResult): Notification[] => r.effects.flatMap((e) => (e.type === 'notify' ? [e.notification] : []));
const sent = (r: StepResult) => notes(r).map((x) => `${x.kind}:${x.recipient.id}`);
const kinds = (r: StepResult) => r.entries.map((e) => e.kind);
const alertOf = (a: Alarm, r: Recipient) => a.escalation.alerts.find((x) => x.recipient.id === r.id)?.state;
/** Fires the alarm's due timer of `kind` at its due time (+ lateS). */
function fire(a: Alarm, kind: 'step' | 'realert' | 'follow-up', lateS = 0): StepResult {
  const t = a.escalation.timers.find((x) => x.kind === kind);
  if (!t) throw new Error(`no ${kind} timer`);
  return step(a, { kind: 'timer', token: t.token }, new Date(Date.parse(t.dueAt) + lateS * 1000));
}

describe('opening', () => {
  it('at home: alerts the relatives all at once with 2 minutes, response centre next', () => {
    const r = step(null, ev('alarm.button'), at(0));
    const a = must(r);
    expect(a).toMatchObject({ state: 'open', class: 'care', priority: 40, version: 1, eventCount: 1 });
    expect(kinds(r)).toEqual(['opened', 'notified']);
    expect(sent(r)).toEqual(['alert:ola', 'alert:liv']);
    expect(a.escalation.timers).toEqual([expect.objectContaining({ kind: 'step', dueAt: at(120).toISOString() })]);
    expect(r.effects).toContainEqual({
      type: 'device-feedback',
      deviceId: 'dev-1',
      feedback: expect.objectContaining({ type: 'received', alarmId: a.id }),
    });
  });

  it('in an institution: floor staff 60 s → everyone on shift on the site 60 s → response centre', () => {
    let a = must(step(null, ev('alarm.pull-cord', defaultChain('institution')), at(0)));
    expect(a.escalation.alerts.map((x) => x.recipient.id)).toEqual(['nina']);
    let r = fire(a, 'step');
    a = must(r);
    expect(sent(r)).toEqual(['alert:nina', 'alert:tor']);
    expect(kinds(r)).toEqual(['escalated', 'notified']);
    r = fire(a, 'step');
    a = must(r);
    expect(sent(r)).toEqual(['alert:response-centre']);
    expect(a.escalation.timers.map((t) => t.kind).sort()).toEqual(['realert', 'step']);
  });

  it('fire: response centre and all staff at once, relatives informed, not asked', () => {
    const r = step(null, ev('alarm.smoke', defaultChain('fire')), at(0));
    const a = must(r);
    expect(a.priority).toBe(60);
    expect(sent(r).sort()).toEqual(['alert:nina', 'alert:response-centre', 'alert:tor', 'inform:liv', 'inform:ola']);
    expect(alertOf(a, ola)).toBe('informed');
    // An informed relative cannot accept.
    expect(step(a, cmd(actorOf(ola), 'accept'), at(1)).error).toBe('TRYGG_ERR_NOT_ALERTED');
  });

  it('missed medication: relatives 15 minutes, then the response centre', () => {
    const a = must(step(null, ev('dispenser.missed-dose', defaultChain('medication')), at(0)));
    expect(a.escalation.timers[0]?.dueAt).toBe(at(15 * 60).toISOString());
    expect(sent(fire(a, 'step'))).toEqual(['alert:response-centre']);
  });

  it('technical alarms go to technicians, as a technical-class alarm', () => {
    const r = step(null, ev('technical.battery-low', defaultChain('technical')), at(0));
    expect(must(r).class).toBe('technical');
    expect(sent(r)).toEqual(['alert:tekla']);
  });

  it('copies the chain onto the alarm: later policy edits do not reach it', () => {
    const chain = defaultChain('home');
    const a = must(step(null, ev('alarm.button', chain), at(0)));
    chain.steps.length = 0;
    expect(a.escalation.chain.steps).toHaveLength(2);
  });

  it('orders priorities fire > fall > button > sensors > missed dose > technical', () => {
    const p = (t: DeviceEventType) => must(step(null, ev(t), at(0))).priority;
    expect(p('alarm.smoke')).toBe(p('alarm.co'));
    expect(p('alarm.smoke')).toBeGreaterThan(p('alarm.fall'));
    expect(p('alarm.fall')).toBeGreaterThan(p('alarm.button'));
    expect(p('alarm.button')).toBe(p('alarm.pull-cord'));
    expect(p('alarm.button')).toBeGreaterThan(p('alarm.door'));
    expect(p('alarm.door')).toBeGreaterThan(p('dispenser.missed-dose'));
    expect(p('dispenser.missed-dose')).toBeGreaterThan(p('technical.battery-low'));
  });
});

describe('step types', () => {
  it('one-by-one: each relative in turn, each with the timeout, then onwards', () => {
    const chain: Chain = {
      source: 't',
      steps: [
        { type: 'notify', to: ['relatives'], mode: 'one-by-one', timeoutS: 30 },
        { type: 'notify', to: ['response-centre'], timeoutS: 60 },
      ],
    };
    let r = step(null, ev('alarm.button', chain), at(0));
    expect(sent(r)).toEqual(['alert:ola']);
    r = fire(must(r), 'step');
    expect(sent(r)).toEqual(['alert:liv']);
    expect(must(r).escalation).toMatchObject({ step: 0, cursor: 1 });
    // Ola may still accept while Liv is being asked.
    expect(step(must(r), cmd(actorOf(ola), 'accept'), at(31)).alarm?.state).toBe('claimed');
    r = fire(must(r), 'step');
    expect(sent(r)).toEqual(['alert:response-centre']);
  });

  it('wait: nobody new is alerted until it runs out', () => {
    const chain: Chain = {
      source: 't',
      steps: [
        { type: 'notify', to: ['relatives'], timeoutS: 10 },
        { type: 'wait', timeoutS: 50 },
        { type: 'notify', to: ['response-centre'], timeoutS: 60 },
      ],
    };
    let r = fire(must(step(null, ev('alarm.button', chain), at(0))), 'step');
    expect(kinds(r)).toEqual(['escalated', 'waiting']);
    expect(sent(r)).toEqual([]);
    expect(must(r).escalation.timers[0]?.dueAt).toBe(at(60).toISOString());
    r = fire(must(r), 'step');
    expect(sent(r)).toEqual(['alert:response-centre']);
  });

  it('repeat: goes back to step N at most K times, then carries on', () => {
    const chain: Chain = {
      source: 't',
      steps: [
        { type: 'notify', to: ['relatives'], timeoutS: 10 },
        { type: 'repeat', fromStep: 0, times: 2 },
        { type: 'notify', to: ['response-centre'], timeoutS: 60 },
      ],
    };
    let a = must(step(null, ev('alarm.button', chain), at(0)));
    const rounds: string[][] = [];
    for (let i = 0; i < 3; i++) {
      const r = fire(a, 'step');
      rounds.push(sent(r));
      a = must(r);
    }
    expect(rounds).toEqual([['alert:ola', 'alert:liv'], ['alert:ola', 'alert:liv'], ['alert:response-centre']]);
    expect(a.escalation.repeats).toEqual({ '1': 2 });
  });

  it('skips a step with nobody to alert (no relatives registered)', () => {
    const r = step(
      null,
      { ...ev('alarm.button'), open: { ...ctx(defaultChain('home')), roster: { ...roster, relatives: [] } } } as EngineInput,
      at(0),
    );
    expect(kinds(r)).toEqual(['opened', 'skipped', 'notified']);
    expect(sent(r)).toEqual(['alert:response-centre']);
  });

  it('when the chain runs out it says so, and the response centre keeps being re-alerted', () => {
    let a = must(step(null, ev('alarm.button'), at(0)));
    a = must(fire(a, 'step')); // → response centre
    const r = fire(a, 'step');
    expect(kinds(r)).toEqual(['escalated', 'exhausted']);
    expect(must(r).escalation.timers.map((t) => t.kind)).toEqual(['realert']);
  });
});

describe('people', () => {
  it('first accept wins; everyone else alerted is told who has it and their alerts withdrawn', () => {
    const a = must(step(null, ev('alarm.button'), at(0)));
    const r = step(a, cmd(actorOf(liv), 'accept'), at(20));
    const b = must(r);
    expect(b).toMatchObject({ state: 'claimed', claimedBy: actorOf(liv) });
    expect(alertOf(b, liv)).toBe('accepted');
    expect(alertOf(b, ola)).toBe('withdrawn');
    expect(sent(r)).toEqual(['taken:ola']);
    expect(notes(r)[0]?.summary.takenBy).toBe('Liv');
    expect(kinds(r)).toEqual(['claimed', 'withdrawn']);
    // Step timer gone; the follow-up is armed (30 minutes to report back).
    expect(b.escalation.timers).toEqual([expect.objectContaining({ kind: 'follow-up', dueAt: at(20 + 1800).toISOString() })]);
    expect(r.effects).toContainEqual({
      type: 'device-feedback',
      deviceId: 'dev-1',
      feedback: { type: 'accepted', alarmId: a.id, by: 'Liv' },
    });
  });

  it('two accepts in the same millisecond: the second is refused and changes nothing', () => {
    const a = must(step(null, ev('alarm.button'), at(0)));
    const first = must(step(a, cmd(actorOf(ola), 'accept'), at(5)));
    const second = step(first, cmd(actorOf(liv), 'accept'), at(5));
    expect(second.error).toBe('TRYGG_ERR_ALARM_CLAIMED');
    expect(second.alarm).toBe(first);
    expect(second.entries).toEqual([]);
    // The same person again is no error and no change.
    expect(step(first, cmd(actorOf(ola), 'accept'), at(6))).toMatchObject({ entries: [], effects: [] });
  });

  it('an accept after the timeout fired still wins, and the response centre is stood down', () => {
    let a = must(step(null, ev('alarm.button'), at(0)));
    a = must(fire(a, 'step', 0.002)); // response centre alerted
    const r = step(a, cmd(actorOf(ola), 'accept'), at(120.003));
    expect(must(r).state).toBe('claimed');
    expect(alertOf(must(r), RC)).toBe('withdrawn');
    expect(sent(r).sort()).toEqual(['taken:liv', 'taken:response-centre']);
    // The stale step and re-alert timers fire later and do nothing.
    for (const t of a.escalation.timers)
      expect(step(must(r), { kind: 'timer', token: t.token }, at(500))).toMatchObject({ alarm: null, entries: [] });
  });

  it('decline by everyone at a step escalates at once, without waiting', () => {
    const a = must(step(null, ev('alarm.button'), at(0)));
    const r1 = step(a, cmd(actorOf(ola), 'decline'), at(10));
    expect(kinds(r1)).toEqual(['declined']);
    expect(sent(r1)).toEqual([]);
    const r2 = step(must(r1), cmd(actorOf(liv), 'decline'), at(12));
    expect(kinds(r2)).toEqual(['declined', 'escalated', 'notified']);
    expect(r2.entries[1]?.data).toMatchObject({ reason: 'all-declined' });
    expect(sent(r2)).toEqual(['alert:response-centre']);
    // Someone who declined may still change their mind and go.
    expect(must(step(must(r2), cmd(actorOf(ola), 'accept'), at(13))).state).toBe('claimed');
  });

  it('refuses accept or decline from someone not alerted', () => {
    const a = must(step(null, ev('alarm.button'), at(0)));
    expect(step(a, cmd(actorOf(tor), 'accept'), at(1)).error).toBe('TRYGG_ERR_NOT_ALERTED');
    expect(step(a, cmd(actorOf(tor), 'decline'), at(1)).error).toBe('TRYGG_ERR_NOT_ALERTED');
    expect(step(a, cmd(actorOf(ola), 'claim'), at(1)).error).toBe('TRYGG_ERR_FORBIDDEN');
  });

  it('an operator may claim at any step for the response centre', () => {
    const a = must(step(null, ev('alarm.button'), at(0)));
    const r = step(a, cmd(olav, 'claim'), at(3));
    expect(must(r)).toMatchObject({ state: 'claimed', claimedBy: olav, escalation: { timers: [] } });
    expect(sent(r)).toEqual(['taken:ola', 'taken:liv']);
    expect(step(must(r), cmd(siri, 'claim'), at(3)).error).toBe('TRYGG_ERR_ALARM_CLAIMED');
  });

  it('arrived, then resolved with cause, action and note', () => {
    let a = must(step(null, ev('alarm.button'), at(0)));
    a = must(step(a, cmd(actorOf(ola), 'accept'), at(10)));
    expect(step(a, cmd(actorOf(liv), 'arrived'), at(20)).error).toBe('TRYGG_ERR_ALARM_NOT_CLAIMED_BY_YOU');
    const r = step(a, cmd(actorOf(ola), 'arrived'), at(600));
    a = must(r);
    expect(a).toMatchObject({ state: 'arrived', arrivedAt: at(600).toISOString(), escalation: { timers: [] } });
    const done = step(a, resolve(actorOf(ola), 'Hjalp henne opp'), at(900));
    expect(must(done)).toMatchObject({
      state: 'resolved',
      closedAt: at(900).toISOString(),
      resolution: { note: 'Hjalp henne opp', cause: 'fall', action: 'home-visit' },
    });
    expect(done.effects).toContainEqual({ type: 'journal' });
    expect(step(must(done), cmd(olav, 'claim'), at(901)).error).toBe('TRYGG_ERR_ALARM_CLOSED');
  });

  it('follow-up: a relative who accepted but does not report within 30 minutes brings in the response centre', () => {
    let a = must(step(null, ev('alarm.button'), at(0)));
    a = must(step(a, cmd(actorOf(ola), 'accept'), at(10)));
    const r = fire(a, 'follow-up');
    expect(kinds(r)).toEqual(['follow-up-due']);
    expect(sent(r)).toEqual(['check:response-centre']);
    // An operator can then close it after checking.
    expect(must(step(must(r), resolve(olav, 'Ringte Ola, alt vel'), at(1900))).state).toBe('resolved');
    // Reporting arrival in time cancels the follow-up.
    const arrived = must(step(a, cmd(actorOf(ola), 'arrived'), at(100)));
    expect(arrived.escalation.timers).toEqual([]);
  });

  it('dispatch ("til utrykning") only by the operator who holds the alarm', () => {
    const a = must(step(null, ev('alarm.button'), at(0)));
    const dispatch = (actor: Actor): EngineInput => ({
      kind: 'command',
      command: { id: `c-${++n}`, type: 'dispatch', to: 'Hjemmetjenesten sone Nord' },
      actor,
    });
    expect(step(a, dispatch(olav), at(5)).error).toBe('TRYGG_ERR_ALARM_NOT_CLAIMED_BY_YOU');
    const claimed = must(step(a, cmd(olav, 'claim'), at(10)));
    expect(step(claimed, dispatch(siri), at(20)).error).toBe('TRYGG_ERR_ALARM_NOT_CLAIMED_BY_YOU');
    const r = step(claimed, dispatch(olav), at(30));
    expect(kinds(r)).toEqual(['dispatched']);
    expect(r.entries[0]).toMatchObject({ actor: olav, data: { to: 'Hjemmetjenesten sone Nord' } });
    expect(must(r).state).toBe('claimed');
  });

  it('resolve only by whoever took it, or an operator', () => {
    let a = must(step(null, ev('alarm.button'), at(0)));
    expect(step(a, resolve(olav), at(1)).error).toBe('TRYGG_ERR_ALARM_NOT_CLAIMED_BY_YOU');
    a = must(step(a, cmd(actorOf(ola), 'accept'), at(2)));
    expect(step(a, resolve(actorOf(liv)), at(3)).error).toBe('TRYGG_ERR_ALARM_NOT_CLAIMED_BY_YOU');
    expect(must(step(a, resolve(actorOf(ola)), at(3))).state).toBe('resolved');
  });
});

describe('the response centre', () => {
  it('re-alerts every 60 s while unclaimed and raises the priority each time', () => {
    let a = must(step(null, ev('alarm.button'), at(0)));
    a = must(fire(a, 'step'));
    const p0 = a.priority;
    for (let i = 1; i <= 3; i++) {
      const r = fire(a, 'realert');
      expect(sent(r)).toEqual(['alert:response-centre']);
      a = must(r);
      expect(a.priority).toBe(p0 + i);
      expect(a.escalation.realerts).toBe(i);
    }
    const next = a.escalation.timers.find((t) => t.kind === 'realert');
    expect(next?.dueAt).toBe(at(120 + 4 * 60).toISOString());
  });
});

describe('device events', () => {
  it('joins repeated presses into the open alarm and raises its priority for a worse event', () => {
    const a = must(step(null, ev('alarm.button'), at(0)));
    const r = step(a, ev('alarm.fall'), at(5));
    expect(must(r)).toMatchObject({ id: a.id, eventCount: 2, priority: 50, version: 2 });
    expect(kinds(r)).toEqual(['event-joined']);
    expect(sent(r)).toEqual([]);
  });

  it('cancel closes an alarm nobody accepted (alerts withdrawn, people told)', () => {
    const a = must(step(null, ev('alarm.button'), at(0)));
    const r = step(a, ev('cancel'), at(10));
    expect(must(r)).toMatchObject({ state: 'cancelled', closedAt: at(10).toISOString(), escalation: { timers: [] } });
    expect(sent(r)).toEqual(['closed:ola', 'closed:liv']);
    expect(r.effects).toContainEqual({ type: 'journal' });
  });

  it('cancel after accept only goes into the timeline', () => {
    let a = must(step(null, ev('alarm.button'), at(0)));
    a = must(step(a, cmd(actorOf(ola), 'accept'), at(5)));
    const r = step(a, ev('cancel'), at(10));
    expect(must(r)).toMatchObject({ state: 'claimed', claimedBy: actorOf(ola) });
    expect(r.effects).not.toContainEqual({ type: 'journal' });
    expect(kinds(r)).toEqual(['cancel-ignored']);
  });

  it('ignores a cancel, a test, a heartbeat and a dispensed dose with no open alarm', () => {
    for (const t of ['cancel', 'test', 'heartbeat', 'dispenser.dispensed'] as const) {
      expect(step(null, ev(t), at(0))).toMatchObject({ alarm: null, entries: [] });
    }
  });

  it('holds a cancel that finds no alarm, and cancels the alarm it overtook when that arrives', () => {
    const cancel = step(null, ev('cancel'), at(0));
    expect(cancel.effects).toContainEqual({ type: 'hold-cancel', deviceId: 'dev-1', eventId: `e-${n}`, subDevice: null });
    const heldId = `e-${n}`;
    const held = { eventId: heldId, receivedAt: at(0).toISOString(), subDevice: null };
    const r = step(null, { ...ev('alarm.button'), held } as EngineInput, at(2.5));
    expect(must(r)).toMatchObject({
      state: 'cancelled',
      closedAt: at(2.5).toISOString(),
      escalation: { timers: [], alerts: [] },
    });
    expect(kinds(r)).toEqual(['opened', 'cancelled']);
    expect(r.entries[1]?.data).toEqual({ eventId: heldId, early: true, cancelArrivedFirstS: 2.5 });
    expect(sent(r)).toEqual([]); // nobody was alerted for an alarm already cancelled
    expect(r.effects).toContainEqual({ type: 'release-cancel', deviceId: 'dev-1', eventId: heldId });
  });

  it('does not let a held cancel touch an alarm after its window, from another sub-device, or a fire alarm', () => {
    const held = (receivedS: number, subDevice: string | null = null) => ({
      eventId: 'c-held',
      receivedAt: at(receivedS).toISOString(),
      subDevice,
    });
    const late = step(null, { ...ev('alarm.button'), held: held(0) } as EngineInput, at(31));
    expect(must(late).state).toBe('open');
    expect(late.effects).toContainEqual({ type: 'release-cancel', deviceId: 'dev-1', eventId: 'c-held' });
    const other = ev('alarm.button') as Extract<EngineInput, { kind: 'device-event' }>;
    other.event.subDevice = '02';
    expect(must(step(null, { ...other, held: held(0, '01') }, at(1))).state).toBe('open');
    const fire = step(null, { ...ev('alarm.smoke'), held: held(0) } as EngineInput, at(1));
    expect(must(fire).state).toBe('open');
    expect(kinds(fire)).toContain('cancel-ignored');
    expect(fire.effects).toContainEqual({ type: 'release-cancel', deviceId: 'dev-1', eventId: 'c-held' });
  });

  it('tells the live channel of a test event, never journals it, and opens nothing (the self-test, installation tests)', () => {
    const r = step(null, ev('test'), at(0));
    expect(r).toMatchObject({ alarm: null, entries: [] });
    expect(r.effects).toContainEqual({ type: 'test-received', deviceId: 'dev-1', eventId: `e-${n}` });
    expect(r.effects.some((e) => e.type === 'journal-event' || e.type === 'journal' || e.type === 'notify')).toBe(false);
    expect(step(null, ev('heartbeat'), at(0)).effects.some((e) => e.type === 'test-received')).toBe(false);
  });

  it('journals a dispensed dose on its own, and only that dispenser event', () => {
    const dispensed = step(null, ev('dispenser.dispensed'), at(0));
    const journaled = dispensed?.effects.filter((e) => e.type === 'journal-event');
    expect(journaled).toEqual([
      { type: 'journal-event', deviceId: 'dev-1', event: expect.objectContaining({ type: 'dispenser.dispensed' }) as unknown },
    ]);
    for (const t of ['test', 'heartbeat', 'cancel'] as const)
      expect(step(null, ev(t), at(0))?.effects.some((e) => e.type === 'journal-event')).toBe(false);
  });
});

describe('heartbeat supervision', () => {
  const sup = (state: 'offline' | 'online', chain = defaultChain('offlineProtecting')): EngineInput => ({
    kind: 'supervision',
    deviceId: 'dev-1',
    state,
    lastSeenAt: at(-700).toISOString(),
    open: ctx(chain, '00000000-0000-4000-8000-0000000000ff'),
  });

  it('an offline alarm button alerts technicians and the response centre, and clears itself', () => {
    const r = step(null, sup('offline'), at(0));
    const a = must(r);
    expect(a).toMatchObject({ type: 'technical.offline', class: 'technical', state: 'open' });
    expect(sent(r).sort()).toEqual(['alert:response-centre', 'alert:tekla']);
    expect(step(a, sup('offline'), at(5))).toMatchObject({ alarm: null, entries: [] });
    const back = step(a, sup('online'), at(60));
    expect(must(back)).toMatchObject({ state: 'resolved', escalation: { timers: [] } });
    expect(kinds(back)).toEqual(['cleared']);
    expect(sent(back).sort()).toEqual(['closed:response-centre', 'closed:tekla']);
  });
});

describe('purity', () => {
  it('never mutates the alarm it is given', () => {
    const a = must(step(null, ev('alarm.button'), at(0)));
    const frozen = structuredClone(a);
    step(a, cmd(actorOf(ola), 'accept'), at(1));
    step(a, cmd(actorOf(ola), 'decline'), at(1));
    step(a, ev('alarm.fall'), at(1));
    step(a, ev('cancel'), at(1));
    fire(a, 'step');
    expect(a).toEqual(frozen);
  });

  it('gives every timer and notification an id of its own', () => {
    let a = must(step(null, ev('alarm.button'), at(0)));
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const r = fire(a, a.escalation.timers.some((t) => t.kind === 'step') ? 'step' : 'realert');
      for (const x of notes(r)) ids.add(x.id);
      for (const t of must(r).escalation.timers) ids.add(t.token);
      a = must(r);
    }
    expect(ids.size).toBeGreaterThan(6);
    expect([...ids].every((id) => id.startsWith(a.id))).toBe(true);
  });
});

describe('rules fixed while testing the chain (issue 19)', () => {
  const oneByOne: Chain = {
    source: 't',
    steps: [
      { type: 'notify', to: ['relatives'], mode: 'one-by-one', timeoutS: 30 },
      { type: 'notify', to: ['response-centre'], timeoutS: 60 },
    ],
    realertS: 60,
  };

  it('one-by-one: a decline by the current person after the one before timed out moves on at once', () => {
    let a = must(step(null, ev('alarm.button', oneByOne), at(0)));
    a = must(fire(a, 'step')); // Ola did not answer: Liv is asked
    expect(a.escalation).toMatchObject({ step: 0, cursor: 1 });
    const r = step(a, cmd(actorOf(liv), 'decline'), at(40));
    expect(kinds(r)).toEqual(['declined', 'escalated', 'notified']);
    expect(r.entries[1]?.data).toMatchObject({ reason: 'all-declined' });
    expect(sent(r)).toEqual(['alert:response-centre']);
  });

  it('alerts nobody answered before their time ran out become expired; a late accept still wins', () => {
    let a = must(step(null, ev('alarm.button', oneByOne), at(0)));
    let r = fire(a, 'step');
    a = must(r);
    expect(alertOf(a, ola)).toBe('expired');
    expect(alertOf(a, liv)).toBe('pending');
    expect(r.entries[0]).toMatchObject({ kind: 'escalated', data: { reason: 'timeout', expired: ['Ola'] } });
    r = fire(a, 'step'); // Liv did not answer either: the response centre
    a = must(r);
    expect(alertOf(a, liv)).toBe('expired');
    expect(alertOf(a, RC)).toBe('pending');
    // The chain runs out: the response centre is never "expired" while the alarm is open (it is re-alerted).
    r = fire(a, 'step');
    a = must(r);
    expect(kinds(r)).toEqual(['escalated', 'exhausted']);
    expect(alertOf(a, RC)).toBe('pending');
    // Ola changes their mind after all: accepted, and everyone else (the expired too) hears who has it.
    r = step(a, cmd(actorOf(ola), 'accept'), at(200));
    expect(must(r).state).toBe('claimed');
    expect(alertOf(must(r), ola)).toBe('accepted');
    expect(alertOf(must(r), liv)).toBe('expired');
    expect(sent(r).sort()).toEqual(['taken:liv', 'taken:response-centre']);
  });

  it('someone whose alert expired may still decline, which changes nothing for the running step', () => {
    let a = must(step(null, ev('alarm.button', oneByOne), at(0)));
    a = must(fire(a, 'step'));
    const r = step(a, cmd(actorOf(ola), 'decline'), at(35));
    expect(kinds(r)).toEqual(['declined']);
    expect(alertOf(must(r), ola)).toBe('declined');
    expect(alertOf(must(r), liv)).toBe('pending');
  });

  it('re-alert priority raises stop below fire: a care alarm never outranks a fire by re-alerts', () => {
    let a = must(step(null, ev('alarm.button'), at(0)));
    a = must(fire(a, 'step'));
    for (let i = 0; i < 40; i++) a = must(fire(a, 'realert'));
    expect(a.escalation.realerts).toBe(40);
    expect(a.priority).toBe(PRIORITY.fire - 1);
    expect(a.priority).toBeLessThan(must(step(null, ev('alarm.smoke', defaultChain('fire')), at(0))).priority);
    // A fire alarm is not raised past where it started by re-alerts either (it is already first).
    let f = must(step(null, ev('alarm.smoke', defaultChain('fire')), at(0)));
    for (let i = 0; i < 3; i++) f = must(fire(f, 'realert'));
    expect(f.priority).toBe(PRIORITY.fire);
  });

  it('a technician acts only on technical alarms', () => {
    const techActor: Actor = { userId: tekla.userId ?? '', name: tekla.name, role: 'technician' };
    const care = must(
      step(null, ev('alarm.button', { source: 't', steps: [{ type: 'notify', to: ['technicians'], timeoutS: 60 }] }), at(0)),
    );
    expect(step(care, cmd(techActor, 'accept'), at(1)).error).toBe('TRYGG_ERR_FORBIDDEN');
    const tech = must(step(null, ev('technical.battery-low', defaultChain('technical')), at(0)));
    const taken = must(step(tech, cmd(techActor, 'accept'), at(1)));
    expect(taken).toMatchObject({ state: 'claimed', claimedBy: techActor });
    const done = step(taken, resolve(techActor, 'battery swapped'), at(600));
    expect(must(done).state).toBe('resolved');
  });

  it('a refill-needed dispenser opens a technical alarm: technicians asked, relatives informed', () => {
    const r = step(
      null,
      ev('dispenser.refill-needed', defaultChain(defaultChainName('dispenser.refill-needed', 'home', 'medication-dispenser'))),
      at(0),
    );
    const a = must(r);
    expect(a).toMatchObject({ class: 'technical', priority: PRIORITY.technical });
    expect(sent(r).sort()).toEqual(['alert:tekla', 'inform:liv', 'inform:ola']);
  });
});

describe('the patient journal (issue 19)', () => {
  const journals = (r: StepResult) => r.effects.some((e) => e.type === 'journal');
  const techActor: Actor = { userId: tekla.userId ?? '', name: tekla.name, role: 'technician' };

  it('a care alarm is always journaled when it closes', () => {
    const a = must(step(null, ev('alarm.button'), at(0)));
    const claimed = must(step(a, cmd(olav, 'claim'), at(5)));
    expect(journals(step(claimed, resolve(olav), at(60)))).toBe(true);
    expect(journals(step(a, ev('cancel'), at(3)))).toBe(true);
  });

  it('a technical alarm is not journaled, unless its policy says so', () => {
    const a = must(step(null, ev('technical.battery-low', defaultChain('technical')), at(0)));
    const claimed = must(step(a, cmd(techActor, 'accept'), at(5)));
    expect(journals(step(claimed, resolve(techActor), at(60)))).toBe(false);
    const journaled = must(
      step(null, ev('technical.battery-low', { ...defaultChain('technical'), journalTechnical: true }), at(0)),
    );
    const claimed2 = must(step(journaled, cmd(techActor, 'accept'), at(5)));
    expect(journals(step(claimed2, resolve(techActor), at(60)))).toBe(true);
  });

  it('an offline alarm that clears itself is not journaled by default', () => {
    const open: EngineInput = {
      kind: 'supervision',
      deviceId: 'dev-1',
      state: 'offline',
      lastSeenAt: at(-700).toISOString(),
      open: ctx(defaultChain('offlineProtecting'), '00000000-0000-4000-8000-0000000000fe'),
    };
    const a = must(step(null, open, at(0)));
    const back = step(a, { ...open, state: 'online' }, at(60));
    expect(must(back).state).toBe('resolved');
    expect(journals(back)).toBe(false);
  });
});

describe('offline devices that protect a person (issue 19)', () => {
  it('alerts the response centre together with technicians for the protecting kinds, technicians only for others', () => {
    for (const kind of ['social-alarm-unit', 'alarm-button', 'pull-cord', 'fall-sensor', 'smoke-detector'])
      expect(defaultChainName('technical.offline', 'home', kind), kind).toBe('offlineProtecting');
    for (const kind of ['bed-sensor', 'door-sensor', 'medication-dispenser', null])
      expect(defaultChainName('technical.offline', 'home', kind), String(kind)).toBe('technical');
    // The kinds are a setting: a municipality may count its door sensors in, or a kind out.
    expect(defaultChainName('technical.offline', 'home', 'door-sensor', ['door-sensor'])).toBe('offlineProtecting');
    expect(defaultChainName('technical.offline', 'home', 'alarm-button', ['door-sensor'])).toBe('technical');
    // Other technical alarms of a protecting device stay with the technicians.
    expect(defaultChainName('technical.battery-low', 'home', 'social-alarm-unit')).toBe('technical');
  });
});
