/**
 * Alarms timed from each device's PUBLISH to the operator's screen: each device raises one
 * `alarm.button`, `gapMs` apart; `opened` is fed by the operator socket's `alarm:update`
 * "opened" (device id → its arrival). An alarm not seen within 30 s counts as missing, not as a
 * latency.
 */
import type { MqttClient } from 'mqtt';
import { io, type Socket } from 'socket.io-client';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function timedAlarms(o: {
  opened: Map<string, (t: number) => void>;
  clients: readonly MqttClient[];
  ids: readonly string[];
  /** Event ids are `${eventPrefix}${i}`: unique per run. */
  eventPrefix: string;
  gapMs: number;
  from?: number;
  to?: number;
}): Promise<number[]> {
  const latencies: number[] = [];
  const waits: Promise<void>[] = [];
  for (let i = o.from ?? 0; i < (o.to ?? o.ids.length); i++) {
    const id = o.ids[i] as string;
    const t0 = performance.now();
    waits.push(
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 30_000);
        o.opened.set(id, (t) => {
          latencies.push(t - t0);
          clearTimeout(timer);
          resolve();
        });
      }),
    );
    (o.clients[i] as MqttClient).publish(
      `trygg/v1/devices/${id}/events`,
      JSON.stringify({ id: `${o.eventPrefix}${i}`, type: 'alarm.button', ts: new Date().toISOString() }),
      { qos: 1 },
    );
    await sleep(o.gapMs);
  }
  await Promise.all(waits);
  return latencies;
}

/**
 * A signed-in operator's screen: the socket, and `opened`, which calls the waiter registered for
 * a device when that device's alarm arrives as `alarm:update` "opened".
 */
export async function operatorScreen(
  httpUrl: string,
  username: string,
  password: string,
): Promise<{ socket: Socket; opened: Map<string, (t: number) => void> }> {
  const login = (await (
    await fetch(`${httpUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    })
  ).json()) as { token: string };
  const socket = io(httpUrl, { path: '/socket.io', auth: { token: login.token }, transports: ['websocket'] });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const opened = new Map<string, (t: number) => void>();
  socket.on('alarm:update', (u: { entry: { kind: string }; alarm: { subject: { deviceId: string } } }) => {
    if (u.entry.kind === 'opened') opened.get(u.alarm.subject.deviceId)?.(performance.now());
  });
  return { socket, opened };
}
