/**
 * Commands people give an alarm. Each carries an id chosen by the client, so a retried request
 * (a lost answer, a double tap) is applied once and answered the same way.
 */
import Type, { type Static } from 'typebox';
import { Id } from './device-event.js';

export const ClaimCommand = Type.Object({ id: Id, type: Type.Literal('claim') }, { additionalProperties: false });
export const ResolveCommand = Type.Object(
  { id: Id, type: Type.Literal('resolve'), note: Type.String({ maxLength: 2000 }) },
  { additionalProperties: false },
);
export const AlarmCommand = Type.Union([ClaimCommand, ResolveCommand]);
export type AlarmCommand = Static<typeof AlarmCommand>;
export type AlarmCommandType = AlarmCommand['type'];
