/**
 * Commands people give an alarm. Each carries an id chosen by the client, so a retried request
 * (a lost answer, a double tap) is applied once and answered the same way.
 */
import Type, { type Static } from 'typebox';
import { Id } from './device-event.js';

/** Why it happened, as the person who handled it judged (Trygg's list; journal maps it). */
export const CAUSES = ['fall', 'illness', 'anxiety', 'assistance', 'accidental', 'technical', 'fire', 'other'] as const;
/** What was done. */
export const ACTIONS = [
  'phone-call',
  'home-visit',
  'home-care-dispatched',
  'ambulance',
  'relative-handled',
  'no-action',
  'other',
] as const;

const cmd = <T extends string>(type: T) => Type.Object({ id: Id, type: Type.Literal(type) }, { additionalProperties: false });

/** An operator takes the alarm for the response centre (first claim wins). */
export const ClaimCommand = cmd('claim');
/** Someone alerted says "I'm going" (first accept wins). */
export const AcceptCommand = cmd('accept');
/** Someone alerted says "I can't". */
export const DeclineCommand = cmd('decline');
/** The one who took it is with the person. */
export const ArrivedCommand = cmd('arrived');
export const ResolveCommand = Type.Object(
  {
    id: Id,
    type: Type.Literal('resolve'),
    note: Type.String({ maxLength: 2000 }),
    cause: Type.Optional(Type.Enum(CAUSES)),
    action: Type.Optional(Type.Enum(ACTIONS)),
  },
  { additionalProperties: false },
);
/** The operator who claimed it sends home-care out ("til utrykning"): to which team, and why. */
export const DispatchCommand = Type.Object(
  {
    id: Id,
    type: Type.Literal('dispatch'),
    to: Type.String({ minLength: 1, maxLength: 200 }),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export const AlarmCommand = Type.Union([
  ClaimCommand,
  AcceptCommand,
  DeclineCommand,
  ArrivedCommand,
  ResolveCommand,
  DispatchCommand,
]);
export type AlarmCommand = Static<typeof AlarmCommand>;
export type AlarmCommandType = AlarmCommand['type'];
