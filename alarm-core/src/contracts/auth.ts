/** Sign-in and the roles every route is checked against. */
import Type, { type Static } from 'typebox';

export const ROLES = ['operator', 'staff', 'technician', 'relative', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = Type.Enum(ROLES);

export const LoginRequest = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 128 }), password: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);
export type LoginRequest = Static<typeof LoginRequest>;

/**
 * Who is calling. A person (signed in locally or through the municipality's identity provider)
 * has roles; an API client (another municipal system, OAuth 2.0 client credentials) has no
 * roles, only the scopes it was granted (`kind: 'client'`).
 */
export const Principal = Type.Object({
  userId: Type.String(),
  name: Type.String(),
  roles: Type.Array(RoleSchema),
  locale: Type.String(),
  kind: Type.Optional(Type.Enum(['person', 'client'])),
  scopes: Type.Optional(Type.Array(Type.String())),
});
export type Principal = Static<typeof Principal>;

/**
 * A session. On a person's own phone it comes with a lasting sign-in (docs/identity.md): the
 * refresh token that renews it (`POST /api/auth/refresh`), and when that runs out unless used.
 */
export const LoginResponse = Type.Object({
  token: Type.String(),
  expiresAt: Type.String(),
  user: Principal,
  refreshToken: Type.Optional(Type.String()),
  refreshExpiresAt: Type.Optional(Type.String()),
});
export type LoginResponse = Static<typeof LoginResponse>;

/** The envelope every error crossing a boundary takes (STYLE §5). */
export const ErrorEnvelope = Type.Object({ status: Type.Literal('error'), code: Type.String(), message: Type.String() });
export type ErrorEnvelope = Static<typeof ErrorEnvelope>;
