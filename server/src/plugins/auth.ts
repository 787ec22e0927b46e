/**
 * Authentication and authorisation for every route: a route is closed unless its config says
 * `public: true`; an open route must name its `action`, which the policy decides. A route with
 * neither is a programming error and is refused at start.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TryggError, type Principal } from '@trygg/alarm-core';
import { can, type Action } from '../auth/policy.js';
import type { ActionScope } from '../auth/tokens.js';

/** A registered route as the policy sees it (for the test that walks every route). */
export interface GuardedRoute {
  method: string;
  url: string;
  public: boolean;
  action: Action | null;
  /** Opened only by a push notification's action token, never by a sign-in token. */
  actionToken: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    public?: boolean;
    action?: Action;
    /** The route takes a push notification's action token instead of a sign-in token. */
    actionToken?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** Set on `actionToken` routes: what the token allows. */
    actionScope: ActionScope | null;
  }
  interface FastifyInstance {
    /** Every route with what guards it. */
    guardedRoutes: GuardedRoute[];
  }
}

export function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : null;
}

export default fp<{ verify: (token: string) => Promise<Principal>; verifyAction: (token: string) => Promise<ActionScope> }>(
  async (app: FastifyInstance, { verify, verifyAction }) => {
    app.decorateRequest('principal', null);
    app.decorateRequest('actionScope', null);
    const routes: GuardedRoute[] = [];
    app.decorate('guardedRoutes', routes);
    app.addHook('onRoute', (route) => {
      const cfg = route.config;
      if (route.url.startsWith('/docs')) return;
      if (!cfg?.public && !cfg?.action) {
        throw new Error(`route ${String(route.method)} ${route.url} names neither public nor an action`);
      }
      for (const method of [route.method].flat())
        if (method !== 'HEAD')
          routes.push({
            method,
            url: route.url,
            public: cfg.public === true,
            action: cfg.action ?? null,
            actionToken: cfg.actionToken === true,
          });
    });
    app.addHook('onRequest', async (req) => {
      const cfg = req.routeOptions.config;
      if (cfg.public || req.routeOptions.url?.startsWith('/docs') || req.routeOptions.url === undefined) return;
      const token = bearer(req);
      if (!token) throw new TryggError('TRYGG_ERR_UNAUTHENTICATED');
      if (cfg.actionToken) {
        req.actionScope = await verifyAction(token);
        req.principal = req.actionScope.principal;
      } else {
        req.principal = await verify(token);
      }
      if (!cfg.action || !can(req.principal, cfg.action)) throw new TryggError('TRYGG_ERR_FORBIDDEN');
    });
  },
  { name: 'trygg-auth' },
);
