import Fastify from 'fastify';
import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import errorsPlugin from '../plugins/errors.js';
import metricsRoutes from './metrics.js';

async function app(token: string | null) {
  const registry = new Registry();
  new Counter({ name: 'trygg_test_total', help: 'a counter', registers: [registry] }).inc(3);
  const a = Fastify();
  await a.register(errorsPlugin);
  await a.register(metricsRoutes, { registry, token });
  return a;
}

describe('/metrics', () => {
  it('without a token answers this machine only', async () => {
    const a = await app(null);
    const local = await a.inject({ url: '/metrics', remoteAddress: '127.0.0.1' });
    expect(local.statusCode).toBe(200);
    expect(local.body).toMatch(/^trygg_test_total 3$/m);
    expect((await a.inject({ url: '/metrics', remoteAddress: '10.1.2.3' })).statusCode).toBe(403);
  });

  it('with a token wants it, from anywhere', async () => {
    const a = await app('a-long-enough-token');
    expect((await a.inject({ url: '/metrics', remoteAddress: '127.0.0.1' })).statusCode).toBe(401);
    const wrong = await a.inject({ url: '/metrics', remoteAddress: '10.1.2.3', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
    const ok = await a.inject({
      url: '/metrics',
      remoteAddress: '10.1.2.3',
      headers: { authorization: 'Bearer a-long-enough-token' },
    });
    expect(ok.statusCode).toBe(200);
  });
});
