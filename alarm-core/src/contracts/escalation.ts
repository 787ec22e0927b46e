/**
 * Escalation chains as data, and the escalation state an alarm carries. A chain is an ordered
 * list of typed steps; it is copied onto the alarm when the alarm opens (with the roster of
 * people it names), so later edits of a policy never change an alarm in flight.
 */
import Type, { type Static } from 'typebox';
import { ChannelKindSchema, UNREACHABLE_REASONS, type ChannelKind } from './reach.js';

export const AUDIENCES = ['relatives', 'floor-staff', 'site-staff', 'response-centre', 'technicians'] as const;
export type Audience = (typeof AUDIENCES)[number];
export const AudienceSchema = Type.Enum(AUDIENCES);

const Seconds = Type.Integer({ minimum: 1, maximum: 24 * 3600 });

/** Alert people and wait up to `timeoutS` for one of them to accept. */
export const NotifyStep = Type.Object(
  {
    type: Type.Literal('notify'),
    /** Asked to accept ("I'm going"). */
    to: Type.Array(AudienceSchema, { minItems: 1 }),
    /** Told, not asked (e.g. relatives at a fire). */
    inform: Type.Optional(Type.Array(AudienceSchema)),
    /** `one-by-one`: each person in `to` in turn, `timeoutS` each; `all`: everyone at once. */
    mode: Type.Optional(Type.Enum(['all', 'one-by-one'])),
    timeoutS: Seconds,
    /**
     * Seconds each channel waits for a delivery receipt before the person's next channel is
     * tried (default `DEFAULT_RECEIPT_TIMEOUT_S`).
     */
    receiptTimeoutS: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
  },
  { additionalProperties: false },
);
/** Do nothing for `timeoutS` (people alerted earlier may still accept). */
export const WaitStep = Type.Object({ type: Type.Literal('wait'), timeoutS: Seconds }, { additionalProperties: false });
/** Go back to step `fromStep` (0-based), at most `times` times, then carry on. */
export const RepeatStep = Type.Object(
  { type: Type.Literal('repeat'), fromStep: Type.Integer({ minimum: 0 }), times: Type.Integer({ minimum: 1, maximum: 20 }) },
  { additionalProperties: false },
);
export const ChainStep = Type.Union([NotifyStep, WaitStep, RepeatStep]);
export type ChainStep = Static<typeof ChainStep>;
export type NotifyStep = Static<typeof NotifyStep>;

export const Chain = Type.Object(
  {
    /** Where the chain came from, for the timeline ("default:home", "policy:42"). */
    source: Type.String(),
    steps: Type.Array(ChainStep, { minItems: 1, maxItems: 20 }),
    /** Minutes a relative or staff member who accepted has to report arrival / resolution. */
    followUpS: Type.Optional(Seconds),
    /** Seconds between re-alerts while the response centre has not claimed. */
    realertS: Type.Optional(Seconds),
    /**
     * Write a technical alarm's record into the patient journal when it closes (default: not;
     * care alarms always are). See alarm-core/src/journal/policy.ts.
     */
    journalTechnical: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type Chain = Static<typeof Chain>;

/** Seconds a channel waits for its delivery receipt when the step names none. */
export const DEFAULT_RECEIPT_TIMEOUT_S = 30;

export const UnreachableReasonSchema = Type.Enum(UNREACHABLE_REASONS);

/** Someone who can be alerted. `response-centre` is the operators as one group. */
export const Recipient = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.Enum(['relative', 'staff', 'technician', 'response-centre']),
  /** The user account that acts for this recipient (accept, decline). */
  userId: Type.Union([Type.String(), Type.Null()]),
  /**
   * The channels this person could be reached on when the alarm opened, in the order they are
   * tried. Missing on alarms stored before channels existed: read as `['push']` (`reachOf`).
   */
  reach: Type.Optional(Type.Array(ChannelKindSchema)),
  /** Why `reach` is empty. */
  unreachable: Type.Optional(UnreachableReasonSchema),
});
export type Recipient = Static<typeof Recipient>;

/**
 * The channels to try for a person, in order. Alarms stored before channels existed carry none:
 * the response centre is then its console, anyone else push (what they had then).
 */
export const reachOf = (r: Recipient): readonly ChannelKind[] =>
  r.reach ?? (r.kind === 'response-centre' ? ['console'] : ['push']);

/** The people each audience means for this alarm, resolved when the alarm opened. */
export const Roster = Type.Object({
  relatives: Type.Array(Recipient),
  'floor-staff': Type.Array(Recipient),
  'site-staff': Type.Array(Recipient),
  'response-centre': Type.Array(Recipient),
  technicians: Type.Array(Recipient),
});
export type Roster = Static<typeof Roster>;

/** `unreachable`: never notified (no channel that works), or every channel failed; see `reason`. */
export const ALERT_STATES = ['pending', 'accepted', 'declined', 'withdrawn', 'informed', 'expired', 'unreachable'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** One person alerted in this alarm, and what became of it. */
export const Alert = Type.Object({
  recipient: Recipient,
  step: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  state: Type.Enum(ALERT_STATES),
  changedAt: Type.String({ format: 'date-time' }),
  /** Why the person could not be reached (state `unreachable`). */
  reason: Type.Optional(UnreachableReasonSchema),
});
export type Alert = Static<typeof Alert>;

/** A timer the alarm waits for; a fired timer whose token is not here is stale and ignored. */
export const PendingTimer = Type.Object({
  token: Type.String(),
  kind: Type.Enum(['step', 'realert', 'follow-up']),
  dueAt: Type.String({ format: 'date-time' }),
});
export type PendingTimer = Static<typeof PendingTimer>;

export const Escalation = Type.Object({
  chain: Chain,
  roster: Roster,
  /** Index of the running step; steps.length when the chain has run out. */
  step: Type.Integer({ minimum: 0 }),
  /** Position within a one-by-one step. */
  cursor: Type.Integer({ minimum: 0 }),
  /** How often each repeat step has sent us back, by step index. */
  repeats: Type.Record(Type.String(), Type.Integer()),
  alerts: Type.Array(Alert),
  timers: Type.Array(PendingTimer),
  /** Re-alerts of the response centre so far (each raises the priority). */
  realerts: Type.Integer({ minimum: 0 }),
  /** Grows with every timer and notification: makes their ids unique across the alarm's life. */
  seq: Type.Integer({ minimum: 0 }),
});
export type Escalation = Static<typeof Escalation>;
