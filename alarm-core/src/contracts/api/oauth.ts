/**
 * OAuth 2.0 client credentials for API clients (other municipal systems) when Trygg is its own
 * authorisation server (RFC 6749 §4.4). Its errors take RFC 6749 §5.2's shape, not Trygg's
 * envelope, because OAuth client libraries read that.
 */
import Type, { type Static } from 'typebox';
import { route } from './route.js';

export const TokenRequest = Type.Object({
  grant_type: Type.String(),
  scope: Type.Optional(Type.String({ maxLength: 1000 })),
  client_id: Type.Optional(Type.String({ maxLength: 200 })),
  client_secret: Type.Optional(Type.String({ maxLength: 200 })),
});
export type TokenRequest = Static<typeof TokenRequest>;

export const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  scope: Type.String(),
});
export type TokenResponse = Static<typeof TokenResponse>;

/** RFC 6749 §5.2. */
export const OAUTH_ERRORS = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'server_error',
] as const;
export type OAuthErrorCode = (typeof OAUTH_ERRORS)[number];

export const OAuthError = Type.Object({ error: Type.Enum(OAUTH_ERRORS), error_description: Type.String() });
export type OAuthError = Static<typeof OAuthError>;

export const oauthApi = {
  oauthToken: route({
    method: 'POST',
    path: '/api/oauth/token',
    tag: 'auth',
    summary: 'An access token for an API client (client credentials; client_secret_basic or client_secret_post)',
    consumes: ['application/x-www-form-urlencoded'],
    body: TokenRequest,
    response: TokenResponse,
    errors: [400, 401, 429],
    errorBody: OAuthError,
  }),
} as const;
