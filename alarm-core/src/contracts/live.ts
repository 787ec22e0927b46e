/**
 * The live wire (socket.io): every event name and its payload schema in one map, server → client
 * (`LiveEvents`, and `PeopleLiveEvents` on the people namespace) and client → server
 * (`LiveCommands`), so the live server, the services that publish and the web app's listeners
 * are all typed from one place.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { Alarm, TimelineEntry } from './alarm.js';
import { IntegrationHealth } from './api/health.js';
import { DutyState } from './duty.js';
import { ChainStatus, TestProbe } from './chain.js';
import { NamedDeliveryFact } from './deliveries.js';
import { JournalBacklogState } from './journal.js';
import { InstallationTest } from './registry.js';

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

/** One user opened many residents' records in a short time: the leader should look. */
export const UnusualAccess = Type.Object({
  userId: Type.String(),
  /** Different residents whose records they opened … */
  residents: Type.Integer(),
  /** … within this many seconds. */
  windowS: Type.Integer(),
});
export type UnusualAccess = Static<typeof UnusualAccess>;

/** Someone broke the glass: elevated access to a resident, with their reason, until `expiresAt`. */
export const BrokenGlass = Type.Object({
  userId: Type.String(),
  name: Type.String(),
  residentId: Type.String(),
  reason: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
});
export type BrokenGlass = Static<typeof BrokenGlass>;

/** One of a person's alarms changed (no content: the app reads it through the REST API). */
export const AlarmChanged = Type.Object({ alarmId: Type.String(), seq: Type.Integer({ minimum: 1 }) });
export type AlarmChanged = Static<typeof AlarmChanged>;

/** This node's integrations, sent on connect and whenever one changes state. */
export const IntegrationsState = Type.Object({ integrations: Type.Array(IntegrationHealth) });
export type IntegrationsState = Static<typeof IntegrationsState>;

/** Server → client events on the main namespace, by name: the operators', administrators' and technicians' rooms. */
export const LiveEvents = {
  /** To operators: one committed change of an alarm, numbered. */
  'alarm:update': LiveUpdate,
  /** To operators: what became of a notification on a channel (sent, delivered, seen, answered, failed). */
  'alarm:delivery': NamedDeliveryFact,
  /** To administrators: the journal backlog alert was raised or cleared. */
  'journal:backlog': JournalBacklogState,
  /** To administrators: one user opened many residents' records in a short time. */
  'access:unusual': UnusualAccess,
  /** To administrators: someone broke the glass, with their reason. */
  'access:break-glass': BrokenGlass,
  /** To operators and administrators: the integrations, on connect and when one changes state. */
  'integrations:health': IntegrationsState,
  /** To administrators (the leader): responders on duty, on connect and when a gap opens or closes. */
  'duty:state': DutyState,
  /** To technicians: a verified-installation test started, passed or failed. */
  'installation-test:update': InstallationTest,
  /** To operators: a device's test event reached the engine (a synthetic probe or an installation test). */
  'test:probe': TestProbe,
  /** To operators, administrators and technicians: the self-test's state changed (the banner when it is not ok). */
  'chain:status': ChainStatus,
} as const satisfies Record<string, TSchema>;

/**
 * The people namespace (`/people`): night staff and relatives. It carries no alarm content, only
 * that one of *their* alarms changed; the app then reads it through the REST API, which filters
 * to their own person or site and audits the read.
 */
export const PeopleLiveEvents = {
  'alarm:changed': AlarmChanged,
} as const satisfies Record<string, TSchema>;

/** Client → server events: each one's request and the answer it gets by acknowledgement. */
export const LiveCommands = {
  resume: { request: ResumeRequest, reply: ResumeReply },
} as const satisfies Record<string, { request: TSchema; reply: TSchema }>;

export type LiveEventName = keyof typeof LiveEvents;
/** The payload of a server → client event. */
export type LivePayload<E extends LiveEventName> = Static<(typeof LiveEvents)[E]>;

type Listeners<M extends Record<string, TSchema>> = { [E in keyof M]: (payload: Static<M[E]>) => void };

/** Server → client events, as socket.io's typed `Server` and `Socket` take them. */
export type ServerToClientEvents = Listeners<typeof LiveEvents>;
export type PeopleServerToClientEvents = Listeners<typeof PeopleLiveEvents>;

/** Client → server events, as socket.io takes them. */
export type ClientToServerEvents = {
  [E in keyof typeof LiveCommands]: (
    req: Static<(typeof LiveCommands)[E]['request']>,
    reply: (res: Static<(typeof LiveCommands)[E]['reply']>) => void,
  ) => void;
};

/** Socket event names, for the permission test that walks every one. */
export const LIVE_CLIENT_EVENTS = Object.keys(LiveCommands) as (keyof typeof LiveCommands)[];
