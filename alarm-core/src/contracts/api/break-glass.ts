/**
 * Break the glass: an operator who must see a resident's whole record outside a claimed alarm
 * states why and gets it for a short time (audited, announced to administrators).
 */
import Type, { type Static } from 'typebox';
import { route } from './route.js';

/** Characters of a reason that are not white space, at least. */
export const MIN_REASON_CHARS = 10;

export const BreakGlassRequest = Type.Object(
  {
    reason: Type.String({
      minLength: MIN_REASON_CHARS,
      maxLength: 500,
      description: 'why, in at least 10 characters that are not spaces',
    }),
    /** How long the grant lasts (default 15). */
    minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
  },
  { additionalProperties: false },
);
export type BreakGlassRequest = Static<typeof BreakGlassRequest>;

export const AccessGrant = Type.Object({ residentId: Type.String(), reason: Type.String(), expiresAt: Type.String() });
export type AccessGrant = Static<typeof AccessGrant>;

export const breakGlassApi = {
  breakGlass: route({
    method: 'POST',
    path: '/api/residents/:id/break-glass',
    tag: 'registry',
    summary: "Elevated access to a resident's record for a short time, with a reason (audited, administrators told)",
    params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
    body: BreakGlassRequest,
    response: AccessGrant,
    status: 201,
    errors: [400, 401, 403, 404, 429],
  }),
} as const;
