/**
 * The listeners' ports on the first start (issue 18, the front door). Mosquitto often holds 1883
 * on a developer's machine, and `npm ci && npm start` used to die with a bare
 * `EADDRINUSE 0.0.0.0:1883`. Now the embedded default's broker, when no TRYGG_MQTT_PORT was
 * given, takes the next free port and says which; a port that was chosen (or any other
 * listener's) and is taken fails the start with one line naming the listener, the port and the
 * setting to change.
 */
import { createServer } from 'node:net';
import type { Logger } from 'pino';
import { TryggError } from '@trygg/alarm-core';
import type { Config } from './config.js';

/** How many ports after a busy default are tried before giving up (and failing as usual). */
const TRIES = 20;

/** True when a TCP listener could bind `port` on `host` now. */
function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** The first port from `port` on (at most TRIES of them) a listener could bind on `host`, else `port`. */
export async function firstFreePort(port: number, host: string): Promise<number> {
  for (let p = port; p < port + TRIES && p <= 65_535; p++) if (await canListen(p, host)) return p;
  return port;
}

/**
 * The embedded broker's port: the configured one, or, on the embedded default with no
 * TRYGG_MQTT_PORT (`mqttPortMayMove`), the first free one from it, said in the log when it moved.
 */
export async function mqttPortToUse(config: Config, logger: Logger): Promise<number> {
  if (!config.mqttPortMayMove || config.mqttPort === 0) return config.mqttPort;
  const port = await firstFreePort(config.mqttPort, config.host);
  if (port !== config.mqttPort) {
    logger.warn(
      { configured: config.mqttPort, mqtt: port },
      `MQTT port ${config.mqttPort} is in use (another broker?): the embedded broker listens on ${config.host}:${port} instead; ` +
        `devices and \`npm run sim\` need TRYGG_MQTT_PORT=${port}, or set TRYGG_MQTT_PORT to keep a port of your choosing`,
    );
  }
  return port;
}

interface Listener {
  what: string;
  setting: string;
  port: number | null;
  udp?: boolean;
}

/** Every listener a node may open, with the setting that moves it. */
function listeners(config: Config): Listener[] {
  const sip = config.sipEnabled;
  return [
    { what: 'HTTP', setting: 'PORT', port: config.port },
    { what: 'MQTT', setting: 'TRYGG_MQTT_PORT', port: config.mqttUrl ? null : config.mqttPort },
    { what: 'MQTT over TLS', setting: 'TRYGG_MQTTS_PORT', port: config.mqttUrl ? null : config.mqttsPort },
    { what: 'SIP over UDP', setting: 'TRYGG_SIP_UDP_PORT', port: sip ? config.sipUdpPort : null, udp: true },
    { what: 'SIP over TCP', setting: 'TRYGG_SIP_TCP_PORT', port: sip ? config.sipTcpPort : null },
    { what: 'SIP over TLS', setting: 'TRYGG_SIP_TLS_PORT', port: sip ? config.sipTlsPort : null },
  ];
}

/**
 * A start's failure as people should read it: a port in use (EADDRINUSE) or not allowed (EACCES)
 * becomes TRYGG_ERR_PORT_UNAVAILABLE naming the listener, the port and the setting; anything
 * else is returned as it was.
 */
export function explainStartError(err: unknown, config: Config): unknown {
  const e = err as (NodeJS.ErrnoException & { port?: number; address?: string }) | null;
  if (!e || (e.code !== 'EADDRINUSE' && e.code !== 'EACCES') || typeof e.port !== 'number') return err;
  const udp = e.syscall === 'bind'; // dgram binds; net servers listen
  const candidates = listeners(config).filter((l) => l.port === e.port && (l.udp === true) === udp);
  const what = candidates.map((l) => l.what).join(' or ') || 'a listener';
  const settings = candidates.map((l) => l.setting).join(' or ') || 'its port setting';
  const where = `${e.address ?? config.host}:${e.port}${udp ? '/udp' : ''}`;
  const message =
    e.code === 'EADDRINUSE'
      ? `${what} port ${e.port} is in use by another program (${where}): set ${settings} to a free port, or stop the program that holds it`
      : `${what} port ${e.port} needs privileges this process lacks (${where}): set ${settings} to a port above 1023`;
  return new TryggError('TRYGG_ERR_PORT_UNAVAILABLE', message, { cause: err });
}
