/**
 * Plays the demo municipality's devices over MQTT: every device connects with its own
 * credentials, sends heartbeats and telemetry, and now and then someone presses a button, falls,
 * or a sensor trips. It prints what it does and what comes back ("received", "accepted by …").
 */
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { DeviceEventType, DeviceFeedback } from '@trygg/alarm-core';

export interface SimDevice {
  id: string;
  secret: string;
  kind: string;
  where: string;
}

export interface SimOptions {
  mqttUrl: string;
  devices: SimDevice[];
  /** Mean time between alarms across the municipality, ms. */
  alarmEveryMs: number;
  /** Heartbeat and telemetry period per device, ms. */
  heartbeatEveryMs: number;
  log: (line: string) => void;
  random?: () => number;
}

/** What each kind of device raises when it raises something. */
const ALARM_OF: Record<string, DeviceEventType> = {
  'alarm-button': 'alarm.button',
  'pull-cord': 'alarm.pull-cord',
  'fall-sensor': 'alarm.fall',
  'smoke-detector': 'alarm.smoke',
  'bed-sensor': 'alarm.bed-exit',
  'door-sensor': 'alarm.door',
  'medication-dispenser': 'dispenser.missed-dose',
};

export interface Simulation {
  /** Presses one alarm now on the given (or a random) device; resolves when PUBACKed. */
  raise(deviceId?: string): Promise<{ deviceId: string; eventId: string }>;
  /** Sends a test alarm (the technician's verified-installation test), with battery and signal; resolves when PUBACKed. */
  test(deviceId: string): Promise<{ eventId: string }>;
  stop(): Promise<void>;
}

export async function startSimulation(opts: SimOptions): Promise<Simulation> {
  const random = opts.random ?? Math.random;
  const clients = new Map<string, MqttClient>();
  const pressedAt = new Map<string, number>();
  const timers: NodeJS.Timeout[] = [];

  for (const d of opts.devices) {
    const client = await mqtt.connectAsync(opts.mqttUrl, {
      clientId: d.id,
      username: d.id,
      password: d.secret,
      clean: true,
      reconnectPeriod: 2_000,
      will: { topic: `trygg/v1/devices/${d.id}/status`, payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    await client.publishAsync(`trygg/v1/devices/${d.id}/status`, 'online', { qos: 1, retain: true });
    await client.subscribeAsync(`trygg/v1/devices/${d.id}/feedback`, { qos: 1 });
    client.on('message', (_topic, payload) => {
      let fb: DeviceFeedback;
      try {
        fb = JSON.parse(payload.toString()) as DeviceFeedback;
      } catch {
        opts.log(`${d.id}: unreadable feedback`);
        return;
      }
      const since = pressedAt.has(d.id) ? ` after ${((Date.now() - (pressedAt.get(d.id) ?? 0)) / 1000).toFixed(1)} s` : '';
      switch (fb.type) {
        case 'received':
          if (fb.alarmId) opts.log(`← ${d.where}: alarm received${since}`);
          break;
        case 'accepted':
          opts.log(`← ${d.where}: help is coming — accepted by ${fb.by}${since}`);
          break;
        case 'resolved':
          opts.log(`← ${d.where}: resolved${since}`);
          pressedAt.delete(d.id);
          break;
        case 'error':
          opts.log(`← ${d.where}: refused ${fb.code} ${fb.message}`);
          break;
        case 'config':
          // The simulator keeps its own heartbeat period (--heartbeat), faster than a real device's.
          break;
      }
    });
    clients.set(d.id, client);
  }
  opts.log(`${clients.size} devices connected to ${opts.mqttUrl}`);

  const send = async (deviceId: string, type: DeviceEventType, extra: { battery?: number; rssi?: number } = {}) => {
    const client = clients.get(deviceId);
    if (!client) throw new Error(`unknown device ${deviceId}`);
    const eventId = randomUUID();
    await client.publishAsync(
      `trygg/v1/devices/${deviceId}/events`,
      JSON.stringify({ id: eventId, type, ts: new Date().toISOString(), ...extra }),
      { qos: 1 },
    );
    return eventId;
  };

  const alarming = opts.devices.filter((d) => ALARM_OF[d.kind]);
  const raise = async (deviceId?: string) => {
    const d = deviceId ? opts.devices.find((x) => x.id === deviceId) : alarming[Math.floor(random() * alarming.length)];
    if (!d) throw new Error('no device can raise an alarm');
    const type = ALARM_OF[d.kind] ?? 'alarm.button';
    const eventId = await send(d.id, type);
    pressedAt.set(d.id, Date.now());
    opts.log(`→ ${d.where}: ${type}`);
    return { deviceId: d.id, eventId };
  };

  const scheduleAlarm = () => {
    // Exponential gaps: alarms arrive as a Poisson process with the given mean.
    const gap = -Math.log(1 - random()) * opts.alarmEveryMs;
    timers.push(
      setTimeout(() => {
        raise().catch((err: unknown) => opts.log(`alarm failed: ${String(err)}`));
        scheduleAlarm();
      }, gap),
    );
  };
  scheduleAlarm();

  const heartbeat = setInterval(() => {
    for (const d of opts.devices) {
      const client = clients.get(d.id);
      if (!client?.connected) continue;
      send(d.id, 'heartbeat').catch(() => undefined);
      // A dispenser hands out a dose now and then; each one goes into the resident's journal.
      if (d.kind === 'medication-dispenser' && random() < 0.25) {
        send(d.id, 'dispenser.dispensed')
          .then(() => opts.log(`→ ${d.where}: dose dispensed`))
          .catch(() => undefined);
      }
      const telemetry = {
        ts: new Date().toISOString(),
        battery: Math.round(60 + random() * 40),
        rssi: Math.round(-90 + random() * 40),
      };
      client.publish(`trygg/v1/devices/${d.id}/telemetry`, JSON.stringify(telemetry), { qos: 0 });
    }
  }, opts.heartbeatEveryMs);
  timers.push(heartbeat);

  const test = async (deviceId: string) => {
    const d = opts.devices.find((x) => x.id === deviceId);
    const eventId = await send(deviceId, 'test', {
      battery: Math.round(60 + random() * 40),
      rssi: Math.round(-90 + random() * 40),
    });
    opts.log(`→ ${d?.where ?? deviceId}: test alarm`);
    return { eventId };
  };

  return {
    raise,
    test,
    stop: async () => {
      for (const t of timers) clearTimeout(t);
      await Promise.all([...clients.values()].map((c) => c.endAsync()));
    },
  };
}
