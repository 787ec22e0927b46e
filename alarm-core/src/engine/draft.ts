/**
 * A working copy of one alarm while the reducer applies one input: it collects timeline entries
 * and effects and hands out ids for timers and notifications. The caller's alarm is never
 * touched (the draft works on a clone), which keeps `step` pure.
 */
import type { Actor, Alarm, TimelineKind } from '../contracts/alarm.js';
import { DEFAULT_RECEIPT_TIMEOUT_S, type PendingTimer, type Recipient } from '../contracts/escalation.js';
import type { DeviceFeedback } from '../contracts/topics.js';
import type { ErrorCode } from '../errors.js';

export type NotificationKind = 'alert' | 'inform' | 'taken' | 'closed' | 'check';

/** One message to one person (or the response centre): written to the outbox with the change. */
export interface Notification {
  /** Stable: a redelivery carries the same id, and the receiver shows it once. */
  id: string;
  alarmId: string;
  recipient: Recipient;
  kind: NotificationKind;
  step: number;
  /**
   * Seconds each of the person's channels waits for a delivery receipt before the next is tried
   * (the step's `receiptTimeoutS`); missing on notifications written before channels existed.
   */
  receiptTimeoutS?: number;
  summary: {
    type: Alarm['type'];
    priority: number;
    residentName: string | null;
    address: string | null;
    room: string | null;
    takenBy: string | null;
  };
}

export type Effect =
  | { type: 'notify'; notification: Notification }
  | { type: 'device-feedback'; deviceId: string; feedback: DeviceFeedback }
  /** The alarm closed: its record goes to the journal outbox in the same transaction. */
  | { type: 'journal' }
  /** A device event journaled on its own (a dispensed dose): outbox entry in the same transaction. */
  | { type: 'journal-event'; deviceId: string; event: { id: string; type: 'dispenser.dispensed'; ts: string } }
  /** A cancel with nothing to cancel yet, held for its alarm (it may have been overtaken on the way). */
  | { type: 'hold-cancel'; deviceId: string; eventId: string; subDevice: string | null }
  /** A held cancel used up (it cancelled the alarm that arrived after it) or too old to use. */
  | { type: 'release-cancel'; deviceId: string; eventId: string }
  /** A device's test event was applied: the live channel tells the response centre (self-test, installation test). */
  | { type: 'test-received'; deviceId: string; eventId: string };

/** A cancel that arrived before any alarm it could cancel (see `EARLY_CANCEL_WINDOW_S`). */
export interface HeldCancel {
  eventId: string;
  receivedAt: string;
  subDevice: string | null;
}

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

export class Draft {
  readonly alarm: Alarm;
  readonly entries: EntryDraft[] = [];
  readonly effects: Effect[] = [];
  readonly at: string;

  constructor(
    alarm: Alarm,
    readonly now: Date,
  ) {
    this.alarm = structuredClone(alarm);
    this.at = now.toISOString();
  }

  get esc() {
    return this.alarm.escalation;
  }

  entry(kind: TimelineKind, data: Record<string, unknown> = {}, actor: Actor | null = null): void {
    this.entries.push({ kind, actor, data });
  }

  private nextId(prefix: string): string {
    this.esc.seq += 1;
    return `${this.alarm.id}:${prefix}${this.esc.seq}`;
  }

  notify(recipient: Recipient, kind: NotificationKind, step: number): void {
    const { subject } = this.alarm;
    this.effects.push({
      type: 'notify',
      notification: {
        id: this.nextId('n'),
        alarmId: this.alarm.id,
        recipient,
        kind,
        step,
        receiptTimeoutS: this.receiptTimeoutS(step),
        summary: {
          type: this.alarm.type,
          priority: this.alarm.priority,
          residentName: subject.residentName,
          address: subject.address,
          room: subject.room,
          takenBy: this.alarm.claimedBy?.name ?? null,
        },
      },
    });
  }

  private receiptTimeoutS(step: number): number {
    const s = this.esc.chain.steps[step];
    return (s?.type === 'notify' ? s.receiptTimeoutS : undefined) ?? DEFAULT_RECEIPT_TIMEOUT_S;
  }

  feedback(feedback: DeviceFeedback): void {
    this.effects.push({ type: 'device-feedback', deviceId: this.alarm.subject.deviceId, feedback });
  }

  schedule(kind: PendingTimer['kind'], seconds: number): PendingTimer {
    const timer: PendingTimer = {
      token: this.nextId('t'),
      kind,
      dueAt: new Date(this.now.getTime() + seconds * 1000).toISOString(),
    };
    this.esc.timers.push(timer);
    return timer;
  }

  clearTimers(kind?: PendingTimer['kind']): void {
    this.esc.timers = kind ? this.esc.timers.filter((t) => t.kind !== kind) : [];
  }

  /** The result; an input that recorded nothing changes nothing (not even the version). */
  result(): StepResult {
    if (this.entries.length === 0) return { alarm: this.alarm, entries: [], effects: this.effects };
    this.alarm.updatedAt = this.at;
    this.alarm.version += 1;
    return { alarm: this.alarm, entries: this.entries, effects: this.effects };
  }
}

/** A refusal: the alarm as it was, nothing recorded. */
export function refuse(alarm: Alarm | null, error: ErrorCode): StepResult {
  return { alarm, entries: [], effects: [], error };
}
