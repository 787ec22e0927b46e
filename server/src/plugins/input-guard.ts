/**
 * One guard for every route's input, before schema validation: a NUL character or a lone UTF-16
 * surrogate in a JSON body, a form, a CSV, a query string or a path parameter is refused with
 * 400 TRYGG_ERR_VALIDATION naming where it is (`body/username`, `querystring/q`, `body (line
 * 3)`). PostgreSQL cannot store NUL in text (it would answer a 500), and no UTF-8 can carry a
 * lone surrogate (it would be stored as U+FFFD), so neither is ever data anyone meant to send.
 * A route that takes a body but got none is refused here too, so no handler reads a null body.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TryggError } from '@trygg/alarm-core';

/** A high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Index of the first NUL or lone surrogate in `s`, or -1. */
function firstForbidden(s: string): number {
  const nul = s.indexOf('\0');
  const lone = LONE_SURROGATE.exec(s)?.index ?? -1;
  return nul < 0 ? lone : lone < 0 ? nul : Math.min(nul, lone);
}

function what(s: string, at: number): string {
  return s.charCodeAt(at) === 0 ? 'a NUL character' : 'a lone UTF-16 surrogate (not a character)';
}

/** Where in `value` the first forbidden character is, as a path under `root`; null when clean. */
export function findForbidden(value: unknown, root: string, depth = 0): string | null {
  if (typeof value === 'string') {
    const at = firstForbidden(value);
    if (at < 0) return null;
    // In a long text (a CSV) the line says more than the offset.
    const line = value.includes('\n') ? ` (line ${value.slice(0, at).split('\n').length})` : '';
    return `${root}${line} contains ${what(value, at)}`;
  }
  if (typeof value !== 'object' || value === null || depth > 32) return null;
  for (const [k, v] of Object.entries(value)) {
    const at = firstForbidden(k);
    if (at >= 0) return `${root} has a property name with ${what(k, at)}`;
    const found = findForbidden(v, `${root}/${k}`, depth + 1);
    if (found) return found;
  }
  return null;
}

function check(req: FastifyRequest): void {
  const schema = req.routeOptions.schema;
  // A route that validates a body must get one: an empty or `null` JSON body is the client's mistake.
  if (schema?.body && (req.body === undefined || req.body === null))
    throw new TryggError('TRYGG_ERR_VALIDATION', 'body is required');
  const found = findForbidden(req.params, 'params') ?? findForbidden(req.query, 'querystring') ?? findForbidden(req.body, 'body');
  if (found) throw new TryggError('TRYGG_ERR_VALIDATION', found);
}

export default fp(
  async (app: FastifyInstance) => {
    app.addHook('preValidation', async (req) => check(req));
  },
  { name: 'trygg-input-guard' },
);
