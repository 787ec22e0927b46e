/**
 * PUBLISH: where "no alarm is lost" is decided. An event is committed to the inbox *before*
 * this hook returns, and aedes writes the PUBACK only after it returns, so a PUBACK always
 * means "stored". If the store fails, the connection is closed without PUBACK and the device
 * sends again. An event that can never be stored (malformed, wrong schema) is acknowledged so
 * the device stops resending it, logged with its error code, and answered on `feedback`.
 */
import { parseDeviceTopic } from '@trygg/alarm-core';
import type { AuthorizePublishHandler } from '../aedes-types.js';
import type { GatewayContext } from '../context.js';
import { parseDeviceEvent } from '../parse-event.js';
import { parseTelemetry } from '../parse-telemetry.js';

export function authorizePublish(ctx: GatewayContext): AuthorizePublishHandler {
  return (client, packet, done) => {
    if (!client) {
      done(null); // the broker's own publishes (feedback)
      return;
    }
    const deviceId = client.id;
    const target = parseDeviceTopic(packet.topic);
    if (!target || target.deviceId !== deviceId || target.channel === 'feedback') {
      ctx.count('TRYGG_ERR_TOPIC_FORBIDDEN');
      ctx.logger.warn({ code: 'TRYGG_ERR_TOPIC_FORBIDDEN', deviceId, topic: packet.topic }, 'publish refused; disconnecting');
      done(new Error('TRYGG_ERR_TOPIC_FORBIDDEN'));
      return;
    }
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    switch (target.channel) {
      case 'status':
        done(null);
        return;
      case 'telemetry': {
        const parsed = parseTelemetry(payload);
        if (!parsed.ok) {
          ctx.reject(deviceId, parsed.code, parsed.detail);
          done(null);
          return;
        }
        ctx.telemetry
          .write(deviceId, parsed.sample)
          .then(() => done(null))
          .catch((err: unknown) => ctx.storeFailed(deviceId, err, done));
        return;
      }
      case 'events': {
        const parsed = parseDeviceEvent(payload);
        if (!parsed.ok) {
          ctx.reject(deviceId, parsed.code, parsed.detail, parsed.eventId);
          done(null);
          return;
        }
        ctx.inbox
          .accept(deviceId, parsed.event)
          .then((result) => {
            ctx.count(result === 'stored' ? 'events.stored' : 'events.duplicate');
            done(null);
          })
          .catch((err: unknown) => ctx.storeFailed(deviceId, err, done));
        return;
      }
    }
  };
}
