/**
 * Registers a route from its contract (alarm-core/src/contracts/api): Fastify validates the
 * parameters, query and body and serialises the answer with the contract's schemas and documents
 * them in OpenAPI, and the compiler holds the handler to the contract's answer. What the route
 * file adds is what only the server knows: who may call it (`action` or `public`), what it
 * audits, and the handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyContextConfig,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawServerDefault,
  RouteOptions,
} from 'fastify';
import type { TSchema } from 'typebox';
import { ErrorEnvelope, type ApiRoute, type BodyOf, type ParamsOf, type QueryOf, type ResponseOf } from '@trygg/alarm-core';

/** The app as a route plugin receives it. */
export type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

/** A request to route `R`, its parameters, query and body typed by the contract. */
export type RouteRequest<R extends ApiRoute> = FastifyRequest<{ Params: ParamsOf<R>; Querystring: QueryOf<R>; Body: BodyOf<R> }>;

/**
 * A handler of route `R`: resolves with the contract's answer. A route whose answer is not one
 * JSON document (no `response` in its contract) sends it through `reply` and resolves with that.
 */
export type RouteHandler<R extends ApiRoute> = (
  req: RouteRequest<R>,
  reply: FastifyReply,
) => Promise<R['response'] extends TSchema ? ResponseOf<R> : FastifyReply>;

/** Route options beyond the contract that some routes need (a protocol's own error answers: `errorHandler`). */
export type ServeOptions = Pick<RouteOptions, 'bodyLimit' | 'errorHandler'>;

export function serve<R extends ApiRoute>(
  app: App,
  contract: R,
  config: FastifyContextConfig,
  handler: RouteHandler<R>,
  options: ServeOptions = {},
): void {
  const response: Record<number, TSchema> = {};
  if (contract.response) response[contract.status ?? 200] = contract.response;
  for (const status of contract.errors) response[status] = contract.errorBody ?? ErrorEnvelope;
  app.route({
    method: contract.method,
    url: contract.path,
    config,
    schema: {
      tags: [contract.tag],
      ...(contract.summary ? { summary: contract.summary } : {}),
      ...(contract.hidden ? { hide: true } : {}),
      ...(contract.produces ? { produces: [contract.produces] } : {}),
      ...(contract.consumes ? { consumes: [...contract.consumes] } : {}),
      ...(contract.params ? { params: contract.params } : {}),
      ...(contract.query ? { querystring: contract.query } : {}),
      ...(contract.body ? { body: contract.body } : {}),
      response,
    },
    ...options,
    // The contract's types are the request's; Fastify's inference cannot follow a schema that is a type parameter.
    handler: handler as unknown as RouteOptions['handler'],
  });
}
