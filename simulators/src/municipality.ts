/**
 * Plays a municipality's devices over MQTT: every device connects with its own credentials,
 * sends heartbeats and telemetry at the interval the service configures (or a fixed one), and
 * now and then someone presses a button, falls, or a sensor trips. It prints what it does and
 * what comes back ("received", "accepted by …"). Scales to tens of thousands of devices: connects
 * a few at a time, and beyond what one source address can hold it spreads the connections over
 * loopback addresses (127.0.1.x), as many homes would arrive from many addresses.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import mqtt, { MqttClient, type IClientOptions } from 'mqtt';
import type { DeviceEventType, DeviceFeedback } from '@trygg/alarm-core';
import { isLoopback, loopbackAddress } from './api.js';
import { RATES } from './rates.js';
import { Later } from './later.js';

export interface SimDevice {
  id: string;
  secret: string;
  kind: string;
  where: string;
}

export interface SimOptions {
  mqttUrl: string;
  devices: SimDevice[];
  /** Mean time between alarms across the municipality, ms; without it the caller raises alarms (`raise`). */
  alarmEveryMs?: number;
  /** Heartbeat and telemetry period per device, ms; without it each device follows the period the service configures. */
  heartbeatEveryMs?: number;
  /** Connections opened at once while connecting (default 50). */
  connectConcurrency?: number;
  /** Whether to print each alarm's feedback (default true). */
  verbose?: boolean;
  log: (line: string) => void;
  /** Told of every feedback message a device gets. */
  onFeedback?: (deviceId: string, fb: DeviceFeedback) => void;
  random?: () => number;
}

/** What each kind of device raises when it raises something. */
const ALARM_OF: Record<string, DeviceEventType> = Object.fromEntries(Object.entries(RATES).map(([k, r]) => [k, r.event]));

export interface Simulation {
  /** Presses one alarm now on the given (or a random) device; resolves when PUBACKed. */
  raise(deviceId?: string): Promise<{ deviceId: string; eventId: string }>;
  /** The person pressed by mistake: the device sends a cancel; resolves when PUBACKed. */
  cancel(deviceId: string): Promise<void>;
  /** Sends a test alarm (the technician's verified-installation test), with battery and signal; resolves when PUBACKed. */
  test(deviceId: string): Promise<{ eventId: string }>;
  /** Devices connected now. */
  connected(): number;
  /** Whether this device is connected now. */
  isConnected(deviceId: string): boolean;
  stop(): Promise<void>;
}

/** Loopback source addresses needed so no address holds more than ~20 000 connections (ephemeral ports). */
const PER_ADDRESS = 20_000;

export async function startSimulation(opts: SimOptions): Promise<Simulation> {
  const random = opts.random ?? Math.random;
  const verbose = opts.verbose ?? true;
  const clients = new Map<string, MqttClient>();
  const pressedAt = new Map<string, number>();
  const later = new Later();
  const heartbeatMs = new Map<string, number>();
  const url = new URL(opts.mqttUrl);
  const spread = opts.devices.length > PER_ADDRESS && isLoopback(url.hostname);

  const since = (id: string) =>
    pressedAt.has(id) ? ` after ${((Date.now() - (pressedAt.get(id) ?? 0)) / 1000).toFixed(1)} s` : '';

  const connect = async (d: SimDevice, i: number) => {
    const options: IClientOptions = {
      clientId: d.id,
      username: d.id,
      password: d.secret,
      clean: true,
      reconnectPeriod: 2_000,
      connectTimeout: 120_000,
      keepalive: 120,
      will: { topic: `trygg/v1/devices/${d.id}/status`, payload: Buffer.from('offline'), qos: 1, retain: true },
    };
    let client: MqttClient;
    if (spread) {
      const localAddress = loopbackAddress(Math.floor(i / PER_ADDRESS));
      const port = Number(url.port || 1883);
      client = new MqttClient(() => net.createConnection({ host: url.hostname, port, localAddress }), {
        ...options,
        protocol: 'mqtt',
      });
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
      });
    } else {
      client = await mqtt.connectAsync(opts.mqttUrl, options);
    }
    client.on('error', () => undefined); // reconnects by itself; a refusal is logged by the service
    client.on('message', (_topic, payload) => {
      let fb: DeviceFeedback;
      try {
        fb = JSON.parse(payload.toString()) as DeviceFeedback;
      } catch {
        opts.log(`${d.id}: unreadable feedback`);
        return;
      }
      opts.onFeedback?.(d.id, fb);
      switch (fb.type) {
        case 'received':
          if (fb.alarmId && verbose) opts.log(`← ${d.where}: alarm received${since(d.id)}`);
          break;
        case 'accepted':
          if (verbose) opts.log(`← ${d.where}: help is coming — accepted by ${fb.by}${since(d.id)}`);
          break;
        case 'resolved':
          if (verbose) opts.log(`← ${d.where}: resolved${since(d.id)}`);
          pressedAt.delete(d.id);
          break;
        case 'error':
          opts.log(`← ${d.where}: refused ${fb.code} ${fb.message}`);
          break;
        case 'config':
          // What a real device does: beat at the period the service asks for (unless --heartbeat says otherwise).
          heartbeatMs.set(d.id, fb.heartbeatIntervalS * 1000);
          break;
      }
    });
    await client.publishAsync(`trygg/v1/devices/${d.id}/status`, 'online', { qos: 1, retain: true });
    await client.subscribeAsync(`trygg/v1/devices/${d.id}/feedback`, { qos: 1 });
    clients.set(d.id, client);
  };

  const send = async (deviceId: string, type: DeviceEventType | 'cancel', extra: { battery?: number; rssi?: number } = {}) => {
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

  // Heartbeat and telemetry, each device on its own phase so they do not all beat at once.
  const beat = (d: SimDevice) => {
    const client = clients.get(d.id);
    if (client?.connected) {
      send(d.id, 'heartbeat').catch(() => undefined);
      // A dispenser hands out a dose now and then; each one goes into the resident's journal.
      if (d.kind === 'medication-dispenser' && random() < 0.25) {
        send(d.id, 'dispenser.dispensed')
          .then(() => verbose && opts.log(`→ ${d.where}: dose dispensed`))
          .catch(() => undefined);
      }
      // Now and then it runs low: a technical alarm for the technicians, relatives told.
      if (d.kind === 'medication-dispenser' && random() < 0.01) {
        send(d.id, 'dispenser.refill-needed')
          .then(() => verbose && opts.log(`→ ${d.where}: running low on medication (refill needed)`))
          .catch(() => undefined);
      }
      const telemetry = {
        ts: new Date().toISOString(),
        battery: Math.round(60 + random() * 40),
        rssi: Math.round(-90 + random() * 40),
      };
      client.publish(`trygg/v1/devices/${d.id}/telemetry`, JSON.stringify(telemetry), { qos: 0 });
    }
    later.run(opts.heartbeatEveryMs ?? heartbeatMs.get(d.id) ?? 60_000, () => beat(d));
  };

  const concurrency = opts.connectConcurrency ?? 50;
  let next = 0;
  let failed = 0;
  const t0 = Date.now();
  let lastReport = t0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, opts.devices.length) }, async () => {
      while (next < opts.devices.length && !later.isStopped) {
        const i = next++;
        const d = opts.devices[i] as SimDevice;
        try {
          await connect(d, i);
          later.run(random() * (opts.heartbeatEveryMs ?? 60_000), () => beat(d));
        } catch (err) {
          failed++;
          if (failed <= 5) opts.log(`${d.id}: could not connect (${err instanceof Error ? err.message : String(err)})`);
        }
        if (Date.now() - lastReport > 10_000) {
          lastReport = Date.now();
          opts.log(`${clients.size}/${opts.devices.length} devices connected`);
        }
      }
    }),
  );
  opts.log(
    `${clients.size} devices connected to ${opts.mqttUrl} in ${((Date.now() - t0) / 1000).toFixed(1)} s` +
      (failed ? ` (${failed} could not)` : ''),
  );

  const alarming = opts.devices.filter((d) => ALARM_OF[d.kind] && clients.has(d.id));
  const raise = async (deviceId?: string) => {
    const d = deviceId ? opts.devices.find((x) => x.id === deviceId) : alarming[Math.floor(random() * alarming.length)];
    if (!d) throw new Error('no device can raise an alarm');
    const type = ALARM_OF[d.kind] ?? 'alarm.button';
    if (!pressedAt.has(d.id)) pressedAt.set(d.id, Date.now());
    if (verbose) opts.log(`→ ${d.where}: ${type}`);
    const eventId = await send(d.id, type);
    return { deviceId: d.id, eventId };
  };

  if (opts.alarmEveryMs !== undefined) {
    const every = opts.alarmEveryMs;
    const scheduleAlarm = () => {
      // Exponential gaps: alarms arrive as a Poisson process with the given mean.
      later.run(-Math.log(1 - random()) * every, () => {
        raise().catch((err: unknown) => opts.log(`alarm failed: ${String(err)}`));
        scheduleAlarm();
      });
    };
    scheduleAlarm();
  }

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
    cancel: async (deviceId) => {
      await send(deviceId, 'cancel');
      pressedAt.delete(deviceId);
      if (verbose) opts.log(`→ ${opts.devices.find((x) => x.id === deviceId)?.where ?? deviceId}: cancel (pressed by mistake)`);
    },
    test,
    connected: () => [...clients.values()].filter((c) => c.connected).length,
    isConnected: (id) => clients.get(id)?.connected ?? false,
    stop: async () => {
      later.stop();
      await Promise.all([...clients.values()].map((c) => c.endAsync()));
    },
  };
}
