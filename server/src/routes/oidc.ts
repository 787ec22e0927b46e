/**
 * Sign-in through the municipality's identity provider, for the web app: the authorization code
 * flow with PKCE. `/login` sends the browser to the provider with a state, a nonce and a code
 * challenge it remembers in a sealed, short-lived cookie; `/callback` checks them, exchanges the
 * code, finds the Trygg account linked to the provider's subject, and hands the web app a Trygg
 * session in the URL fragment (never sent to a server, removed by the app at once). The app
 * starts the sign-in with a random `app_state` it keeps in its tab; the fragment carries it back,
 * and the app takes a session only with the state it is waiting for — so a link someone else
 * made with their own session (`/#signin=…`, login CSRF) signs nobody in as them.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { API, TryggError } from '@trygg/alarm-core';
import type { OidcProvider, PendingSignIn } from '../auth/oidc.js';
import type { TokenService } from '../auth/tokens.js';
import type { AccessVerifier } from '../auth/verifier.js';
import { serve } from './serve.js';

const COOKIE = 'trygg_oidc';
const COOKIE_PATH = '/api/auth/oidc';
const PENDING_TTL_S = 600;

export interface OidcRouteOptions {
  tokens: TokenService;
  verifier: AccessVerifier;
  /** The service's address as browsers reach it; null = as the request came. */
  publicUrl: string | null;
  /** Whether "send me a new sign-in link" can send one now (an SMS gateway runs). */
  linkBySms: () => boolean;
}

const oidcRoutes: FastifyPluginAsyncTypebox<OidcRouteOptions> = async (app, { tokens, verifier, publicUrl, linkBySms }) => {
  const provider: OidcProvider | null = verifier.oidc?.signInEnabled ? verifier.oidc : null;
  const base = (req: FastifyRequest) => publicUrl ?? `${req.protocol}://${req.host}`;

  serve(app, API.signInMethods, { public: true }, async () => ({
    local: true,
    oidc: provider !== null,
    linkBySms: linkBySms(),
  }));

  serve(app, API.oidcLogin, { public: true }, async (req, reply) => {
    if (!provider) throw new TryggError('TRYGG_ERR_NOT_FOUND', 'no identity provider is configured');
    const { url, pending } = await provider.startSignIn(`${base(req)}${API.oidcCallback.path}`);
    const sealed = await tokens.seal('oidc', { ...pending, appState: req.query.app_state }, PENDING_TTL_S);
    return reply
      .setCookie(COOKIE, sealed, {
        path: COOKIE_PATH,
        httpOnly: true,
        sameSite: 'lax',
        maxAge: PENDING_TTL_S,
        secure: req.protocol === 'https',
      })
      .redirect(url.href, 302);
  });

  serve(app, API.oidcCallback, { public: true }, async (req, reply) => {
    if (!provider) throw new TryggError('TRYGG_ERR_NOT_FOUND', 'no identity provider is configured');
    void reply.clearCookie(COOKIE, { path: COOKIE_PATH });
    const sealed = req.cookies[COOKIE];
    const opened = sealed ? await tokens.open('oidc', sealed) : null;
    const fail = (code: string) => reply.redirect(`/#signin-error=${code}`, 302);
    if (!opened) {
      req.log.warn({ code: 'TRYGG_ERR_UNAUTHENTICATED' }, 'identity provider callback without a pending sign-in');
      return fail('TRYGG_ERR_UNAUTHENTICATED');
    }
    const pending = opened as unknown as PendingSignIn & { appState?: string };
    let subject: string;
    try {
      ({ subject } = await provider.finishSignIn(new URL(req.url, base(req)), pending));
    } catch (err) {
      req.log.warn({ err, code: 'TRYGG_ERR_UNAUTHENTICATED' }, 'sign-in with the identity provider failed');
      return fail('TRYGG_ERR_UNAUTHENTICATED');
    }
    const person = await verifier.personBySubject(subject);
    if (!person) {
      req.log.warn({ code: 'TRYGG_ERR_UNKNOWN_IDENTITY', subject }, 'signed in at the provider, but no Trygg account is linked');
      return fail('TRYGG_ERR_UNKNOWN_IDENTITY');
    }
    const { token, expiresAt } = await tokens.issue(person.principal, undefined, person.sessionEpoch);
    req.log.info({ userId: person.principal.userId, via: 'oidc' }, 'signed in');
    const fragment = new URLSearchParams({ signin: token, expires: expiresAt, state: pending.appState ?? '' });
    return reply.header('cache-control', 'no-store').redirect(`/#${fragment.toString()}`, 302);
  });
};
export default oidcRoutes;
