/**
 * CONNECT: a device's client id and username are its device id, its password its secret.
 * Unknown devices, wrong secrets and disabled devices are refused with CONNACK 4 / 5. On MQTTS a
 * client certificate is optional; one that is presented must verify and name the device (CN).
 * An address with too many failed attempts is refused for a while without looking further.
 * An MQTT 5 CONNECT asking for enhanced authentication is refused with 0x8C: Trygg offers none.
 */
import tls from 'node:tls';
import type { AuthenticateHandler } from '../aedes-types.js';
import type { GatewayContext } from '../context.js';
import { authenticationMethodOf, transportOf } from '../mqtt5-bridge.js';

type Client = Parameters<AuthenticateHandler>[0];

// [MQTT-3.2.2.2] MQTT 5 CONNACK reason code 0x8C: bad authentication method.
const BAD_AUTHENTICATION_METHOD = 0x8c;

export function remoteAddress(client: Client): string {
  const conn = client.conn as { remoteAddress?: string } | undefined;
  return conn?.remoteAddress ?? 'unknown';
}

export function authenticate(ctx: GatewayContext): AuthenticateHandler {
  return (client, username, password, done) => {
    const address = remoteAddress(client);
    const refuse = (returnCode: 3 | 4 | 5, code: string, reason: string, countsAsGuess = true) => {
      // MQTT 5 devices hear 0x9F "connection rate exceeded" rather than "not authorized".
      if (code === 'TRYGG_ERR_CONNECT_RATE_LIMITED') ctx.refusals(client).connack(0x9f);
      ctx.count(code);
      ctx.logger.warn({ code, clientId: client.id, username, address, reason }, 'device connect refused');
      if (countsAsGuess && ctx.authFailures.fail(address)) {
        ctx.count('TRYGG_ERR_CONNECT_RATE_LIMITED');
        ctx.logger.warn({ code: 'TRYGG_ERR_CONNECT_RATE_LIMITED', address }, 'too many failed connects; address blocked');
      }
      done(Object.assign(new Error(reason), { returnCode }), false);
    };
    // [MQTT-4.12.0-1] an Authentication Method the server does not support: 0x8C, and close.
    const method = authenticationMethodOf(client.conn);
    if (method !== undefined) {
      ctx.refusals(client).connack(BAD_AUTHENTICATION_METHOD);
      refuse(4, 'TRYGG_ERR_AUTH_METHOD_UNSUPPORTED', `authentication method ${JSON.stringify(method)} not supported`, false);
      return;
    }
    if (ctx.authFailures.blocked(address)) {
      refuse(5, 'TRYGG_ERR_CONNECT_RATE_LIMITED', 'too many failed attempts from this address', false);
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
    ctx.devices
      .check(username, password.toString('utf8'))
      .then((check) => {
        switch (check.result) {
          case 'ok':
            ctx.connected(client, username, check);
            done(null, true);
            return;
          case 'unknown':
            refuse(4, 'TRYGG_ERR_DEVICE_UNKNOWN', 'unknown device');
            return;
          case 'bad-secret':
            refuse(4, 'TRYGG_ERR_DEVICE_CREDENTIALS', 'wrong secret');
            return;
          case 'disabled':
            refuse(5, 'TRYGG_ERR_DEVICE_CREDENTIALS', 'device is not installed or active', false);
            return;
        }
      })
      .catch((err: unknown) => {
        ctx.count('TRYGG_ERR_STORE_UNAVAILABLE');
        ctx.logger.error({ err, code: 'TRYGG_ERR_STORE_UNAVAILABLE', clientId: client.id }, 'device auth failed');
        // [MQTT-3.2.2-3] return code 3: server unavailable; the device retries later.
        done(Object.assign(new Error('server unavailable'), { returnCode: 3 as const }), false);
      });
  };
}
