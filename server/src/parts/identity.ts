/**
 * Who is signed in: the token service (local accounts, action tokens), the trusted identity
 * provider when one is configured (OIDC by JWKS), and the verifier the API and the live
 * channel check every access token with.
 */
import { OidcProvider } from '../auth/oidc.js';
import { TokenService } from '../auth/tokens.js';
import { AccessVerifier } from '../auth/verifier.js';
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
  start: ({ config, logger, get }) =>
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
      if (oidc) logger.info({ issuer: oidc.issuer, webSignIn: oidc.signInEnabled }, 'identity provider trusted');
      const verifier = new AccessVerifier(pool, tokens, oidc, { sessionCheckMs: config.sessionCheckS * 1000 });
      return { tokens, verifier };
    }),
};
