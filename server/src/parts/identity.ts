/**
 * Who is signed in: the token service (local accounts, action tokens), the trusted identity
 * provider when one is configured (OIDC by JWKS), the verifier the API and the live channel
 * check every access token with, lasting sign-in on people's own phones, and sign-in links.
 *
 * `signInLink(userId, { ttlS, purpose, alarmId })` is the link maker other parts use (the SMS
 * channel puts one in an alert's SMS): `get('identity').signInLink`.
 */
import type { AddressInfo } from 'node:net';
import type { SmsTransport } from '@trygg/alarm-core';
import { OidcProvider } from '../auth/oidc.js';
import { LastingSignIns } from '../auth/lasting.js';
import { SignInLinks, type SignInLinkMaker } from '../auth/signin-links.js';
import { TokenService } from '../auth/tokens.js';
import { AccessVerifier } from '../auth/verifier.js';
import { cachedFor } from '../health/registry.js';
import { started, type Part, type PartContext } from './part.js';

export interface Identity {
  tokens: TokenService;
  verifier: AccessVerifier;
  /** Refresh-token families: one per phone where a person stays signed in. */
  lasting: LastingSignIns;
  /** Single-use sign-in links and "send me a new link". */
  links: SignInLinks;
  /** Makes a person's single-use sign-in link (a full address, for an SMS). */
  signInLink: SignInLinkMaker;
}

declare module './part.js' {
  interface Parts {
    identity: Identity;
  }
}

/** The SMS gateway, if this node has one: the `sms` part (server/src/parts/sms.ts). */
function smsTransport(ctx: PartContext): SmsTransport | null {
  return ctx.find('sms')?.transport ?? null;
}

export const identity: Part<'identity'> = {
  name: 'identity',
  start: (ctx) =>
    started(ctx.logger, async (onStop) => {
      const { config, logger, get, find, health } = ctx;
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
      const lasting = new LastingSignIns(pool, tokens, {
        relativeDays: config.lastingSignInRelativeDays,
        staffDays: config.lastingSignInStaffDays,
        accessTtlS: config.lastingAccessTtlS,
      });
      let warned = false;
      const links = new SignInLinks(pool, {
        // Never a request's Host header: a link sent by SMS must point at this service.
        baseUrl: () => {
          if (config.publicUrl) return config.publicUrl;
          if (!warned) logger.warn('TRYGG_PUBLIC_URL is not set: sign-in links point at http://localhost');
          warned = true;
          const server = find('web')?.http.server;
          const port = server ? (server.address() as AddressInfo | null)?.port : config.port;
          return `http://localhost:${port ?? config.port}`;
        },
        ttlS: config.signInLinkTtlS,
        limits: { perNumberPerHour: config.signInLinkPerNumber, perAddressPerHour: config.signInLinkPerAddress },
        sms: () => smsTransport(ctx),
        logger,
      });
      // Ended devices and spent links are forgotten after a while (hourly; any node may do it).
      const sweep = () => lasting.sweep().catch((err: unknown) => logger.warn({ err }, 'sweeping ended sign-ins failed'));
      const timer = setInterval(() => void sweep(), 3600_000);
      timer.unref();
      onStop(async () => clearInterval(timer));
      return { tokens, verifier, lasting, links, signInLink: links.make };
    }),
};
