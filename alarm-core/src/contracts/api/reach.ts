/**
 * Reach, for administrators: who in residents' chains cannot be reached now (no channel that
 * works, or a relative's missing consent), found before an alarm needs them.
 */
import Type, { type Static } from 'typebox';
import { UnreachableReasonSchema } from '../escalation.js';
import { ChannelKindSchema } from '../reach.js';
import { route } from './route.js';

/** One person nobody can reach now, and what is missing. */
export const UnreachablePerson = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.Enum(['relative', 'staff', 'technician']),
  reason: UnreachableReasonSchema,
  /** The channels on record for them, in order (`relatives.channels` / `users.channels`). */
  channels: Type.Array(ChannelKindSchema),
  /** Whether they have the app with push on at least one phone. */
  hasPush: Type.Boolean(),
  /** Whether a phone number is on record (SMS, calls). */
  hasPhone: Type.Boolean(),
});
export type UnreachablePerson = Static<typeof UnreachablePerson>;

export const UnreachableList = Type.Object({
  /** Residents with at least one relative nobody can reach, by name. */
  residents: Type.Array(
    Type.Object({ residentId: Type.String(), residentName: Type.String(), people: Type.Array(UnreachablePerson) }),
  ),
  /** Staff and technicians nobody can reach (floor and site steps, technical alarms). */
  staff: Type.Array(UnreachablePerson),
  /** The channel kinds this installation sends on now (reach is limited to them). */
  channels: Type.Array(ChannelKindSchema),
});
export type UnreachableList = Static<typeof UnreachableList>;

export const reachApi = {
  listUnreachable: route({
    method: 'GET',
    path: '/api/reach/unreachable',
    tag: 'reach',
    summary: 'Residents whose chain has people nobody can reach now, and staff nobody can reach, with the reason',
    response: UnreachableList,
    errors: [401, 403] as const,
  }),
} as const;
