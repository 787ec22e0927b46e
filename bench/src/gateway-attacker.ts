/**
 * The gateway benchmark's attacker, in a process of its own: `n` wrong CONNECTs always in flight
 * from one source address (`localAddress`), each for a device id never seen before with a wrong
 * password (an unknown id costs the service a full scrypt, like a wrong secret), and the next
 * one sent as soon as the last is answered. Real mqtt.js clients.
 *
 * Arguments: one JSON object (url, localAddress, n, prefix). Writes `{"flooding":N}` once the
 * first N are sent; on SIGTERM writes `{"attempts":A,"answered":{code:count}}` and exits.
 */
import net from 'node:net';
import { MqttClient } from 'mqtt';
import type { AttackerOptions } from './processes.js';

const o = JSON.parse(process.argv[2] ?? '{}') as AttackerOptions;
const { hostname, port } = new URL(o.url);
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const answered: Record<string, number> = {};
let attempts = 0;
let stopping = false;

/** One wrong CONNECT; resolves with the CONNACK return code (0 would be a break-in), or -1 for no answer. */
function attempt(worker: number): Promise<number> {
  const id = `${o.prefix}${worker}-${attempts++}`;
  return new Promise((resolve) => {
    const c = new MqttClient(() => net.createConnection({ host: hostname, port: Number(port), localAddress: o.localAddress }), {
      protocol: 'mqtt',
      protocolVersion: 4,
      clientId: id,
      username: id,
      password: `guess-${Math.random().toString(36).slice(2)}`,
      reconnectPeriod: 0,
      connectTimeout: 30_000,
    });
    const done = (code: number) => {
      c.end(true);
      resolve(code);
    };
    c.once('connect', () => done(0));
    c.once('error', (err: Error & { code?: number | string }) => done(typeof err.code === 'number' ? err.code : -1));
    c.once('close', () => done(-1));
  });
}

async function worker(w: number): Promise<void> {
  while (!stopping) {
    const code = await attempt(w);
    answered[code] = (answered[code] ?? 0) + 1;
  }
}

for (let w = 0; w < o.n; w++) void worker(w);
say({ flooding: o.n });

process.on('SIGTERM', () => {
  stopping = true;
  say({ attempts, answered });
  process.exit(0);
});
