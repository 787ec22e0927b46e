/** SUBSCRIBE: a device may subscribe only to its own feedback topic; anything else gets 0x80. */
import { deviceTopic } from '@trygg/alarm-core';
import type { AuthorizeSubscribeHandler } from '../aedes-types.js';
import type { GatewayContext } from '../context.js';

export function authorizeSubscribe(ctx: GatewayContext): AuthorizeSubscribeHandler {
  return (client, sub, done) => {
    if (sub.topic === deviceTopic(client.id, 'feedback')) {
      done(null, sub);
      return;
    }
    ctx.count('TRYGG_ERR_TOPIC_FORBIDDEN');
    ctx.logger.warn({ code: 'TRYGG_ERR_TOPIC_FORBIDDEN', deviceId: client.id, topic: sub.topic }, 'subscribe refused');
    done(null, null); // [MQTT-3.9.3-2] SUBACK return code 0x80 for this filter
  };
}
