/**
 * Signing in and out: a local account's sign-in, the session's end, who is signed in, which ways
 * to sign in are offered, and the browser's round trip through the municipality's identity
 * provider (OpenID Connect, authorization code with PKCE), whose two steps are redirects.
 */
import Type, { type Static } from 'typebox';
import { LoginRequest, LoginResponse, Principal } from '../auth.js';
import { route } from './route.js';

export const SignInMethods = Type.Object({
  local: Type.Boolean(),
  oidc: Type.Boolean(),
  /** Whether "send me a new sign-in link" can send one (an SMS gateway is configured). */
  linkBySms: Type.Boolean(),
});
export type SignInMethods = Static<typeof SignInMethods>;

/** The web app's own random state for one sign-in through the provider (base64url, as it makes it). */
export const AppState = Type.String({ pattern: '^[A-Za-z0-9_-]{16,128}$' });

export const authApi = {
  login: route({
    method: 'POST',
    path: '/api/auth/login',
    tag: 'auth',
    summary: 'Sign-in with a local account',
    body: LoginRequest,
    response: LoginResponse,
    errors: [400, 401, 429],
  }),
  logout: route({
    method: 'POST',
    path: '/api/auth/logout',
    tag: 'auth',
    summary: 'Signs this session out (its token is refused from now on); `?everywhere=true` ends every session of the person.',
    query: Type.Object({ everywhere: Type.Optional(Type.Enum(['true', 'false'])) }, { additionalProperties: false }),
    response: Type.Object({ signedOut: Type.Literal(true) }),
    errors: [400, 401, 403],
  }),
  me: route({
    method: 'GET',
    path: '/api/me',
    tag: 'auth',
    summary: 'Who is signed in',
    response: Principal,
    errors: [401, 403],
  }),
  signInMethods: route({
    method: 'GET',
    path: '/api/auth/methods',
    tag: 'auth',
    summary: "The ways to sign in: local accounts, and whether the municipality's identity provider is offered",
    response: SignInMethods,
    errors: [],
  }),
  oidcLogin: route({
    method: 'GET',
    path: '/api/auth/oidc/login',
    tag: 'auth',
    summary: 'Sends the browser to the identity provider (302), remembering the sign-in in a sealed cookie',
    query: Type.Object({ app_state: AppState }, { additionalProperties: false }),
    produces: 'text/plain',
    errors: [400, 404],
  }),
  oidcCallback: route({
    method: 'GET',
    path: '/api/auth/oidc/callback',
    tag: 'auth',
    summary: 'Back from the identity provider: redirects (302) to the web app with a session, or an error, in the fragment',
    errors: [404],
    hidden: true,
  }),
} as const;
