/**
 * Live updates across nodes: socket.io fans out through Redis when TRYGG_LIVE_REDIS_URL is set.
 * Closed after the engine has stopped publishing (it starts before the live server and the engine).
 */
import { randomUUID } from 'node:crypto';
import { redisAdapter } from '@trygg/dashboard';
import { started, type Part } from './part.js';

export interface LiveRedis {
  adapter: Awaited<ReturnType<typeof redisAdapter>>['adapter'];
}

declare module './part.js' {
  interface Parts {
    liveRedis: LiveRedis;
  }
}

export const liveRedis: Part<'liveRedis'> = {
  name: 'liveRedis',
  enabled: (config) => Boolean(config.liveRedisUrl),
  start: ({ config, logger, get, health }) =>
    started(logger, async (onStop) => {
      const url = config.liveRedisUrl;
      if (!url) throw new Error('liveRedis needs TRYGG_LIVE_REDIS_URL');
      const { pool } = get('database');
      // Nodes of one installation share its id (in the database), and with it the Redis channel.
      await pool.query(
        `INSERT INTO settings (key, value) VALUES ('installation.id', to_jsonb($1::text)) ON CONFLICT DO NOTHING`,
        [randomUUID()],
      );
      const { rows } = await pool.query<{ value: string }>(`SELECT value FROM settings WHERE key = 'installation.id'`);
      const a = await redisAdapter(url, `trygg#${rows[0]?.value ?? 'default'}`, logger);
      onStop(() => a.close());
      logger.info('live updates fan out through Redis (several nodes)');
      // Not fatal: this node's own consoles still get every update; other nodes' do not.
      health.register({
        name: 'redis',
        check: () =>
          a.ready()
            ? { state: 'ok', detail: 'live fan-out connected' }
            : { state: 'down', detail: 'live fan-out not connected: consoles on other nodes miss updates' },
      });
      return { adapter: a.adapter };
    }),
};
