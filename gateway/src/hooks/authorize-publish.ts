/**
 * PUBLISH: where "no alarm is lost" is decided. An event is committed to the inbox *before*
 * this hook returns, and aedes writes the PUBACK only after it returns, so a PUBACK always
 * means "stored". If the store fails, the connection is closed without PUBACK and the device
 * sends again. An event that can never be stored (malformed, wrong schema) is acknowledged so
 * the device stops resending it, logged with its error code, and answered on `feedback`.
 *
 * Floods: each device has a message budget (token bucket). An event over budget is not
 * acknowledged and the connection is closed (nothing is lost: the device resends later, slower);
 * telemetry over budget is dropped with an error, and a device that keeps flooding is
 * disconnected. A device's clock far off: telemetry is refused (a curve at the wrong time is
 * worse than a gap); an alarm is never refused for it, it is stored with Trygg's receive time.
 */
import { DevicePresence, isDeviceFault, parseDeviceTopic, type DeviceChannel } from '@trygg/alarm-core';
import { Compile } from 'typebox/compile';
import type { AuthorizePublishHandler } from '../aedes-types.js';
import type { GatewayContext } from '../context.js';
import { parseDeviceEvent } from '../parse-event.js';
import { parseTelemetry } from '../parse-telemetry.js';

type Client = NonNullable<Parameters<AuthorizePublishHandler>[0]>;
type Done = Parameters<AuthorizePublishHandler>[2];
/** [MQTT-3.4.2.1] PUBACK reason 0x99: payload format invalid (acknowledged, not stored). */
const PAYLOAD_INVALID = 0x99;
const statusValidator = Compile(DevicePresence);

export function authorizePublish(ctx: GatewayContext): AuthorizePublishHandler {
  const refusedInRow = new Map<string, number>();

  /** Over budget: counted, logged and answered once per streak, disconnected when it goes on. */
  const overBudget = (client: Client, messageId: number | undefined, channel: DeviceChannel, done: Done): void => {
    const deviceId = client.id;
    const streak = (refusedInRow.get(deviceId) ?? 0) + 1;
    refusedInRow.set(deviceId, streak);
    ctx.metrics?.refused.inc({ code: 'TRYGG_ERR_RATE_LIMITED' });
    if (streak === 1) ctx.reject(deviceId, 'TRYGG_ERR_RATE_LIMITED', `${channel} over the device's message budget`);
    else ctx.count('TRYGG_ERR_RATE_LIMITED');
    if (channel === 'events' || streak > ctx.floodDisconnectAfter) {
      ctx.logger.warn(
        { code: 'TRYGG_ERR_RATE_LIMITED', deviceId, channel, refusedInRow: streak },
        'device flooding; disconnecting',
      );
      refusedInRow.delete(deviceId);
      ctx.refusals(client).disconnect(0x96); // MQTT 5: message rate too high
      done(new Error('TRYGG_ERR_RATE_LIMITED'));
      return;
    }
    ctx.refusals(client).puback(messageId, 0x97); // MQTT 5: quota exceeded
    done(null);
  };

  const skewS = (ts: string): number => Math.abs(Date.parse(ts) - Date.now()) / 1000;

  return (client, packet, done) => {
    if (!client) {
      done(null); // the broker's own publishes (feedback)
      return;
    }
    const started = performance.now();
    const deviceId = client.id;
    const target = parseDeviceTopic(packet.topic);
    if (!target || target.deviceId !== deviceId || target.channel === 'feedback') {
      ctx.count('TRYGG_ERR_TOPIC_FORBIDDEN');
      ctx.logger.warn({ code: 'TRYGG_ERR_TOPIC_FORBIDDEN', deviceId, topic: packet.topic }, 'publish refused; disconnecting');
      ctx.refusals(client).disconnect(0x87); // MQTT 5: not authorized
      done(new Error('TRYGG_ERR_TOPIC_FORBIDDEN'));
      return;
    }
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    if (target.channel === 'status') {
      // The last will arrives here too, when the connection drops.
      if (statusValidator.Check(payload.toString('utf8'))) {
        done(null);
        return;
      }
      ctx.reject(deviceId, 'TRYGG_ERR_SCHEMA', 'status must be "online" or "offline"');
      ctx.refusals(client).disconnect(PAYLOAD_INVALID);
      done(new Error('TRYGG_ERR_SCHEMA')); // refusing is the only way not to retain it
      return;
    }
    if (!ctx.rate.take(deviceId)) {
      overBudget(client, packet.messageId, target.channel, done);
      return;
    }
    refusedInRow.delete(deviceId);
    const acked = () => {
      if (packet.qos > 0) ctx.metrics?.ackLatency.observe({ channel: target.channel }, (performance.now() - started) / 1000);
      done(null);
    };
    switch (target.channel) {
      case 'telemetry': {
        const parsed = parseTelemetry(payload);
        if (!parsed.ok) {
          ctx.reject(deviceId, parsed.code, parsed.detail);
          ctx.refusals(client).puback(packet.messageId, PAYLOAD_INVALID);
          done(null);
          return;
        }
        const skew = skewS(parsed.sample.ts);
        if (skew > ctx.maxClockSkewS) {
          ctx.reject(deviceId, 'TRYGG_ERR_CLOCK_SKEW', `ts ${parsed.sample.ts} is ${Math.round(skew)} s off`);
          ctx.refusals(client).puback(packet.messageId, PAYLOAD_INVALID);
          done(null);
          return;
        }
        const written = ctx.telemetry.write(deviceId, parsed.sample, { durable: packet.qos > 0 });
        if (packet.qos === 0) {
          // No PUBACK to hold back: let the device's next packets in while the batch commits.
          done(null);
          written.catch((err: unknown) => {
            ctx.count('TRYGG_ERR_STORE_UNAVAILABLE');
            ctx.logger.warn({ code: 'TRYGG_ERR_STORE_UNAVAILABLE', deviceId, err }, 'QoS 0 telemetry not stored');
          });
          return;
        }
        written.then(acked, (err: unknown) => {
          ctx.refusals(client).disconnect(0x89); // MQTT 5: server busy
          ctx.storeFailed(deviceId, err, done);
        });
        return;
      }
      case 'events': {
        const parsed = parseDeviceEvent(payload, { now: new Date(), maxSkewS: ctx.maxClockSkewS });
        if (!parsed.ok) {
          ctx.reject(deviceId, parsed.code, parsed.detail, parsed.eventId);
          ctx.refusals(client).puback(packet.messageId, PAYLOAD_INVALID);
          done(null);
          return;
        }
        const { event } = parsed;
        for (const note of parsed.notes) ctx.reject(deviceId, note.code, note.detail, event.id);
        ctx.inbox.accept(deviceId, event).then(
          (result) => {
            ctx.count(`events.${result}`);
            ctx.metrics?.events.inc({ outcome: result });
            if (result === 'reused') {
              ctx.reject(deviceId, 'TRYGG_ERR_EVENT_ID_REUSED', `id ${event.id} was stored before with other content`, event.id);
            }
            acked();
          },
          (err: unknown) => {
            if (isDeviceFault(err)) {
              // The data itself can never be stored: resending would fail forever.
              ctx.reject(deviceId, err.code, err.message, event.id);
              ctx.refusals(client).puback(packet.messageId, PAYLOAD_INVALID);
              done(null);
              return;
            }
            ctx.refusals(client).disconnect(0x89); // MQTT 5: server busy
            ctx.storeFailed(deviceId, err, done);
          },
        );
        return;
      }
    }
  };
}
