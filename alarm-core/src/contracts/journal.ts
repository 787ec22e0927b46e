/**
 * The journal on the wire: an entry's delivery state, the backlog administrators watch (and the
 * live alert that carries it), and the list of entries.
 */
import Type, { type Static } from 'typebox';
import { DeviceEventTypeSchema } from './device-event.js';

const Nullable = <T extends Type.TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** `none`: the alarm is not closed yet, so nothing is queued. */
export const JournalState = Type.Enum(['none', 'pending', 'sent', 'journaled', 'failed']);
export type JournalState = Static<typeof JournalState>;

export const JournalStatus = Type.Object({
  status: JournalState,
  attempts: Type.Integer(),
  lastError: Nullable(Type.String()),
  journaledAt: Nullable(Type.String()),
});
export type JournalStatus = Static<typeof JournalStatus>;

/** Counts per state, the age of the oldest undelivered entry, and whether that raises the alert. */
export const JournalBacklogState = Type.Object({
  pending: Type.Integer(),
  sent: Type.Integer(),
  failed: Type.Integer(),
  journaled: Type.Integer(),
  oldestUndeliveredS: Nullable(Type.Integer()),
  alertAfterS: Type.Integer(),
  alerting: Type.Boolean(),
});
export type JournalBacklogState = Static<typeof JournalBacklogState>;

/** One outbox entry as administrators see it (no names: ids, type and times are enough to act). */
export const JournalEntry = Type.Object({
  id: Type.String(),
  kind: Type.Enum(['alarm', 'dispenser']),
  alarmId: Nullable(Type.String()),
  residentId: Nullable(Type.String()),
  type: DeviceEventTypeSchema,
  status: Type.Enum(['pending', 'sent', 'journaled', 'failed']),
  attempts: Type.Integer(),
  lastError: Nullable(Type.String()),
  createdAt: Type.String(),
  journaledAt: Nullable(Type.String()),
});
export type JournalEntry = Static<typeof JournalEntry>;
