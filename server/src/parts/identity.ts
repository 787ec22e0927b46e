/**
 * Who is signed in: the token service (local accounts, action tokens), the trusted identity
 * provider when one is configured (OIDC by JWKS), and the verifier the API and the live
 * channel check every access token with.
 */
import { OidcProvider } from '../auth/oidc.js';
import { TokenService } from '../auth/tokens.js';
import { AccessVerifier } from '../auth/verifier.js';
import { cachedFor } from '../health/registry.js';
import { started, type Part } from './part.js';

export interface Identity {
  tokens: TokenService;
  verifier: AccessVerifier;
}

declare module './part.js' {
  interface Parts {
    identity: Identity;
  }
}

export const identity: Part<'identity'> = {
  name: 'identity',
  start: ({ config, logger, get, health }) =>
    started(logger, async () => {
      const { pool } = get('database');
      const tokens = await TokenService.load(pool, config.tokenTtlSeconds);
      const oidc = config.oidcIssuer
        ? await OidcProvider.discover({
            issuer: config.oidcIssuer,
            audience: config.oidcAudience,
            clientId: config.oidcClientId,
            clientSecret: config.oidcClientSecret,
          })
        : null;
      if (oidc) {
        logger.info({ issuer: oidc.issuer, webSignIn: oidc.signInEnabled }, 'identity provider trusted');
        // Its keys fetched at most once a minute, whatever asks. Not fatal: local accounts and
        // tokens already verified go on; sign-in through the provider is what fails.
        const keys = cachedFor(60_000, () => oidc.reloadKeys());
        const issuer = oidc.issuer;
        health.register({
          name: 'identity-provider',
          check: () =>
            keys().then(
              () => ({ state: 'ok' as const, detail: `signing keys of ${issuer} fetched` }),
              (err: unknown) => ({
                state: 'down' as const,
                detail: `cannot fetch the signing keys of ${issuer}: ${err instanceof Error ? err.message : String(err)}`,
              }),
            ),
        });
      }
      const verifier = new AccessVerifier(pool, tokens, oidc, { sessionCheckMs: config.sessionCheckS * 1000 });
      return { tokens, verifier };
    }),
};
