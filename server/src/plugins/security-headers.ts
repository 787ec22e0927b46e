/**
 * Security headers on every answer (`@fastify/helmet`): a Content-Security-Policy the web app
 * passes as built (its own scripts, styles and workers only; no inline script, no eval), no
 * framing by anyone (`frame-ancestors 'none'` and `X-Frame-Options: DENY`, against
 * click-jacking an operator into claiming or resolving), `nosniff`, `Referrer-Policy:
 * no-referrer` (an alarm's URL never leaves in a Referer) and, when browsers reach Trygg over
 * TLS (`TRYGG_PUBLIC_URL` is https), HSTS and upgrade-insecure-requests. OpenAPI's page at
 * `/docs` keeps the stricter parts but gets swagger-ui's own CSP for its inline bootstrap.
 */
import fp from 'fastify-plugin';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

export interface SecurityHeaderOptions {
  /** Browsers reach Trygg over https (TLS terminated here or at a proxy in front). */
  tls: boolean;
}

/** One year, as HSTS preload lists expect. */
const HSTS_MAX_AGE_S = 365 * 24 * 3600;

export default fp<SecurityHeaderOptions>(
  async (app: FastifyInstance, { tls }) => {
    await app.register(helmet, {
      global: true,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          // Lit's element styles are constructable stylesheets (not inline `<style>`), so 'self' holds.
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          // The API and socket.io (its WebSocket too: 'self' covers ws/wss of this origin).
          connectSrc: ["'self'"],
          workerSrc: ["'self'"],
          manifestSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          upgradeInsecureRequests: tls ? [] : null,
        },
      },
      frameguard: { action: 'deny' },
      hsts: tls ? { maxAge: HSTS_MAX_AGE_S, includeSubDomains: true } : false,
      referrerPolicy: { policy: 'no-referrer' },
    });
  },
  { name: 'trygg-security-headers' },
);

/**
 * swagger-ui's own CSP (hashes of its inline bootstrap), made Trygg's: never framed, no upgrade
 * on plain http, and inline styles, which swagger-ui injects as it renders (styles cannot run
 * script, and the page holds no personal data; scripts stay hash-only).
 */
export function docsCsp(tls: boolean): (header: string) => string {
  return (header) => {
    const csp = header
      .replace(/frame-ancestors [^;]*/, "frame-ancestors 'none'")
      .replace(/style-src ([^;]*)/, (_m, v: string) => `style-src ${v.replace(/\s*'sha256-[^']*'/g, '')} 'unsafe-inline'`);
    return tls ? csp : csp.replace(/\s*upgrade-insecure-requests;?/, '');
  };
}
