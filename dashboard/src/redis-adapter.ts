/**
 * Many nodes, one live stream: socket.io's Redis adapter relays every emit (and presence
 * look-ups) to the sockets held by the other nodes, so an alarm applied on node A reaches an
 * operator connected to node B. The channel key is per installation (its id in `settings`), so
 * two installations sharing a Redis never hear each other.
 */
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import type { ServerOptions } from 'socket.io';
import type { Logger } from '@trygg/alarm-core';

export interface RedisLive {
  adapter: ServerOptions['adapter'];
  /** Both connections (publish and subscribe) are up. */
  ready(): boolean;
  close(): Promise<void>;
}

export async function redisAdapter(url: string, key: string, logger: Logger): Promise<RedisLive> {
  const pub = createClient({ url });
  const sub = pub.duplicate();
  for (const c of [pub, sub]) c.on('error', (err: unknown) => logger.warn({ err }, 'redis (live adapter)'));
  await Promise.all([pub.connect(), sub.connect()]);
  return {
    adapter: createAdapter(pub, sub, { key }),
    ready: () => pub.isReady && sub.isReady,
    close: async () => {
      await Promise.allSettled([pub.close(), sub.close()]);
    },
  };
}
