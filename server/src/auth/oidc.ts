/**
 * The municipality's identity provider (OpenID Connect: HelseID, Entra ID, Keycloak, …).
 * Discovery gives its issuer, endpoints and key set. Access tokens it issues for Trygg are
 * verified here (signature against its JWKS, issuer, audience, expiry, an asymmetric algorithm —
 * never `none` or a shared-secret one), and people sign in to the web app through it with the
 * authorization code flow and PKCE (`openid-client`).
 */
import * as client from 'openid-client';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { TryggError } from '@trygg/alarm-core';

export interface OidcSettings {
  issuer: string;
  /** The `aud` Trygg's access tokens must carry. */
  audience: string;
  /** For the web sign-in (authorization code flow); without them only API tokens are accepted. */
  clientId: string | null;
  clientSecret: string | null;
}

/** Asymmetric signatures only: a token signed with `none` or an HMAC key is refused. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** Plain http is accepted only for a provider on this machine (tests, a local Keycloak). */
function isLoopback(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/** What the browser must bring back to finish a sign-in (kept in a signed, short-lived cookie). */
export interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
}

export class OidcProvider {
  private constructor(
    private readonly config: client.Configuration,
    private readonly jwks: ReturnType<typeof createRemoteJWKSet>,
    private readonly settings: OidcSettings,
  ) {}

  /** Reads the provider's discovery document. */
  static async discover(settings: OidcSettings): Promise<OidcProvider> {
    const url = new URL(settings.issuer);
    const insecure = url.protocol === 'http:' && isLoopback(url);
    const config = await client.discovery(
      url,
      settings.clientId ?? 'trygg',
      settings.clientSecret ?? undefined,
      undefined,
      insecure ? { execute: [client.allowInsecureRequests] } : undefined,
    );
    const jwksUri = config.serverMetadata().jwks_uri;
    if (!jwksUri) throw new TryggError('TRYGG_ERR_CONFIG', `the identity provider ${settings.issuer} publishes no jwks_uri`);
    return new OidcProvider(config, createRemoteJWKSet(new URL(jwksUri)), settings);
  }

  get issuer(): string {
    return this.config.serverMetadata().issuer;
  }

  /** Fetches the provider's signing keys now (for the health check); throws when it cannot. */
  async reloadKeys(): Promise<void> {
    await this.jwks.reload();
  }

  get signInEnabled(): boolean {
    return this.settings.clientId !== null;
  }

  /** Verifies an access token; its claims, or TRYGG_ERR_UNAUTHENTICATED saying why not. */
  async verifyAccessToken(token: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.jwks, {
        issuer: this.issuer,
        audience: this.settings.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp', 'sub'],
      });
      return payload;
    } catch (err) {
      const why =
        err instanceof joseErrors.JWTExpired
          ? 'token expired'
          : err instanceof joseErrors.JWTClaimValidationFailed
            ? `token ${err.claim} is not accepted`
            : 'invalid token';
      throw new TryggError('TRYGG_ERR_UNAUTHENTICATED', why);
    }
  }

  /** Where to send the browser to sign in, and what to remember until it returns. */
  async startSignIn(redirectUri: string): Promise<{ url: URL; pending: PendingSignIn }> {
    const verifier = client.randomPKCECodeVerifier();
    const pending = { state: client.randomState(), nonce: client.randomNonce(), verifier };
    const url = client.buildAuthorizationUrl(this.config, {
      redirect_uri: redirectUri,
      scope: 'openid profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url, pending };
  }

  /** Exchanges the code the browser brought back; the signed-in person's subject. */
  async finishSignIn(currentUrl: URL, pending: PendingSignIn): Promise<{ subject: string }> {
    try {
      const tokens = await client.authorizationCodeGrant(this.config, currentUrl, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const sub = tokens.claims()?.sub;
      if (!sub) throw new Error('no subject in the ID token');
      return { subject: sub };
    } catch (err) {
      throw new TryggError('TRYGG_ERR_UNAUTHENTICATED', `sign-in with the identity provider failed: ${(err as Error).message}`);
    }
  }
}
