/**
 * The alarm state machine: a pure function from (alarm, input, now) to the next alarm, the
 * timeline entries that record the change, and the effects to carry out after commit.
 * No I/O, no clock, no randomness: everything it needs comes in through its arguments.
 */
import type { Actor, Alarm, AlarmSubject, TimelineKind } from '../contracts/alarm.js';
import type { AlarmCommand } from '../contracts/commands.js';
import type { DeviceEvent } from '../contracts/device-event.js';
import type { DeviceFeedback } from '../contracts/topics.js';
import { EVENT_TYPES } from '../contracts/vocabulary.js';
import type { ErrorCode } from '../errors.js';

/** The chain every alarm gets until escalation policies land: the response centre. */
export const DEFAULT_CHAIN = ['response-centre'] as const;

export type EngineInput =
  | { kind: 'device-event'; deviceId: string; event: DeviceEvent; subject: AlarmSubject; newAlarmId: string }
  | { kind: 'command'; command: AlarmCommand; actor: Actor };

export type Effect =
  | { type: 'notify'; alarmId: string; target: string; reason: 'opened' }
  | { type: 'device-feedback'; deviceId: string; feedback: DeviceFeedback };

export interface EntryDraft {
  kind: TimelineKind;
  actor: Actor | null;
  data: Record<string, unknown>;
}

export interface StepResult {
  /** The alarm after the input; null when the input touches no alarm. */
  alarm: Alarm | null;
  entries: EntryDraft[];
  effects: Effect[];
  /** Set when a command is refused; the alarm is then returned unchanged. */
  error?: ErrorCode;
}

const isOpen = (a: Alarm | null): a is Alarm => a !== null && (a.state === 'open' || a.state === 'claimed');

/** Applies one input to one alarm (or to none yet). */
export function step(alarm: Alarm | null, input: EngineInput, now: Date): StepResult {
  switch (input.kind) {
    case 'device-event':
      return onDeviceEvent(alarm, input, now);
    case 'command':
      return onCommand(alarm, input.command, input.actor, now);
  }
}

function onDeviceEvent(alarm: Alarm | null, input: Extract<EngineInput, { kind: 'device-event' }>, now: Date): StepResult {
  const { event, deviceId } = input;
  const info = EVENT_TYPES[event.type];
  const at = now.toISOString();
  const received = (alarmId: string | null): Effect => ({
    type: 'device-feedback',
    deviceId,
    feedback: { type: 'received', eventId: event.id, alarmId },
  });

  switch (info.kind) {
    case 'alarm':
    case 'technical': {
      if (isOpen(alarm)) {
        // Repeated presses while an alarm is open join it; a more urgent event raises it.
        const next: Alarm = {
          ...alarm,
          eventCount: alarm.eventCount + 1,
          priority: Math.max(alarm.priority, info.priority),
          updatedAt: at,
          version: alarm.version + 1,
        };
        return {
          alarm: next,
          entries: [{ kind: 'event-joined', actor: null, data: { eventId: event.id, type: event.type } }],
          effects: [received(alarm.id)],
        };
      }
      const opened: Alarm = {
        id: input.newAlarmId,
        type: event.type,
        state: 'open',
        priority: info.priority,
        subject: input.subject,
        openedAt: at,
        updatedAt: at,
        closedAt: null,
        claimedBy: null,
        eventCount: 1,
        chain: [...DEFAULT_CHAIN],
        resolution: null,
        version: 1,
      };
      const target = DEFAULT_CHAIN[0];
      return {
        alarm: opened,
        entries: [
          {
            kind: 'opened',
            actor: null,
            data: { eventId: event.id, type: event.type, deviceTs: event.ts, location: event.location ?? null },
          },
          { kind: 'notified', actor: null, data: { target } },
        ],
        effects: [{ type: 'notify', alarmId: opened.id, target, reason: 'opened' }, received(opened.id)],
      };
    }
    case 'cancel': {
      if (!isOpen(alarm)) return { alarm: null, entries: [], effects: [received(null)] };
      if (alarm.state === 'claimed') {
        // Someone is already on the way: the cancel is noted, the alarm stays theirs.
        return {
          alarm: { ...alarm, updatedAt: at, version: alarm.version + 1 },
          entries: [{ kind: 'cancel-ignored', actor: null, data: { eventId: event.id } }],
          effects: [received(alarm.id)],
        };
      }
      return {
        alarm: { ...alarm, state: 'cancelled', closedAt: at, updatedAt: at, version: alarm.version + 1 },
        entries: [{ kind: 'cancelled', actor: null, data: { eventId: event.id } }],
        effects: [received(alarm.id)],
      };
    }
    case 'test':
    case 'heartbeat':
    case 'dispenser':
      return { alarm: null, entries: [], effects: [received(null)] };
  }
}

function onCommand(alarm: Alarm | null, command: AlarmCommand, actor: Actor, now: Date): StepResult {
  if (alarm === null) return { alarm, entries: [], effects: [], error: 'TRYGG_ERR_ALARM_NOT_FOUND' };
  if (!isOpen(alarm)) return { alarm, entries: [], effects: [], error: 'TRYGG_ERR_ALARM_CLOSED' };
  const at = now.toISOString();
  const mine = alarm.claimedBy?.userId === actor.userId;

  switch (command.type) {
    case 'claim': {
      if (alarm.state === 'claimed') {
        // A second claim by the same person changes nothing; by anyone else it is refused.
        return mine ? { alarm, entries: [], effects: [] } : { alarm, entries: [], effects: [], error: 'TRYGG_ERR_ALARM_CLAIMED' };
      }
      return {
        alarm: { ...alarm, state: 'claimed', claimedBy: actor, updatedAt: at, version: alarm.version + 1 },
        entries: [{ kind: 'claimed', actor, data: {} }],
        effects: [
          {
            type: 'device-feedback',
            deviceId: alarm.subject.deviceId,
            feedback: { type: 'accepted', alarmId: alarm.id, by: actor.name },
          },
        ],
      };
    }
    case 'resolve': {
      if (!mine) return { alarm, entries: [], effects: [], error: 'TRYGG_ERR_ALARM_NOT_CLAIMED_BY_YOU' };
      return {
        alarm: {
          ...alarm,
          state: 'resolved',
          closedAt: at,
          updatedAt: at,
          resolution: { note: command.note },
          version: alarm.version + 1,
        },
        entries: [{ kind: 'resolved', actor, data: { note: command.note } }],
        effects: [
          { type: 'device-feedback', deviceId: alarm.subject.deviceId, feedback: { type: 'resolved', alarmId: alarm.id } },
        ],
      };
    }
  }
}
