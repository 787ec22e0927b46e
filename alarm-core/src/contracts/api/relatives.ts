/**
 * The relative's side: administrators list relatives and make single-use invitation links; the
 * link signs the relative in (creating their account on first use); a signed-in relative sees
 * only the alarms of their own person.
 */
import Type, { type Static } from 'typebox';
import { Alarm } from '../alarm.js';
import { LoginResponse } from '../auth.js';
import { route, SIGNED_IN } from './route.js';

const errors = [...SIGNED_IN, 404] as const;

export const RelativeSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  relation: Type.Union([Type.String(), Type.Null()]),
  residentId: Type.String(),
  residentName: Type.String(),
  /** Whether they have signed in by an invitation (their account exists). */
  signedUp: Type.Boolean(),
});
export type RelativeSummary = Static<typeof RelativeSummary>;

export const RelativeList = Type.Object({ relatives: Type.Array(RelativeSummary) });
export type RelativeList = Static<typeof RelativeList>;

export const Invitation = Type.Object({
  /** Shown once; only its hash is kept. */
  token: Type.String(),
  /** The link's path, the token in its fragment (`/#invitation=…`). */
  path: Type.String(),
  expiresAt: Type.String(),
});
export type Invitation = Static<typeof Invitation>;

export const InvitationSignIn = Type.Object(
  { token: Type.String({ minLength: 20, maxLength: 100 }) },
  { additionalProperties: false },
);
export type InvitationSignIn = Static<typeof InvitationSignIn>;

/** A person a relative is relative of (whose consent to share with them stands). */
export const RelativePerson = Type.Object({
  residentId: Type.String(),
  name: Type.String(),
  relation: Type.Union([Type.String(), Type.Null()]),
});
export type RelativePerson = Static<typeof RelativePerson>;

/** Their people and those people's care alarms: open ones, and those closed in the last 30 days. */
export const RelativeView = Type.Object({ people: Type.Array(RelativePerson), alarms: Type.Array(Alarm) });
export type RelativeView = Static<typeof RelativeView>;

export const relativesApi = {
  listRelatives: route({
    method: 'GET',
    path: '/api/relatives',
    tag: 'relatives',
    summary: 'Every relative with their person and whether they have signed up',
    response: RelativeList,
    errors,
  }),
  inviteRelative: route({
    method: 'POST',
    path: '/api/relatives/:id/invitations',
    tag: 'relatives',
    summary: 'A single-use invitation link for a relative (7 days)',
    params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
    response: Invitation,
    errors,
  }),
  signInByInvitation: route({
    method: 'POST',
    path: '/api/auth/invitation',
    tag: 'auth',
    summary: "Signs a relative in with an invitation's token (once), creating their account on first use",
    body: InvitationSignIn,
    response: LoginResponse,
    errors: [400, 401],
  }),
  relativeAlarms: route({
    method: 'GET',
    path: '/api/relative/alarms',
    tag: 'relatives',
    summary: "The signed-in relative's people and their alarms",
    response: RelativeView,
    errors,
  }),
} as const;
