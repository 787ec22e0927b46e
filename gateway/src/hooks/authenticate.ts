/**
 * CONNECT: a device's client id and username are its device id, its password its secret.
 * Unknown devices, wrong secrets and disabled devices are refused with CONNACK 4 / 5.
 */
import type { AuthenticateHandler } from '../aedes-types.js';
import type { GatewayContext } from '../context.js';

export function authenticate(ctx: GatewayContext): AuthenticateHandler {
  return (client, username, password, done) => {
    const refuse = (returnCode: 4 | 5, code: string, reason: string) => {
      ctx.count(code);
      ctx.logger.warn({ code, clientId: client.id, username, reason }, 'device connect refused');
      const err = Object.assign(new Error(reason), { returnCode });
      done(err, false);
    };
    // [MQTT-3.1.3-8] the client id identifies the session; here it must also be the username.
    if (!username || username !== client.id || !password) {
      refuse(4, 'TRYGG_ERR_DEVICE_CREDENTIALS', 'client id, username and password must be the device id and secret');
      return;
    }
    ctx.devices
      .authenticate(username, password.toString('utf8'))
      .then((result) => {
        switch (result) {
          case 'ok':
            done(null, true);
            return;
          case 'unknown':
            refuse(4, 'TRYGG_ERR_DEVICE_UNKNOWN', 'unknown device');
            return;
          case 'bad-secret':
            refuse(4, 'TRYGG_ERR_DEVICE_CREDENTIALS', 'wrong secret');
            return;
          case 'disabled':
            refuse(5, 'TRYGG_ERR_DEVICE_CREDENTIALS', 'device is not installed or active');
            return;
        }
      })
      .catch((err: unknown) => {
        ctx.logger.error({ err, code: 'TRYGG_ERR_STORE_UNAVAILABLE', clientId: client.id }, 'device auth failed');
        done(Object.assign(new Error('server unavailable'), { returnCode: 3 as const }), false);
      });
  };
}
