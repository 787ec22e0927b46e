/**
 * CONNECT: a device's client id and username are its device id, its password its secret.
 * Unknown devices, wrong secrets and disabled devices are refused with CONNACK 4 / 5. On MQTTS a
 * client certificate is optional; one that is presented must verify and name the device (CN).
 * Against guessing and floods (limits in ../limits.ts and ../credential-queue.ts):
 * - a secret this node verified before for the device takes the fast way (a look-up, no
 *   scrypt) and passes every block: devices already known keep their budget of work;
 * - any other credential is refused at once when its device id or its address is blocked, and
 *   otherwise waits its turn for one scrypt in the bounded queue of credential checks, counted
 *   as a failed attempt from the moment the check starts;
 * - an unknown id costs the same scrypt as a wrong secret (DeviceAuthenticator), so the
 *   answer's timing does not tell which ids exist.
 * The answer goes to aedes through the churn pacer, after what connected devices sent; a refusal
 * by a limit goes `refusalDelayMs` late.
 */
import tls from 'node:tls';
import type { Verify } from '@trygg/devices';
import type { AuthenticateHandler } from '../aedes-types.js';
import type { GatewayContext } from '../context.js';
import { Abandoned, QueueFull } from '../credential-queue.js';
import { authenticationMethodOf, transportOf } from '../mqtt5-bridge.js';

type Client = Parameters<AuthenticateHandler>[0];

// [MQTT-3.2.2.2] MQTT 5 CONNACK reason codes for the refusals 3.1.1 cannot tell apart.
const BAD_AUTHENTICATION_METHOD = 0x8c;
const SERVER_BUSY = 0x89;
const CONNECTION_RATE_EXCEEDED = 0x9f;

/** The id or the address became blocked between queueing the check and its turn. */
class Blocked extends Error {}

export function remoteAddress(client: Client): string {
  const conn = client.conn as { remoteAddress?: string } | undefined;
  return conn?.remoteAddress ?? 'unknown';
}

export function authenticate(ctx: GatewayContext): AuthenticateHandler {
  return (client, username, password, done) => {
    const address = remoteAddress(client);
    type Refusal = Parameters<typeof done>[0];
    const answer = (err: Refusal) => ctx.later(() => done(err, err === null));
    const refuse = (returnCode: 3 | 4 | 5, code: string, reason: string, v5Reason?: number) => {
      if (v5Reason !== undefined) ctx.refusals(client).connack(v5Reason);
      ctx.count(code);
      ctx.logger.warn({ code, clientId: client.id, username, address, reason }, 'device connect refused');
      const err = Object.assign(new Error(reason), { returnCode });
      // Refusals by a limit are answered late: a client that reconnects at once cannot turn a
      // blocked address into a stream of cheap CONNECTs (it waits, holding one socket).
      if (code === 'TRYGG_ERR_CONNECT_RATE_LIMITED' || code === 'TRYGG_ERR_CONNECT_BUSY') {
        setTimeout(() => answer(err), ctx.refusalDelayMs);
      } else {
        answer(err);
      }
    };
    const rateLimited = (what: 'id' | 'address') =>
      refuse(
        5,
        'TRYGG_ERR_CONNECT_RATE_LIMITED',
        what === 'id' ? 'too many failed attempts for this device id' : 'too many device ids failed from this address',
        CONNECTION_RATE_EXCEEDED,
      );

    // [MQTT-4.12.0-1] an Authentication Method the server does not support: 0x8C, and close.
    const method = authenticationMethodOf(client.conn);
    if (method !== undefined) {
      refuse(
        4,
        'TRYGG_ERR_AUTH_METHOD_UNSUPPORTED',
        `authentication method ${JSON.stringify(method)} not supported`,
        BAD_AUTHENTICATION_METHOD,
      );
      return;
    }
    // [MQTT-3.1.3-8] the client id identifies the session; here it must also be the username.
    if (!username || username !== client.id || !password) {
      refuse(4, 'TRYGG_ERR_DEVICE_CREDENTIALS', 'client id, username and password must be the device id and secret');
      return;
    }
    const transport = transportOf(client.conn);
    if (transport instanceof tls.TLSSocket) {
      const cert = transport.getPeerCertificate();
      if (cert && Object.keys(cert).length > 0) {
        if (!transport.authorized) {
          refuse(4, 'TRYGG_ERR_DEVICE_CREDENTIALS', `client certificate not trusted (${String(transport.authorizationError)})`);
          return;
        }
        if (cert.subject?.CN !== username) {
          refuse(4, 'TRYGG_ERR_DEVICE_CREDENTIALS', 'client certificate names another device');
          return;
        }
      }
    }
    const secret = password.toString('utf8');
    if (!ctx.devices.knows(username, secret)) {
      const blocked = ctx.authFailures.blocked(address, username);
      if (blocked) {
        rateLimited(blocked);
        return;
      }
    }
    // The scrypt of this check, in its turn; counted as a failure from the moment it starts.
    const verify: Verify = (compare) =>
      ctx.credentials.run(
        address,
        username,
        async () => {
          if (!ctx.authFailures.start(address, username)) throw new Blocked();
          let ok = false;
          try {
            ok = await compare();
          } finally {
            ctx.metrics?.secretChecks.inc({ result: ok ? 'ok' : 'failed' });
            if (ok) ctx.authFailures.succeeded(address, username);
            else blockedBy(ctx, address, username);
          }
          return ok;
        },
        () => client.closed,
      );
    ctx.devices
      .check(username, secret, verify)
      .then((check) => {
        switch (check.result) {
          case 'ok':
            ctx.connected(client, username, check);
            answer(null);
            return;
          case 'unknown':
            refuse(4, 'TRYGG_ERR_DEVICE_UNKNOWN', 'unknown device');
            return;
          case 'bad-secret':
            refuse(4, 'TRYGG_ERR_DEVICE_CREDENTIALS', check.slow ? 'wrong secret' : 'the same wrong secret again');
            return;
          case 'disabled':
            refuse(5, 'TRYGG_ERR_DEVICE_CREDENTIALS', 'device is not installed or active');
            return;
        }
      })
      .catch((err: unknown) => {
        if (err instanceof Abandoned) {
          answer(Object.assign(err, { returnCode: 3 as const })); // aedes ignores it: the client is gone
        } else if (err instanceof Blocked) {
          rateLimited(ctx.authFailures.blocked(address, username) ?? 'address');
        } else if (err instanceof QueueFull && err.scope === 'id') {
          // Parallel CONNECTs of one device id from one address: only a few are checked.
          refuse(5, 'TRYGG_ERR_CONNECT_RATE_LIMITED', 'too many CONNECTs of this device id at once', CONNECTION_RATE_EXCEEDED);
        } else if (err instanceof QueueFull) {
          // [MQTT-3.2.2-3] return code 3: server unavailable; the device retries later.
          refuse(3, 'TRYGG_ERR_CONNECT_BUSY', `too many credential checks waiting (${err.scope})`, SERVER_BUSY);
        } else {
          ctx.count('TRYGG_ERR_STORE_UNAVAILABLE');
          ctx.logger.error({ err, code: 'TRYGG_ERR_STORE_UNAVAILABLE', clientId: client.id }, 'device auth failed');
          answer(Object.assign(new Error('server unavailable'), { returnCode: 3 as const }));
        }
      });
  };
}

/** Counts a failed check; logs the block it caused, if any. */
function blockedBy(ctx: GatewayContext, address: string, deviceId: string): void {
  const blocks = ctx.authFailures.failed(address, deviceId);
  if (blocks.id) {
    ctx.logger.warn({ code: 'TRYGG_ERR_CONNECT_RATE_LIMITED', deviceId, address }, 'too many failed connects; device id blocked');
  }
  if (blocks.address) {
    ctx.logger.warn({ code: 'TRYGG_ERR_CONNECT_RATE_LIMITED', address }, 'too many device ids failed; address blocked');
  }
}
