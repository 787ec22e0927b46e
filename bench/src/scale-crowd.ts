/**
 * One share of the scaling benchmark's connected devices, in its own process (one Node process
 * with 50 000 MQTT clients is itself the bottleneck) and from its own loopback address (one
 * address has ~28 000 ephemeral ports). Connects its devices, says so on stdout as one JSON line,
 * then sends each a heartbeat (QoS 1) and a telemetry sample (QoS 0) every `heartbeatS`, until
 * SIGTERM. Arguments: one JSON object (url, prefix, from, to, secret, localAddress, heartbeatS).
 */
import net from 'node:net';
import { MqttClient } from 'mqtt';

const o = JSON.parse(process.argv[2] ?? '{}') as {
  url: string;
  prefix: string;
  from: number;
  to: number;
  secret: string;
  localAddress: string;
  heartbeatS: number;
};
const u = new URL(o.url);
const clients: MqttClient[] = [];
const t0 = performance.now();
let next = o.from;
let failed = 0;
let refusedInARow = 0;
const connectOne = (id: string) =>
  new Promise<MqttClient | null>((resolve) => {
    const c = new MqttClient(
      () => net.createConnection({ host: u.hostname, port: Number(u.port), localAddress: o.localAddress }),
      {
        protocol: 'mqtt',
        clientId: id,
        username: id,
        password: o.secret,
        keepalive: 600,
        reconnectPeriod: 0,
        connectTimeout: 20_000,
      },
    );
    c.once('connect', () => resolve(c));
    c.once('error', () => resolve(null));
    c.once('close', () => resolve(null));
  });
await Promise.all(
  Array.from({ length: 100 }, async () => {
    while (next <= o.to) {
      const c = await connectOne(`${o.prefix}${next++}`);
      if (c) {
        clients.push(c);
        refusedInARow = 0;
      } else {
        failed++;
        // The service is at a ceiling (it refuses every new connection): the rest count as refused too.
        if (++refusedInARow >= 300) {
          failed += o.to - next + 1;
          next = o.to + 1;
        }
      }
    }
  }),
);
process.stdout.write(`${JSON.stringify({ connected: clients.length, failed, ms: performance.now() - t0 })}\n`);

// Heartbeats spread evenly over the period: each device once per heartbeatS.
let i = 0;
let seq = 0;
const perTick = clients.length / (o.heartbeatS * 10);
let owed = 0;
const timer = setInterval(() => {
  owed += perTick;
  for (; owed >= 1; owed--) {
    const c = clients[i++ % clients.length];
    if (!c?.connected) continue;
    const id = c.options.clientId ?? '';
    const ts = new Date().toISOString();
    c.publish(`trygg/v1/devices/${id}/events`, JSON.stringify({ id: `hb-${seq++}`, type: 'heartbeat', ts }), { qos: 1 });
    c.publish(`trygg/v1/devices/${id}/telemetry`, JSON.stringify({ ts, battery: 80, rssi: -70 }), { qos: 0 });
  }
}, 100);
process.on('SIGTERM', () => {
  clearInterval(timer);
  for (const c of clients) c.end(true);
  process.exit(0);
});
