/**
 * PUBLISH: where "no alarm is lost" is decided. The message goes through the ingress pipeline
 * (ingress.ts: topic, budget, parse, clock, store — the same steps the external-broker consumer
 * takes); this hook is its answer step. An event is committed to the inbox *before* this hook
 * returns, and aedes writes the PUBACK only after it returns, so a PUBACK always means "stored".
 * If the store fails, the connection is closed without PUBACK and the device sends again. An
 * event that can never be stored (malformed, wrong schema, a device no longer registered) is
 * acknowledged so the device stops resending it, logged with its error code, and answered on
 * `feedback`.
 *
 * Floods: each device has a message budget (token bucket). An event over budget is not
 * acknowledged and the connection is closed (nothing is lost: the device resends later, slower);
 * telemetry over budget is dropped with an error, and a device that keeps flooding is
 * disconnected. A device's clock far off: telemetry is refused (a curve at the wrong time is
 * worse than a gap); an alarm is never refused for it, it is stored with Trygg's receive time.
 */
import type { DeviceChannel } from '@trygg/alarm-core';
import type { AuthorizePublishHandler } from '../aedes-types.js';
import type { GatewayContext } from '../context.js';
import { Ingress, report, type Verdict, type VerdictReport } from '../ingress.js';

type Client = NonNullable<Parameters<AuthorizePublishHandler>[0]>;
type Done = Parameters<AuthorizePublishHandler>[2];
type Packet = Parameters<AuthorizePublishHandler>[1];
/** [MQTT-3.4.2.1] PUBACK reason 0x99: payload format invalid (acknowledged, not stored). */
const PAYLOAD_INVALID = 0x99;

export function authorizePublish(ctx: GatewayContext): AuthorizePublishHandler {
  const ingress = new Ingress({ inbox: ctx.inbox, telemetry: ctx.telemetry, rate: ctx.rate, maxClockSkewS: ctx.maxClockSkewS });
  const refusedInRow = new Map<string, number>();
  const told: VerdictReport = {
    reject: (deviceId, code, detail, eventId) => ctx.reject(deviceId, code, detail, eventId),
    count: (what) => ctx.count(what),
    events: ctx.metrics?.events ?? null,
    warn: (obj, msg) => ctx.logger.warn(obj, msg),
  };

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

  /** The answer step: what the device hears for each verdict of the ingress pipeline. */
  const answer = (client: Client, packet: Packet, v: Verdict, started: number, done: Done): void => {
    const acked = (channel: DeviceChannel) => {
      if (packet.qos > 0) ctx.metrics?.ackLatency.observe({ channel }, (performance.now() - started) / 1000);
      done(null);
    };
    switch (v.kind) {
      case 'forbidden':
      case 'ignored':
        ctx.count('TRYGG_ERR_TOPIC_FORBIDDEN');
        ctx.logger.warn(
          { code: 'TRYGG_ERR_TOPIC_FORBIDDEN', deviceId: client.id, topic: packet.topic },
          'publish refused; disconnecting',
        );
        ctx.refusals(client).disconnect(0x87); // MQTT 5: not authorized
        done(new Error('TRYGG_ERR_TOPIC_FORBIDDEN'));
        return;
      case 'over-budget':
        overBudget(client, packet.messageId, v.channel, done);
        return;
      case 'status':
        done(null);
        return;
      case 'refused':
        if (v.channel === 'status') {
          ctx.refusals(client).disconnect(PAYLOAD_INVALID);
          done(new Error(v.code)); // refusing is the only way not to retain it
          return;
        }
        ctx.refusals(client).puback(packet.messageId, PAYLOAD_INVALID);
        done(null);
        return;
      case 'written':
        // QoS 0 (`pending`): no PUBACK to hold back; the device's next packets come in while the batch commits.
        refusedInRow.delete(v.deviceId);
        acked('telemetry');
        return;
      case 'stored':
        refusedInRow.delete(v.deviceId);
        acked('events');
        return;
      case 'unavailable':
        ctx.refusals(client).disconnect(0x89); // MQTT 5: server busy
        ctx.storeFailed(v.deviceId, v.err, done);
        return;
    }
  };

  return (client, packet, done) => {
    if (!client) {
      done(null); // the broker's own publishes (feedback)
      return;
    }
    const started = performance.now();
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    void ingress.handle({ topic: packet.topic, payload, qos: packet.qos, client: client.id }).then((v) => {
      report(v, told);
      answer(client, packet, v, started, done);
    });
  };
}
