/**
 * The alarm state machine: a pure function from (alarm, input, now) to the next alarm, the
 * timeline entries that record the change, and the effects to carry out after commit.
 * No I/O, no clock, no randomness: everything it needs comes in through its arguments
 * (a new alarm's id, subject, chain and roster are looked up by the engine beforehand).
 */
import type { Actor, Alarm, AlarmSubject } from '../contracts/alarm.js';
import type { AlarmCommand } from '../contracts/commands.js';
import type { DeviceEvent } from '../contracts/device-event.js';
import type { Chain, Roster } from '../contracts/escalation.js';
import { alarmClassOf, EVENT_TYPES, PRIORITY, type DeviceEventType } from '../contracts/vocabulary.js';
import { onCommand } from './commands.js';
import { Draft, type HeldCancel, type StepResult } from './draft.js';
import { advance, close, enterStep, isOpen, realert, undeliverable } from './escalate.js';

export { isOpen } from './escalate.js';
export type { Effect, EntryDraft, HeldCancel, Notification, NotificationKind, StepResult } from './draft.js';

/** What a new alarm needs from the registry, looked up before the reducer runs. */
export interface OpenContext {
  newAlarmId: string;
  subject: AlarmSubject;
  chain: Chain;
  roster: Roster;
}

/**
 * How long a cancel that found no alarm waits for one (seconds). A unit's alarm can be overtaken
 * by its own cancel: UDP datagrams reorder, and a lost alarm datagram is retransmitted by SIP for
 * up to 32 s while the cancel sent a few seconds later gets through at once. Short on purpose:
 * a held cancel is used once, by the next care alarm of the same device (and sub-device).
 */
export const EARLY_CANCEL_WINDOW_S = 30;

export type EngineInput =
  | { kind: 'device-event'; deviceId: string; event: DeviceEvent; open: OpenContext | null; held?: HeldCancel | null }
  | { kind: 'command'; command: AlarmCommand; actor: Actor }
  | { kind: 'timer'; token: string }
  | { kind: 'supervision'; deviceId: string; state: 'offline' | 'online'; lastSeenAt: string | null; open: OpenContext | null }
  /** The deliverer tried every channel of an alert notification and none reached the person. */
  | { kind: 'undeliverable'; notificationId: string; recipientId: string; step: number };

/** Applies one input to one alarm (or to none yet). */
export function step(alarm: Alarm | null, input: EngineInput, now: Date): StepResult {
  switch (input.kind) {
    case 'device-event':
      return onDeviceEvent(alarm, input, now);
    case 'command':
      return onCommand(alarm, input.command, input.actor, now);
    case 'timer':
      return onTimer(alarm, input.token, now);
    case 'supervision':
      return onSupervision(alarm, input, now);
    case 'undeliverable':
      return onUndeliverable(alarm, input, now);
  }
}

/** A fresh alarm: the chain's first step is entered at once (unless it is closed at once, `enter` false). */
function openAlarm(
  type: DeviceEventType,
  open: OpenContext | null,
  now: Date,
  data: Record<string, unknown>,
  enter = true,
): Draft {
  // The engine looks the context up whenever an input may open an alarm; missing is a bug.
  if (!open) throw new Error(`no context to open a ${type} alarm`);
  const at = now.toISOString();
  const info = EVENT_TYPES[type];
  const blank: Alarm = {
    id: open.newAlarmId,
    type,
    class: alarmClassOf(type),
    state: 'open',
    priority: info.priority,
    subject: open.subject,
    openedAt: at,
    updatedAt: at,
    closedAt: null,
    claimedBy: null,
    arrivedAt: null,
    eventCount: 1,
    escalation: {
      chain: open.chain,
      roster: open.roster,
      step: 0,
      cursor: 0,
      repeats: {},
      alerts: [],
      timers: [],
      realerts: 0,
      seq: 0,
    },
    resolution: null,
    version: 0,
  };
  const d = new Draft(blank, now);
  d.entry('opened', { ...data, chain: open.chain.source });
  if (enter) enterStep(d);
  return d;
}

function onDeviceEvent(alarm: Alarm | null, input: Extract<EngineInput, { kind: 'device-event' }>, now: Date): StepResult {
  const { event, deviceId } = input;
  const info = EVENT_TYPES[event.type];
  const received = (alarmId: string | null) => ({ type: 'received' as const, eventId: event.id, alarmId });

  switch (info.kind) {
    case 'alarm':
    case 'technical': {
      if (isOpen(alarm)) {
        // Repeated presses while an alarm is open join it; a more urgent event raises it.
        const d = new Draft(alarm, now);
        d.alarm.eventCount += 1;
        d.alarm.priority = Math.max(d.alarm.priority, info.priority);
        d.entry('event-joined', { eventId: event.id, type: event.type });
        d.feedback(received(alarm.id));
        return d.result();
      }
      const held = input.held ?? null;
      // A cancel from this device that got here first (see EARLY_CANCEL_WINDOW_S) cancels it;
      // never a fire alarm, which a person on the scene must see to (the cancel is on record).
      const usable = info.kind === 'alarm' && held !== null && cancels(held, event, now);
      const early = usable && info.priority < PRIORITY.fire;
      const d = openAlarm(
        event.type,
        input.open,
        now,
        {
          eventId: event.id,
          type: event.type,
          deviceTs: event.ts,
          location: event.location ?? null,
        },
        !early,
      );
      if (held && early) {
        close(d, 'cancelled');
        d.entry('cancelled', {
          eventId: held.eventId,
          early: true,
          cancelArrivedFirstS: Math.round((now.getTime() - Date.parse(held.receivedAt)) / 100) / 10,
        });
      }
      if (held && usable && !early) d.entry('cancel-ignored', { eventId: held.eventId, early: true });
      if (held && (usable || tooOld(held, now))) d.effects.push({ type: 'release-cancel', deviceId, eventId: held.eventId });
      d.feedback(received(d.alarm.id));
      return d.result();
    }
    case 'cancel': {
      if (!isOpen(alarm)) {
        // Nothing to cancel yet: the alarm may still be on its way. Held for a short while.
        return {
          alarm: null,
          entries: [],
          effects: [
            { type: 'device-feedback', deviceId, feedback: received(null) },
            { type: 'hold-cancel', deviceId, eventId: event.id, subDevice: event.subDevice ?? null },
          ],
        };
      }
      const d = new Draft(alarm, now);
      if (alarm.state !== 'open') {
        // Someone is already on the way: the cancel is noted, the alarm stays theirs.
        d.entry('cancel-ignored', { eventId: event.id });
      } else {
        close(d, 'cancelled');
        d.entry('cancelled', { eventId: event.id });
      }
      d.feedback(received(alarm.id));
      return d.result();
    }
    case 'test':
      return {
        alarm: null,
        entries: [],
        effects: [
          { type: 'device-feedback', deviceId, feedback: received(null) },
          { type: 'test-received', deviceId, eventId: event.id },
        ],
      };
    case 'heartbeat':
      return { alarm: null, entries: [], effects: [{ type: 'device-feedback', deviceId, feedback: received(null) }] };
    case 'dispenser':
      // A dose handed out raises nothing, but it belongs in the patient journal.
      return {
        alarm: null,
        entries: [],
        effects: [
          { type: 'device-feedback', deviceId, feedback: received(null) },
          ...(event.type === 'dispenser.dispensed'
            ? [{ type: 'journal-event' as const, deviceId, event: { id: event.id, type: event.type, ts: event.ts } }]
            : []),
        ],
      };
  }
}

const tooOld = (held: HeldCancel, now: Date): boolean =>
  now.getTime() - Date.parse(held.receivedAt) > EARLY_CANCEL_WINDOW_S * 1000;

/** A held cancel belongs to this alarm: recent, and from the same sub-device when both name one. */
function cancels(held: HeldCancel, event: DeviceEvent, now: Date): boolean {
  if (tooOld(held, now)) return false;
  return held.subDevice === null || event.subDevice === undefined || held.subDevice === event.subDevice;
}

function onTimer(alarm: Alarm | null, token: string, now: Date): StepResult {
  const timer = alarm?.escalation.timers.find((t) => t.token === token);
  // A timer the alarm no longer waits for is stale (someone accepted, a step moved on): ignore.
  if (!alarm || !timer || !isOpen(alarm)) return { alarm: null, entries: [], effects: [] };
  const d = new Draft(alarm, now);
  d.esc.timers = d.esc.timers.filter((t) => t.token !== token);
  switch (timer.kind) {
    case 'step':
      if (d.alarm.state === 'open') advance(d, 'timeout');
      break;
    case 'realert':
      if (d.alarm.state === 'open') realert(d);
      break;
    case 'follow-up':
      if (d.alarm.state === 'claimed') {
        // The one who went has not reported arrival: the response centre checks it went well.
        d.entry('follow-up-due', { claimedBy: d.alarm.claimedBy?.name ?? null });
        for (const r of d.esc.roster['response-centre']) d.notify(r, 'check', d.esc.step);
      }
      break;
  }
  const r = d.result();
  // The timer is consumed even when it changed nothing, so the alarm is saved without it.
  return r.entries.length === 0 ? { ...r, alarm: d.alarm } : r;
}

function onSupervision(alarm: Alarm | null, input: Extract<EngineInput, { kind: 'supervision' }>, now: Date): StepResult {
  if (input.state === 'offline') {
    if (isOpen(alarm)) return { alarm: null, entries: [], effects: [] };
    return openAlarm('technical.offline', input.open, now, { lastSeenAt: input.lastSeenAt }).result();
  }
  if (!isOpen(alarm) || alarm.type !== 'technical.offline') return { alarm: null, entries: [], effects: [] };
  const d = new Draft(alarm, now);
  close(d, 'resolved');
  d.alarm.resolution = { note: 'The device is back online.', cause: 'technical', action: 'no-action' };
  d.entry('cleared', { lastSeenAt: input.lastSeenAt });
  return d.result();
}

function onUndeliverable(alarm: Alarm | null, input: Extract<EngineInput, { kind: 'undeliverable' }>, now: Date): StepResult {
  if (!isOpen(alarm)) return { alarm: null, entries: [], effects: [] };
  const d = new Draft(alarm, now);
  undeliverable(d, input.recipientId, input.step);
  for (const e of d.entries) if (e.kind === 'unreachable') e.data.notificationId = input.notificationId;
  return d.result();
}
