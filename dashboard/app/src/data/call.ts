/**
 * Calls a REST route by its name in the route map: the URL from the generated table, the
 * parameters, query, body and answer typed by the route's contract. Data modules beside this one
 * name the calls the elements make; elements never build a URL or write a response type.
 */
import type { Api, ApiRoute, BodyOf, ParamsOf, QueryOf, ResponseOf } from '@trygg/alarm-core';
import { api } from '../api.js';
import { ROUTES } from './routes.js';

/** A part of the input that the route's contract has (required), or lacks (not allowed). */
type Part<S, Key extends string, V> = S extends object ? { [P in Key]: V } : { [P in Key]?: never };

export type CallInput<R extends ApiRoute> = { token?: string | null } & Part<R['params'], 'params', ParamsOf<R>> &
  Part<R['query'], 'query', QueryOf<R>> &
  Part<R['body'], 'body', BodyOf<R>>;

type Scalar = string | number | boolean;
type QueryValue = Scalar | readonly Scalar[] | null | undefined;

/** The URL of a route with these parameters and query. */
export function urlOf(path: string, params?: Record<string, Scalar>, query?: Record<string, QueryValue>): string {
  const filled = path.replace(/:([A-Za-z0-9_]+)/g, (_, key: string) => encodeURIComponent(String(params?.[key] ?? '')));
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    for (const v of Array.isArray(value) ? (value as readonly Scalar[]) : [value as Scalar]) search.append(key, String(v));
  }
  const qs = search.toString();
  return qs ? `${filled}?${qs}` : filled;
}

export async function call<K extends keyof Api>(name: K, input: CallInput<Api[K]>): Promise<ResponseOf<Api[K]>> {
  const { method, path } = ROUTES[name];
  const { token, params, query, body } = input as { token?: string | null; params?: object; query?: object; body?: unknown };
  return api<ResponseOf<Api[K]>>(urlOf(path, params as Record<string, Scalar>, query as Record<string, QueryValue>), {
    method,
    ...(token === undefined ? {} : { token }),
    ...(body === undefined ? {} : { body }),
  });
}
