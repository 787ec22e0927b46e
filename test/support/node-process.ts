/**
 * One Trygg node as a child process, for crash and multi-node tests: started with
 * `node --import tsx`, it prints `{"ready":{"http":…,"mqtt":…}}` when up. Every notification it
 * delivers is appended (synchronously, before it is marked sent) to NOTIFY_LOG as a JSON line,
 * so a test can see exactly what reached people, including after a SIGKILL.
 */
import { appendFileSync } from 'node:fs';
import pino from 'pino';
import type { Notification } from '@trygg/alarm-core';
import { loadConfig, startTrygg } from '@trygg/server';

const log = process.env.NOTIFY_LOG;
if (!log) throw new Error('NOTIFY_LOG is required');
const node = process.env.NODE_NAME ?? 'node';

// NODE_MQTT_PORT pins the broker's port, so devices reconnect to a restarted node where they left it.
const config = loadConfig(process.env, [], {
  port: 0,
  mqttPort: Number(process.env.NODE_MQTT_PORT ?? 0),
  sipUdpPort: 0,
  sipTcpPort: 0,
  sipTlsPort: null,
  host: '127.0.0.1',
  selfTestIntervalS: Number(process.env.TRYGG_SELFTEST_INTERVAL_S ?? 0),
});
const trygg = await startTrygg(config, {
  logger: pino({ level: process.env.TRYGG_TEST_LOG === '1' ? 'debug' : 'warn' }, pino.destination(2)),
  // Every notification on any channel is a line in the log (delivered at once).
  channels: Object.fromEntries(
    (['push', 'sms', 'console'] as const).map((kind) => [
      kind,
      {
        kind,
        send: (n: Notification) => {
          appendFileSync(
            log,
            JSON.stringify({ node, id: n.id, alarmId: n.alarmId, kind: n.kind, step: n.step, recipient: n.recipient.id }) + '\n',
          );
          return Promise.resolve({ ref: null, state: 'delivered' as const });
        },
      },
    ]),
  ),
  engine: { sweepIntervalMs: 500 },
});
process.stdout.write(JSON.stringify({ ready: trygg.ports }) + '\n');
process.on('SIGTERM', () => {
  trygg.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
