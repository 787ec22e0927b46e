/**
 * A REST operation as a contract: method, path, parameters, query, body and the answers, each a
 * TypeBox schema. The server registers its routes from these (server/src/routes/serve.ts: Fastify
 * validates and documents with them, and the compiler holds each handler to its answer); the web
 * app's data layer takes its URLs from a table generated from them and its types from them
 * (dashboard/app/src/data/). Who may call a route and what it audits are the server's business,
 * not the wire's, and stay beside the handler.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { Id } from '../device-event.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Error statuses a route may answer with the error envelope. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 502 | 503;

export interface ApiRoute {
  method: HttpMethod;
  /** Fastify's path syntax: `/api/alarms/:id`. */
  path: string;
  /** OpenAPI tag (the group in /docs). */
  tag: string;
  summary?: string;
  params?: TSchema;
  query?: TSchema;
  body?: TSchema;
  /**
   * The answer on success (status `status`, default 200); absent for answers that are not one
   * JSON document (NDJSON exports, XML bundles, CSV, Prometheus text, redirects).
   */
  response?: TSchema;
  status?: 200 | 201 | 202 | 204;
  /** How a non-JSON answer is sent (documentation only). */
  produces?: string;
  /** Statuses answered with the error envelope (or with `errorBody`). */
  errors: readonly ErrorStatus[];
  /**
   * The body of the error statuses when it is not Trygg's envelope: a protocol whose clients read
   * their own shape (OAuth 2.0's token endpoint, RFC 6749 §5.2).
   */
  errorBody?: TSchema;
  /** Request media types other than JSON (a form-encoded body). */
  consumes?: readonly string[];
  /** Left out of the OpenAPI document (internal routes). */
  hidden?: boolean;
}

/** Declares a route; `const` keeps its method and path literal, so the web app's table can be checked against it. */
export function route<const R extends ApiRoute>(r: R): R {
  return r;
}

type StaticOr<S, Else> = S extends TSchema ? Static<S> : Else;

/** What a route answers on success. */
export type ResponseOf<R extends ApiRoute> = StaticOr<R['response'], unknown>;
export type ParamsOf<R extends ApiRoute> = StaticOr<R['params'], Record<string, never>>;
export type QueryOf<R extends ApiRoute> = StaticOr<R['query'], Record<string, never>>;
export type BodyOf<R extends ApiRoute> = StaticOr<R['body'], undefined>;

/** The errors most routes that need a signed-in caller can answer. */
export const SIGNED_IN = [400, 401, 403] as const satisfies readonly ErrorStatus[];

/** `{ id }` in the path: an alarm, a notification, a grant … (a UUID). */
export const UuidParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
/** `{ id }` in the path: a registry id (site, resident, device, user …). */
export const IdParams = Type.Object({ id: Id });
