/**
 * Staying signed in on one's own phone (docs/identity.md, "Lasting sign-in"): renewing the short
 * access session with a rotating refresh token, the person's signed-in devices and their
 * revocation (by the person or an administrator), single-use sign-in links, and "send me a new
 * sign-in link" to the phone number on record.
 */
import Type, { type Static } from 'typebox';
import { LoginResponse } from '../auth.js';
import { route, SIGNED_IN } from './route.js';

/** An opaque token as Trygg makes them (32 random bytes, base64url). */
const OpaqueToken = Type.String({ minLength: 20, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' });

export const RefreshRequest = Type.Object({ refreshToken: OpaqueToken }, { additionalProperties: false });
export type RefreshRequest = Static<typeof RefreshRequest>;

export const LinkSignInRequest = Type.Object({ token: OpaqueToken }, { additionalProperties: false });
export type LinkSignInRequest = Static<typeof LinkSignInRequest>;

/** A session a sign-in link opened, and the alarm the link was sent about, if any. */
export const LinkSignIn = Type.Object({ ...LoginResponse.properties, alarmId: Type.Union([Type.String(), Type.Null()]) });
export type LinkSignIn = Static<typeof LinkSignIn>;

export const LinkRequest = Type.Object(
  { phone: Type.String({ minLength: 5, maxLength: 24, pattern: '^\\+?[0-9 ()-]{5,24}$' }) },
  { additionalProperties: false },
);
export type LinkRequest = Static<typeof LinkRequest>;

/** One phone (browser) where a person stays signed in. */
export const SignedInDevice = Type.Object({
  id: Type.String(),
  /** Browser and system, from its User-Agent ("Chrome on Android"). */
  label: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.String({ format: 'date-time' }),
  /** When it signs out by itself unless used before. */
  expiresAt: Type.String({ format: 'date-time' }),
  /** The device this request came from. */
  current: Type.Boolean(),
});
export type SignedInDevice = Static<typeof SignedInDevice>;

export const SignedInDevices = Type.Object({ devices: Type.Array(SignedInDevice) });
export type SignedInDevices = Static<typeof SignedInDevices>;

const DeviceParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const signinApi = {
  refreshSession: route({
    method: 'POST',
    path: '/api/auth/refresh',
    tag: 'auth',
    summary:
      'Renews the access session of a lasting sign-in: the refresh token is used up and the next one comes back; a used one presented again signs its device out',
    body: RefreshRequest,
    response: LoginResponse,
    errors: [400, 401, 429],
  }),
  signInByLink: route({
    method: 'POST',
    path: '/api/auth/link',
    tag: 'auth',
    summary: "Signs a person in with a sign-in link's token (once, before it runs out) and starts a lasting sign-in",
    body: LinkSignInRequest,
    response: LinkSignIn,
    errors: [400, 401, 429],
  }),
  requestSignInLink: route({
    method: 'POST',
    path: '/api/auth/link-request',
    tag: 'auth',
    summary:
      'Sends a new sign-in link by SMS to this number when it is on record for a relative or staff member; the answer is the same either way',
    body: LinkRequest,
    status: 202,
    response: Type.Object({ accepted: Type.Literal(true) }),
    errors: [400, 429, 503],
  }),
  myDevices: route({
    method: 'GET',
    path: '/api/me/devices',
    tag: 'auth',
    summary: 'Where the signed-in person stays signed in',
    response: SignedInDevices,
    errors: SIGNED_IN,
  }),
  revokeMyDevice: route({
    method: 'DELETE',
    path: '/api/me/devices/:id',
    tag: 'auth',
    summary: 'Signs one of the person’s devices out (its sessions end now)',
    params: DeviceParams,
    response: Type.Object({ revoked: Type.Literal(true) }),
    errors: [...SIGNED_IN, 404],
  }),
  userDevices: route({
    method: 'GET',
    path: '/api/users/:id/devices',
    tag: 'auth',
    summary: 'Where a person stays signed in (administrators)',
    params: DeviceParams,
    response: SignedInDevices,
    errors: SIGNED_IN,
  }),
  revokeUserDevices: route({
    method: 'DELETE',
    path: '/api/users/:id/devices',
    tag: 'auth',
    summary: 'Signs every device of a person out (administrators)',
    params: DeviceParams,
    response: Type.Object({ revoked: Type.Integer({ minimum: 0 }) }),
    errors: SIGNED_IN,
  }),
} as const;
