/**
 * How the self-test sends a test alarm through one ingress, as a device would, over the network:
 * an MQTT client (embedded broker, MQTTS, or the external broker) publishing a `test` event at
 * QoS 1, or a SCAIP unit (the simulators' SIP user agent) over UDP, TCP or TLS sending an `<mrq>`
 * with `stc=0102` (test). Each send resolves when the device has its acknowledgement (PUBACK,
 * `<mrs>`), i.e. after commit, and rejects with why it could not.
 */
import mqtt from 'mqtt';
import type { ChainIngress, Logger } from '@trygg/alarm-core';
import type { SelfTestDevice } from '@trygg/devices';
import { ScaipUnit } from '@trygg/simulators';

export interface ProbeTarget {
  ingress: ChainIngress;
  device: SelfTestDevice;
  /** Sends one test event with this id; resolves at the device's acknowledgement. */
  send(eventId: string, timeoutMs: number): Promise<void>;
}

/** Where a listener bound on `host` is reached from this process. */
export const loopback = (host: string) => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);

/** An MQTT device: connects, publishes one `test` event at QoS 1, waits for PUBACK, disconnects. */
export function mqttProbe(
  ingress: ChainIngress,
  device: SelfTestDevice,
  url: () => string | null,
  auth: { username: string | null; password: string | null } | null,
): ProbeTarget {
  return {
    ingress,
    device,
    async send(eventId, timeoutMs) {
      const at = url();
      if (at === null) throw new Error(`${ingress} listener is not running`);
      const client = await mqtt.connectAsync(at, {
        // The embedded broker takes the device id as client id; at an external broker a node's own.
        clientId: auth ? `${device.id}-${eventId.slice(-8)}` : device.id,
        username: auth ? (auth.username ?? undefined) : device.id,
        password: auth ? (auth.password ?? undefined) : device.secret,
        reconnectPeriod: 0,
        connectTimeout: timeoutMs,
        clean: true,
        // Loopback to this service's own listener, whose certificate names its public host.
        rejectUnauthorized: false,
      });
      try {
        const event = { id: eventId, type: 'test', ts: new Date().toISOString(), text: 'Trygg self-test' };
        await withTimeout(
          client.publishAsync(`trygg/v1/devices/${device.id}/events`, JSON.stringify(event), { qos: 1 }),
          timeoutMs,
          'no PUBACK',
        );
      } finally {
        client.end(true);
      }
    },
  };
}

/** A SCAIP unit: REGISTERs with digest, sends one test `<mrq>`, waits for its `<mrs>`, stops. */
export function scaipProbe(
  ingress: ChainIngress,
  device: SelfTestDevice,
  transport: 'UDP' | 'TCP' | 'TLS',
  target: () => { host: string; port: number | null },
  logger: Logger,
): ProbeTarget {
  return {
    ingress,
    device,
    async send(_eventId, timeoutMs) {
      const { host, port } = target();
      if (port === null) throw new Error(`${ingress} listener is not running`);
      const unit = new ScaipUnit({
        host,
        port,
        transport,
        verifyTls: false, // loopback to this service's own listener
        username: device.id,
        password: device.secret,
        cid: device.cid ?? '0',
      });
      const run = async () => {
        await unit.start();
        const status = await unit.register(300, { keep: false });
        if (status !== 200) throw new Error(`REGISTER answered ${status}`);
        // SS 91100: stc 0102 is a test alarm; dty 0003 a social-alarm unit.
        const { status: s, mrs } = await unit.mrq({ ref: unit.nextRef(), dty: '0003', stc: '0102' }, { timeoutMs });
        if (s !== 200 || !mrs) throw new Error(`MESSAGE answered ${s}${mrs ? '' : ' with no <mrs>'}`);
      };
      try {
        await withTimeout(run(), timeoutMs, 'no answer');
      } finally {
        await unit.stop().catch((err: unknown) => logger.debug({ err }, 'self-test unit stop'));
      }
    },
  };
}

/** `p`, or a rejection with `what` after `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
