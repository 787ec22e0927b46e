/**
 * Device gateway benchmark, the service in its own process over real MQTT and socket.io:
 * 1. alarm latency from a device's PUBLISH to the operator's socket (`alarm:update` "opened"),
 *    p50 / p99 / p99.9, with telemetry in the background (goal p99 ≤ 10 ms); peer: publish →
 *    subscriber through bare aedes (its own process) under the same background load;
 * 2. telemetry committed per second at QoS 1 (a PUBACK from Trygg means committed), with the
 *    rows counted afterwards (nothing lost); peers: bare aedes acknowledging the same load, and
 *    Mosquitto forwarding it to a QoS 1 subscriber (goal ≥ 0.4× bare aedes);
 * 3. many connected devices with a heartbeat each: the service's resident memory per connection
 *    (goal ≤ 64 KB; peer: Mosquitto's), and alarm latency while all of them reconnect at once
 *    (goal p99 ≤ 50 ms: alarms come before the reconnecting devices' CONNECTs);
 * 4. an honest device's first CONNECT and alarm latency during a flood of 300 wrong CONNECTs from
 *    one address, against the same quiet (goal: alarm p99 ≤ 3× quiet), in gateway-flood.ts.
 * Device secrets here are hashed with cheap scrypt parameters (the format carries them), so the
 * figures are the gateway's and not the KDF's; a real first connect costs one full scrypt, and so
 * do the flood's honest devices and the attacker's unknown ids.
 */
import { randomBytes, scrypt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { migrate } from '@trygg/alarm-core';
import { createUser, hashSecret } from '@trygg/devices';
import { connectMany } from './connect-many.js';
import { floodRounds, type FloodResult } from './gateway-flood.js';
import { operatorScreen, timedAlarms } from './timed-alarms.js';
import {
  createBenchDatabase,
  dropBenchDatabase,
  freePort,
  startBareAedes,
  startCrowd,
  startService,
  type Child,
} from './processes.js';
import { figure, type Figure } from './figures.js';
import { fmt, median, summarise, type Summary } from './stats.js';

export interface GatewayBenchOptions {
  adminUrl: string;
  /** Connected devices for the memory and reconnect-storm figures. */
  devices: number;
  /** Alarms for the latency figure. */
  alarms: number;
  /** Alarms per side (quiet, flood) for the CONNECT-flood figure, over all rounds. */
  floodAlarms: number;
  /** Background telemetry messages per second. */
  telemetryRate: number;
  /** Seconds of each QoS 1 throughput round. */
  seconds: number;
  /** Rounds of the latency and throughput figures, each side in turn. */
  rounds: number;
  mosquittoUrl: string;
  /** Name of the database the service runs on (created and dropped here). */
  databaseName: string;
  log: (line: string) => void;
}

export interface GatewayBenchResult {
  alarmLatencyMs: Summary;
  bareAedesLatencyMs: Summary;
  backgroundPerS: number;
  telemetryPerS: number;
  telemetryLost: number;
  bareAedesPerS: number;
  mosquittoPerS: number;
  devices: number;
  memoryPerConnectionKiB: number;
  mosquittoMemoryPerConnectionKiB: number | null;
  stormLatencyMs: Summary;
  stormReconnectS: number;
  flood: FloodResult;
  /** Per round, interleaved: alarm latency p99 (Trygg, bare aedes), telemetry per second (Trygg, bare aedes, Mosquitto). */
  rounds: {
    alarmP99: number[];
    bareAedesP99: number[];
    telemetryPerS: number[];
    bareAedesPerS: number[];
    mosquittoPerS: number[];
  };
}

const TELEMETRY_DEVICES = 200;
/** Alarms raised on each side before the measured rounds (JIT, caches, connections), not counted. */
const WARM_UP_ALARMS = 50;
const STORM_ALARMS = 100;
/** Wrong CONNECTs in flight at once during the flood (issue 17 item 8). */
const FLOOD_ATTACKERS = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** N=16, r=1, p=1: the stored format names its parameters, so verification follows them. */
export async function cheapHash(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const cheap = await new Promise<Buffer>((res, rej) =>
    scrypt(secret, salt, 32, { N: 16, r: 1, p: 1 }, (e, k) => (e ? rej(e) : res(k))),
  );
  return ['scrypt', 16, 1, 1, salt.toString('base64url'), cheap.toString('base64url')].join('$');
}

async function seed(pool: pg.Pool, groups: Record<string, number>, secret: string): Promise<void> {
  await pool.query(`INSERT INTO sites (id, kind, name, address) VALUES ('gb-home', 'home', 'Bench home', 'Benchveien 1')`);
  await pool.query(`INSERT INTO residents (id, name, site_id) VALUES ('gb-res', 'Bench resident', 'gb-home')`);
  await pool.query(
    `INSERT INTO relatives (id, resident_id, name, consent_at, consent_by) VALUES ('gb-rel', 'gb-res', 'Bench relative', now(), 'bench')`,
  );
  const hash = await cheapHash(secret);
  for (const [prefix, n] of Object.entries(groups)) {
    await pool.query(
      `INSERT INTO devices (id, kind, serial, protocol, secret_hash, status, resident_id, heartbeat_interval_s)
       SELECT $1 || g, 'alarm-button', 'GB-' || $1 || g, 'mqtt', $2, 'active', 'gb-res', 3600 FROM generate_series(1, $3) g`,
      [prefix, hash, n],
    );
  }
}

/** QoS 0 telemetry at `rate` messages/s spread over the clients, until stopped. */
function background(clients: MqttClient[], topicOf: (i: number) => string, rate: number): { stop(): number } {
  let sent = 0;
  let i = 0;
  const t0 = performance.now();
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - t0) / 1000) * rate) - sent;
    for (let k = 0; k < due; k++, i++) {
      const c = clients[i % clients.length] as MqttClient;
      c.publish(topicOf(i % clients.length), JSON.stringify({ ts: new Date().toISOString(), rssi: -60 - (i % 30) }), { qos: 0 });
      sent++;
    }
  }, 5);
  return {
    stop: () => {
      clearInterval(timer);
      return sent / ((performance.now() - t0) / 1000);
    },
  };
}

/** Each client keeps `window` QoS 1 publishes in flight for `seconds`; acknowledged per second. */
async function qos1Load(
  clients: MqttClient[],
  topicOf: (i: number) => string,
  seconds: number,
  clock = { next: Date.now() - 60_000 },
  window = 16,
): Promise<{ acked: number; perS: number }> {
  let acked = 0;
  const until = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    clients.map((c, i) =>
      Promise.all(
        Array.from({ length: window }, async () => {
          while (performance.now() < until) {
            const ts = new Date(clock.next++).toISOString(); // distinct per message: (device, metric, ts) is a key
            await c.publishAsync(topicOf(i), JSON.stringify({ ts, battery: 50 }), { qos: 1 });
            acked++;
          }
        }),
      ),
    ),
  );
  return { acked, perS: acked / ((performance.now() - t0) / 1000) };
}

async function rssOfService(httpUrl: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('trygg_process_resident_memory_bytes '));
  return Number(line?.split(' ')[1]);
}

/**
 * Mosquitto's count of the bytes it has allocated (`$SYS/broker/heap/current`). The broker
 * republishes it every `sys_interval` (10 s by default), and only when it changed; a subscriber
 * gets the last one retained. `settled()` listens for 11 s and gives the latest figure, or null
 * when none came (a broker built without memory tracking).
 */
async function mosquittoHeap(url: string): Promise<{ settled(): Promise<number | null>; close(): void }> {
  const c = await mqtt.connectAsync(url, { clientId: `gb-heap-${randomBytes(3).toString('hex')}`, reconnectPeriod: 0 });
  let latest: number | null = null;
  c.on('message', (_topic, payload) => (latest = Number(payload.toString())));
  await c.subscribeAsync('$SYS/broker/heap/current');
  return {
    settled: async () => {
      await sleep(11_000);
      return latest;
    },
    close: () => c.end(true),
  };
}

export async function benchGateway(o: GatewayBenchOptions): Promise<GatewayBenchResult> {
  const { log } = o;
  const name = o.databaseName;
  const databaseUrl = await createBenchDatabase(o.adminUrl, name);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'trygg-gwbench-'));
  const children: Child[] = [];
  const clients: MqttClient[] = [];
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  pool.on('error', () => undefined); // an idle connection dropped must not end the benchmark
  try {
    await migrate(databaseUrl);
    const secret = randomBytes(12).toString('base64url');
    const floodPerRound = Math.ceil(o.floodAlarms / o.rounds);
    const connectsPerRound = Math.max(3, Math.ceil(floodPerRound / 10));
    await seed(
      pool,
      {
        'gb-a': o.alarms,
        'gb-w': WARM_UP_ALARMS,
        'gb-s': STORM_ALARMS,
        'gb-t': TELEMETRY_DEVICES,
        'gb-c': o.devices,
        'gb-f': 2 * floodPerRound * o.rounds,
        'gb-h': 2 * connectsPerRound * o.rounds,
      },
      secret,
    );
    // The flood's honest devices have a real device's secret: one full scrypt at their first CONNECT.
    await pool.query(`UPDATE devices SET secret_hash = $1 WHERE id LIKE 'gb-h%'`, [await hashSecret(secret)]);
    await createUser(pool, {
      id: 'gb-op',
      username: 'gb-op',
      displayName: 'Bench operator',
      roles: ['operator'],
      password: secret,
    });
    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    const httpUrl = `http://127.0.0.1:${httpPort}`;
    const mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
    const service = await startService(
      {
        DATABASE_URL: databaseUrl,
        PORT: String(httpPort),
        TRYGG_MQTT_PORT: String(mqttPort),
        HOST: '127.0.0.1',
        TRYGG_DATA_DIR: dataDir,
        TRYGG_LOG_LEVEL: 'error',
        TRYGG_DEVICE_MSG_RATE: '100000',
        TRYGG_DEVICE_MSG_BURST: '100000',
        // The crowd's 10 000 devices (standing in for 10 000 homes) all come from 127.0.0.1, 200
        // CONNECTs at a time: no cap on one address's connections before CONNECT. The other
        // limits are the defaults, the flood's attacker meets them.
        TRYGG_MQTT_PENDING_PER_ADDRESS: '0',
        TRYGG_SIP: 'false', // the SCAIP receiver is not under test here (and 5060 may be taken)
      },
      httpUrl,
    );
    children.push(service);
    const bare = await startBareAedes();
    children.push(bare);
    const bareUrl = `mqtt://127.0.0.1:${bare.port}`;

    // The operator's screen.
    const { socket, opened } = await operatorScreen(httpUrl, 'gb-op', secret);

    const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
    // 1. Many connected devices with a heartbeat each, on the fresh service (its memory is quiet).
    log(`  ${o.devices} connected devices with heartbeats, then a reconnect storm of all of them`);
    // Mosquitto's first, and closed again. Its RSS is no measure: memory freed by an earlier
    // crowd stays resident and is reused. Its own count of allocated bytes is.
    let mosquittoMemoryPerConnectionKiB: number | null = null;
    const heap = await mosquittoHeap(o.mosquittoUrl);
    const m0 = await heap.settled();
    if (m0 !== null) {
      const mcrowd = await startCrowd({
        url: o.mosquittoUrl,
        prefix: `gb-m${randomBytes(3).toString('hex')}-`,
        n: o.devices,
        secret: null,
        heartbeat: false,
        reconnect: false,
      });
      const m1 = await heap.settled();
      if (m1 !== null) mosquittoMemoryPerConnectionKiB = (m1 - m0) / mcrowd.connected / 1024;
      await mcrowd.stop();
    }
    heap.close();
    await sleep(2_000);
    const rss0 = await rssOfService(httpUrl);
    // The crowd lives in a process of its own: see gateway-crowd.ts.
    const crowd = await startCrowd({
      url: mqttUrl,
      prefix: 'gb-c',
      n: o.devices,
      secret,
      heartbeat: true,
      reconnect: true,
    });
    children.push(crowd);
    await sleep(2_000);
    const rss1 = await rssOfService(httpUrl);
    const memoryPerConnectionKiB = (rss1 - rss0) / o.devices / 1024;
    log(
      `    Trygg ${fmt(memoryPerConnectionKiB)} KiB per connection; Mosquitto ${fmt(mosquittoMemoryPerConnectionKiB ?? NaN)} KiB`,
    );

    const tele = ids('gb-t', TELEMETRY_DEVICES);
    const teleTopic = (i: number) => `trygg/v1/devices/${tele[i]}/telemetry`;

    // 2. Alarm latency with background telemetry, in rounds alternating with the same through
    // bare aedes (each round's alarms come from devices that have not raised one yet).
    log(
      `  alarm latency: ${o.alarms} alarms at 50/s with ${o.telemetryRate} telemetry msg/s in the background, ${o.rounds} rounds each after a warm-up of ${WARM_UP_ALARMS}`,
    );
    const alarmIds = ids('gb-a', o.alarms);
    const alarmClients = await connectMany(mqttUrl, alarmIds, secret);
    const teleClients = await connectMany(mqttUrl, tele, secret);
    clients.push(...alarmClients, ...teleClients);
    const bareSub = await mqtt.connectAsync(bareUrl, { clientId: 'gb-sub', reconnectPeriod: 0 });
    const bareArrived = new Map<string, (t: number) => void>();
    bareSub.on('message', (topic) => bareArrived.get(topic)?.(performance.now()));
    await bareSub.subscribeAsync('bench/alarm/#', { qos: 1 });
    const barePubs = await connectMany(
      bareUrl,
      alarmIds.map((i) => `${i}-bare`),
      null,
    );
    const bareTele = await connectMany(
      bareUrl,
      tele.map((i) => `${i}-bare`),
      null,
    );
    clients.push(bareSub, ...barePubs, ...bareTele);

    /** Alarms from `devices` (those in [from, to)) under the background load, timed. */
    const tryggAlarms = async (
      devices: { clients: MqttClient[]; ids: string[]; eventPrefix: string },
      from: number,
      to: number,
    ): Promise<{ latencies: number[]; backgroundPerS: number }> => {
      const bg = background(teleClients, teleTopic, o.telemetryRate);
      await sleep(1_000);
      const latencies = await timedAlarms({ opened, ...devices, gapMs: 20, from, to });
      return { latencies, backgroundPerS: bg.stop() };
    };
    const bareAlarms = async (from: number, to: number): Promise<number[]> => {
      const bg2 = background(bareTele, (i) => `bench/telemetry/${i}`, o.telemetryRate);
      await sleep(1_000);
      const bareLat: number[] = [];
      const bareWaits: Promise<void>[] = [];
      for (let i = from; i < to; i++) {
        const topic = `bench/alarm/${i}`;
        const t0 = performance.now();
        bareWaits.push(
          new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 30_000);
            bareArrived.set(topic, (t) => {
              bareLat.push(t - t0);
              clearTimeout(timer);
              resolve();
            });
          }),
        );
        (barePubs[i] as MqttClient).publish(topic, JSON.stringify({ id: `b-${i}`, type: 'alarm.button' }), { qos: 1 });
        await sleep(20);
      }
      await Promise.all(bareWaits);
      bg2.stop();
      return bareLat;
    };
    // Warm-up on each side, under the same background load, not counted.
    const warmIds = ids('gb-w', WARM_UP_ALARMS);
    const warmClients = await connectMany(mqttUrl, warmIds, secret);
    clients.push(...warmClients);
    await tryggAlarms({ clients: warmClients, ids: warmIds, eventPrefix: 'gbw-' }, 0, WARM_UP_ALARMS);
    await bareAlarms(0, WARM_UP_ALARMS);
    const latencies: number[] = [];
    const bareLat: number[] = [];
    const alarmRoundsP99: number[] = [];
    const bareAedesRoundsP99: number[] = [];
    const backgrounds: number[] = [];
    const perRound = Math.ceil(o.alarms / o.rounds);
    for (let r = 0; r < o.rounds; r++) {
      const [from, to] = [r * perRound, Math.min(o.alarms, (r + 1) * perRound)];
      const t = await tryggAlarms({ clients: alarmClients, ids: alarmIds, eventPrefix: 'gb-' }, from, to);
      const b = await bareAlarms(from, to);
      latencies.push(...t.latencies);
      bareLat.push(...b);
      backgrounds.push(t.backgroundPerS);
      alarmRoundsP99.push(summarise(t.latencies).p99);
      bareAedesRoundsP99.push(summarise(b).p99);
      log(
        `    round ${r + 1}: p99 Trygg ${fmt(alarmRoundsP99.at(-1) ?? NaN)} ms, bare aedes ${fmt(bareAedesRoundsP99.at(-1) ?? NaN)} ms`,
      );
    }
    const backgroundPerS = median(backgrounds);
    const alarmLatencyMs = summarise(latencies);
    const bareAedesLatencyMs = summarise(bareLat);
    log(
      `    Trygg p50 ${fmt(alarmLatencyMs.p50)} p99 ${fmt(alarmLatencyMs.p99)} p99.9 ${fmt(alarmLatencyMs.p999)} ms (${latencies.length}/${o.alarms} seen); bare aedes p50 ${fmt(bareAedesLatencyMs.p50)} p99 ${fmt(bareAedesLatencyMs.p99)} ms`,
    );
    for (const c of [...barePubs, ...bareTele]) c.end(true);

    // 3. Telemetry committed per second (QoS 1), and the peers under the same client load, in
    // rounds: Trygg, bare aedes, Mosquitto, Trygg, …
    log(`  telemetry QoS 1: ${TELEMETRY_DEVICES} devices × 16 in flight for ${o.seconds} s, ${o.rounds} rounds each`);
    const bareLoad = await connectMany(
      bareUrl,
      tele.map((i) => `${i}-q1`),
      null,
    );
    clients.push(...bareLoad);
    const run = randomBytes(3).toString('hex');
    const mosqSub = await mqtt.connectAsync(o.mosquittoUrl, { clientId: `gb-sub-${run}`, reconnectPeriod: 0 });
    let forwarded = 0;
    mosqSub.on('message', () => forwarded++);
    await mosqSub.subscribeAsync(`bench/${run}/#`, { qos: 1 });
    const mosqLoad = await connectMany(
      o.mosquittoUrl,
      tele.map((i) => `${i}-${run}`),
      null,
    );
    // Trygg's samples carry timestamps distinct across rounds: (device, metric, ts) is a key.
    const tryggClock = { next: Date.now() - 50 * 60_000 };
    const telemetryRounds: number[] = [];
    const bareAedesRounds: number[] = [];
    const mosquittoRounds: number[] = [];
    let telemetryLost = 0;
    for (let r = 0; r < o.rounds; r++) {
      const rowsBefore = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM telemetry')).rows[0]?.n);
      const trygg = await qos1Load(teleClients, teleTopic, o.seconds, tryggClock);
      const rowsAfter = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM telemetry')).rows[0]?.n);
      // Each acknowledged sample is one row (one metric): a PUBACK without its row is a loss.
      telemetryLost += trygg.acked - (rowsAfter - rowsBefore);
      telemetryRounds.push(trygg.perS);
      bareAedesRounds.push((await qos1Load(bareLoad, (i) => `bench/telemetry/${i}`, o.seconds)).perS);
      forwarded = 0;
      const f0 = performance.now();
      await qos1Load(mosqLoad, (i) => `bench/${run}/telemetry/${i}`, o.seconds);
      await sleep(500);
      mosquittoRounds.push(forwarded / ((performance.now() - f0 - 500) / 1000));
      log(
        `    round ${r + 1}: Trygg ${fmt(trygg.perS, 0)}/s, bare aedes ${fmt(bareAedesRounds.at(-1) ?? NaN, 0)}/s, Mosquitto forwarding ${fmt(mosquittoRounds.at(-1) ?? NaN, 0)}/s`,
      );
    }
    for (const c of [...bareLoad, ...mosqLoad, mosqSub]) c.end(true);
    const telemetryPerS = median(telemetryRounds);
    const bareAedesPerS = median(bareAedesRounds);
    const mosquittoPerS = median(mosquittoRounds);
    log(
      `    Trygg ${fmt(telemetryPerS, 0)}/s (${telemetryLost} acknowledged but not stored), bare aedes ${fmt(bareAedesPerS, 0)}/s, Mosquitto forwarding ${fmt(mosquittoPerS, 0)}/s`,
    );

    // 4. Every connected device drops and reconnects at once while alarms come in.
    const stormIds = ids('gb-s', STORM_ALARMS);
    const stormClients = await connectMany(mqttUrl, stormIds, secret);
    clients.push(...stormClients);
    const allBack = crowd.storm(); // every connection drops at once
    const stormLat = await timedAlarms({ opened, clients: stormClients, ids: stormIds, eventPrefix: 'storm-', gapMs: 20 });
    const stormReconnectS = await Promise.race([allBack, sleep(60_000).then(() => NaN)]);
    const stormLatencyMs = summarise(stormLat);
    log(
      `    storm: all back in ${fmt(stormReconnectS)} s; alarm p50 ${fmt(stormLatencyMs.p50)} p99 ${fmt(stormLatencyMs.p99)} ms`,
    );

    // 5. An honest device's first CONNECT and alarms, quiet and during a flood of wrong CONNECTs.
    log(
      `  CONNECT flood: ${FLOOD_ATTACKERS} wrong CONNECTs in flight from one address; ${floodPerRound} alarms and ${connectsPerRound} honest first CONNECTs per side, ${o.rounds} rounds of quiet then flood`,
    );
    const floodIds = ids('gb-f', 2 * floodPerRound * o.rounds);
    const floodClients = await connectMany(mqttUrl, floodIds, secret);
    clients.push(...floodClients);
    const flood = await floodRounds({
      mqttUrl,
      opened,
      alarmClients: floodClients,
      alarmIds: floodIds,
      honestIds: ids('gb-h', 2 * connectsPerRound * o.rounds),
      honestSecret: secret,
      rounds: o.rounds,
      alarmsPerRound: floodPerRound,
      connectsPerRound,
      attackers: FLOOD_ATTACKERS,
      log,
    });
    log(
      `    alarm p99 quiet ${fmt(flood.quietAlarmMs.p99)} ms, flood ${fmt(flood.floodAlarmMs.p99)} ms; honest CONNECT p50 quiet ${fmt(flood.quietConnectMs.p50)} ms, flood ${fmt(flood.floodConnectMs.p50)} ms (${flood.honestFailed} failed); the attacker sent ${flood.attacker.attempts}: ${JSON.stringify(flood.attacker.answered)}`,
    );
    socket.close();
    return {
      alarmLatencyMs,
      bareAedesLatencyMs,
      backgroundPerS,
      telemetryPerS,
      telemetryLost,
      bareAedesPerS,
      mosquittoPerS,
      devices: o.devices,
      memoryPerConnectionKiB,
      mosquittoMemoryPerConnectionKiB,
      stormLatencyMs,
      stormReconnectS,
      flood,
      rounds: {
        alarmP99: alarmRoundsP99,
        bareAedesP99: bareAedesRoundsP99,
        telemetryPerS: telemetryRounds,
        bareAedesPerS: bareAedesRounds,
        mosquittoPerS: mosquittoRounds,
      },
    };
  } finally {
    for (const c of clients) c.end(true);
    for (const c of children.reverse()) await c.stop().catch(() => undefined);
    await pool.end();
    await dropBenchDatabase(o.adminUrl, name);
    await rm(dataDir, { recursive: true, force: true });
  }
}

export function gatewayFigures(r: GatewayBenchResult): Figure[] {
  const section = 'gateway';
  return [
    figure({
      section,
      name: `alarm PUBLISH → operator socket p50 / p99 / p99.9 / max (ms), ${Math.round(r.backgroundPerS)} telemetry msg/s beside`,
      kind: 'latency',
      trygg: r.alarmLatencyMs,
      peer: { name: 'bare aedes', value: r.bareAedesLatencyMs },
      goal: { text: 'p99 ≤ 10', met: r.alarmLatencyMs.p99 <= 10 },
      rounds: { trygg: r.rounds.alarmP99, peer: r.rounds.bareAedesP99 },
    }),
    figure({
      section,
      name: 'telemetry committed / s, QoS 1 (median of rounds)',
      kind: 'rate',
      trygg: r.telemetryPerS,
      peer: { name: 'bare aedes', value: r.bareAedesPerS },
      goal: { text: 'Trygg/peer ≥ 0.4', met: r.telemetryPerS / r.bareAedesPerS >= 0.4 },
      rounds: { trygg: r.rounds.telemetryPerS, peer: r.rounds.bareAedesPerS },
    }),
    figure({
      section,
      name: 'telemetry committed / s, QoS 1, against Mosquitto forwarding',
      kind: 'rate',
      trygg: r.telemetryPerS,
      peer: { name: 'Mosquitto fwd', value: r.mosquittoPerS },
      rounds: { trygg: r.rounds.telemetryPerS, peer: r.rounds.mosquittoPerS },
    }),
    figure({
      section,
      name: 'telemetry acknowledged but not stored',
      kind: 'count',
      trygg: r.telemetryLost,
      goal: { text: '0', met: r.telemetryLost === 0 },
    }),
    figure({
      section,
      name: `memory per connection, ${r.devices} devices (KiB)`,
      kind: 'count',
      trygg: r.memoryPerConnectionKiB,
      // Mosquitto's resident memory often does not grow measurably (heap room from earlier peaks).
      ...(r.mosquittoMemoryPerConnectionKiB !== null
        ? { peer: { name: 'Mosquitto', value: r.mosquittoMemoryPerConnectionKiB } }
        : {}),
      goal: { text: '≤ 64', met: r.memoryPerConnectionKiB <= 64 },
    }),
    figure({
      section,
      name: `reconnect storm of ${r.devices}: all back (s)`,
      kind: 'duration',
      trygg: r.stormReconnectS,
    }),
    figure({
      section,
      name: 'alarm during the storm p50 / p99 / p99.9 / max (ms)',
      kind: 'latency',
      trygg: r.stormLatencyMs,
      goal: { text: 'p99 ≤ 50', met: r.stormLatencyMs.p99 <= 50 },
    }),
    ...floodFigures(r.flood),
  ];
}

function floodFigures(f: FloodResult): Figure[] {
  const section = 'gateway';
  const answered = Object.values(f.attacker.answered).reduce((n, k) => n + k, 0);
  const letIn = f.attacker.answered['0'] ?? 0;
  return [
    figure({
      section,
      name: `alarm during a flood of ${f.attackers} wrong CONNECTs from one address p50 / p99 / p99.9 / max (ms)`,
      kind: 'latency',
      trygg: f.floodAlarmMs,
      peer: { name: 'quiet', value: f.quietAlarmMs },
      goal: { text: 'p99 ≤ 3× quiet', met: f.floodAlarmMs.p99 <= 3 * f.quietAlarmMs.p99 },
      rounds: { trygg: f.rounds.floodAlarmP99, peer: f.rounds.quietAlarmP99 },
    }),
    figure({
      section,
      name: "honest device's first CONNECT during the flood p50 / p99 / p99.9 / max (ms)",
      kind: 'latency',
      trygg: f.floodConnectMs,
      peer: { name: 'quiet', value: f.quietConnectMs },
      goal: { text: 'all connect', met: f.honestFailed === 0 },
      rounds: { trygg: f.rounds.floodConnectP99, peer: f.rounds.quietConnectP99 },
    }),
    figure({
      section,
      name: "flood: the attacker's CONNECTs refused / still waiting when it stopped / let in",
      kind: 'count',
      trygg: `${answered - letIn} / ${f.attacker.attempts - answered} / ${letIn}`,
      goal: { text: 'none let in', met: letIn === 0 },
    }),
  ];
}
