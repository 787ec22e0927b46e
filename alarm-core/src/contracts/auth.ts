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

export const Principal = Type.Object({
  userId: Type.String(),
  name: Type.String(),
  roles: Type.Array(RoleSchema),
  locale: Type.String(),
});
export type Principal = Static<typeof Principal>;

export const LoginResponse = Type.Object({ token: Type.String(), expiresAt: Type.String(), user: Principal });
export type LoginResponse = Static<typeof LoginResponse>;

/** The envelope every error crossing a boundary takes (STYLE §5). */
export const ErrorEnvelope = Type.Object({ status: Type.Literal('error'), code: Type.String(), message: Type.String() });
export type ErrorEnvelope = Static<typeof ErrorEnvelope>;
