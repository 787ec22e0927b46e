/**
 * The gateway benchmark's crowd of connected devices, in its own process: 10 000 MQTT clients in
 * the measuring process made that process's own major garbage collections (about 10 ms each)
 * show up as alarm latency, on whichever side happened to be measured at the time.
 *
 * Arguments: one JSON object (url, prefix, n, secret, heartbeat, reconnect):
 * devices `${prefix}1` … `${prefix}${n}`. Connects every device
 * (200 at a time), sends each one QoS 1 heartbeat and waits for its PUBACK when `heartbeat`,
 * then writes `{"connected":N}` on stdout. Reading `storm` on stdin, it drops every connection
 * at once and writes `{"backS":S}` when all have reconnected (needs `reconnect`). Ends on SIGTERM.
 */
import { createInterface } from 'node:readline';
import { connectMany } from './connect-many.js';
import type { CrowdOptions } from './processes.js';

const o = JSON.parse(process.argv[2] ?? '{}') as CrowdOptions;
const ids = Array.from({ length: o.n }, (_, i) => `${o.prefix}${i + 1}`);
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

const clients = await connectMany(o.url, ids, o.secret, o.reconnect ? { reconnectPeriod: 1_000 } : {});
if (o.heartbeat) {
  await Promise.all(
    clients.map((c, i) =>
      c.publishAsync(
        `trygg/v1/devices/${ids[i]}/events`,
        JSON.stringify({ id: `hb-${i}`, type: 'heartbeat', ts: new Date().toISOString() }),
        { qos: 1 },
      ),
    ),
  );
}
say({ connected: clients.length });

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'storm') return;
  let back = 0;
  const s0 = performance.now();
  for (const c of clients) {
    c.once('connect', () => {
      if (++back === clients.length) say({ backS: (performance.now() - s0) / 1000 });
    });
  }
  for (const c of clients) c.stream.destroy(); // every connection drops at once
});

process.on('SIGTERM', () => {
  for (const c of clients) c.end(true);
  process.exit(0);
});
