/**
 * The live wire (socket.io): every event name and its payload in one map, server → client and
 * client → server, so both ends are typed from one place.
 */
import Type, { type Static } from 'typebox';
import { Alarm, TimelineEntry } from './alarm.js';
import type { JournalBacklogState } from './journal.js';
import type { InstallationTest } from './registry.js';

/** One committed change: the timeline entry and the alarm as it stands after it. */
export const LiveUpdate = Type.Object({ seq: Type.Integer({ minimum: 1 }), entry: TimelineEntry, alarm: Alarm });
export type LiveUpdate = Static<typeof LiveUpdate>;

/** Client asks for everything after `after` (0 = from the start of the open alarms). */
export const ResumeRequest = Type.Object({ after: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });
export type ResumeRequest = Static<typeof ResumeRequest>;

/**
 * Answer to a resume: either the missed updates in order, or, when the client is too far
 * behind, a snapshot of the open alarms with the sequence number it is current to.
 */
export const ResumeReply = Type.Union([
  Type.Object({ mode: Type.Literal('delta'), updates: Type.Array(LiveUpdate), head: Type.Integer() }),
  Type.Object({ mode: Type.Literal('snapshot'), alarms: Type.Array(Alarm), head: Type.Integer() }),
  Type.Object({ mode: Type.Literal('error'), code: Type.String(), message: Type.String() }),
]);
export type ResumeReply = Static<typeof ResumeReply>;

/** Server → client events. */
export interface ServerToClientEvents {
  'alarm:update': (update: LiveUpdate) => void;
  /** To administrators: the journal backlog alert was raised or cleared. */
  'journal:backlog': (state: JournalBacklogState) => void;
  /** To administrators: one user opened many residents' records in a short time. */
  'access:unusual': (alert: { userId: string; residents: number; windowS: number }) => void;
  /** To administrators: someone broke the glass, with their reason. */
  'access:break-glass': (grant: { userId: string; name: string; residentId: string; reason: string; expiresAt: string }) => void;
  /** To technicians: a verified-installation test started, passed or failed. */
  'installation-test:update': (test: InstallationTest) => void;
}
/**
 * The people namespace (`/people`): night staff and relatives. It carries no alarm content, only
 * that one of *their* alarms changed; the app then reads it through the REST API, which filters
 * to their own person or site and audits the read.
 */
export interface PeopleServerToClientEvents {
  'alarm:changed': (change: { alarmId: string; seq: number }) => void;
}

/** Client → server events. */
export interface ClientToServerEvents {
  resume: (req: ResumeRequest, reply: (res: ResumeReply) => void) => void;
}
/** Socket event names, for the permission test that walks every one. */
export const LIVE_CLIENT_EVENTS = ['resume'] as const;
