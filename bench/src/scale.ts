/**
 * Scaling curve: the same scenario at several fleet sizes (default 1 000, 10 000, 50 000
 * devices), the service in its own process. Per size: a fresh database with N devices (cheap
 * scrypt hashes, like the gateway benchmark: the figures are the service's, not the KDF's; a real
 * first connect costs one full scrypt, ≈ 70 ms here), all N connected from client processes on
 * their own loopback addresses (one address has ~28 000 ephemeral ports) sending a heartbeat
 * and a telemetry sample each every `heartbeatS`; then alarms at a steady rate from devices of
 * their own, each timed from its PUBLISH to the operator's socket (`alarm:update` "opened").
 * Measured from /proc: the service's RSS, its CPU seconds per second (whole process, and its
 * main thread, which is the Node event loop), the CPU of the PostgreSQL backends serving its
 * database, the machine's CPU, and open file descriptors. The verdict names the resource closest
 * to its ceiling at each size, and the first size where one is at it, from these numbers.
 * Peer: the same latency at the smallest size (growth), and Mosquitto's RSS per connection
 * from the gateway benchmark where that ran.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { migrate } from '@trygg/alarm-core';
import { createUser } from '@trygg/devices';
import { cheapHash } from './gateway.js';
import { createBenchDatabase, dropBenchDatabase, freePort } from './processes.js';
import { figure, type Figure } from './figures.js';
import { operatorScreen, timedAlarms } from './timed-alarms.js';
import { fmt, summarise, type Summary } from './stats.js';

export interface ScaleBenchOptions {
  adminUrl: string;
  /** Each size's database is named after it; the run's prefix lets the CPU sampler count it as ours. */
  databaseName: string;
  sizes: number[];
  /** Alarms per second in the measured window, and the window's length. */
  alarmRate: number;
  seconds: number;
  /** Each device's heartbeat (and telemetry) period. */
  heartbeatS: number;
  log: (line: string) => void;
}

export interface ScalePoint {
  devices: number;
  connectS: number;
  connectFailed: number;
  latencyMs: Summary;
  rssMiB: number;
  rssPerDeviceKiB: number;
  /** CPU seconds per second in the measured window. */
  serviceCpu: number;
  eventLoopCpu: number;
  eventLoopCpuConnecting: number;
  pgCpuConnecting: number;
  crowdCpuConnecting: number;
  machineCpuConnecting: number;
  connectsPerS: number;
  pgCpu: number;
  machineCpu: number;
  /** CPU seconds per second of the simulated devices' processes. */
  crowdCpu: number;
  fds: number;
  fdLimit: number;
  /** Messages per second the devices sent in the window (heartbeats + telemetry). */
  backgroundPerS: number;
  /** Each resource's use as a share of its ceiling, and the highest. */
  load: Record<string, number>;
  /** What limited the measurement rather than the service (the bench's client process, other work on the machine). */
  caveats: string[];
  bottleneck: string;
}

export interface ScaleBenchResult {
  points: ScalePoint[];
  cores: number;
  /** The first size at which a resource reached 90 % of its ceiling, and which. */
  firstLimit: { devices: number; resource: string; share: number } | null;
  verdict: string;
}

/** A resource at this share of its ceiling is at its limit. */
const LIMIT = 0.9;
const NOFILE = 200_000;
const PER_CHILD = 12_500;
/** USER_HZ: /proc times are in 1/100 s on Linux. */
const TICK = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** utime + stime of a process (or one of its threads), in seconds. */
async function cpuOf(pid: number, tid?: number): Promise<number> {
  const stat = await readFile(tid ? `/proc/${pid}/task/${tid}/stat` : `/proc/${pid}/stat`, 'utf8').catch(() => '');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK;
}
async function rssOf(pid: number): Promise<number> {
  const s = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? NaN) * 1024;
}
async function machineBusy(): Promise<{ busy: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / TICK, total: total / TICK };
}
async function pgCpu(pool: pg.Pool, db: string): Promise<number> {
  const { rows } = await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [db]);
  let s = 0;
  for (const r of rows) s += await cpuOf(r.pid);
  return s;
}

function spawnLimited(script: string, args: string[], env: Record<string, string>): ChildProcess {
  // The service and each crowd process hold tens of thousands of sockets: raise the file limit to
  // NOFILE where allowed (root with CAP_SYS_RESOURCE), else to the hard limit, which then is a ceiling.
  const raise = `ulimit -n ${NOFILE} 2>/dev/null || ulimit -n "$(ulimit -Hn)"`;
  return spawn('sh', ['-c', `${raise}; exec "$0" --import tsx "$@"`, process.execPath, script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}
async function stopChild(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise<void>((r) => c.once('exit', () => r()));
  c.kill('SIGTERM');
  const t = setTimeout(() => c.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(t);
}

async function onePoint(o: ScaleBenchOptions, n: number): Promise<ScalePoint> {
  const { log } = o;
  const name = `${o.databaseName}_${n}`;
  const databaseUrl = await createBenchDatabase(o.adminUrl, name);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'trygg-scale-'));
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  pool.on('error', () => undefined);
  const children: ChildProcess[] = [];
  const clients: MqttClient[] = [];
  const alarms = Math.max(1, Math.round(o.alarmRate * o.seconds));
  try {
    await migrate(databaseUrl);
    const secret = randomBytes(12).toString('base64url');
    const hash = await cheapHash(secret);
    await pool.query(`INSERT INTO sites (id, kind, name, address) VALUES ('sc-home', 'home', 'Scale home', 'Skalaveien 1')`);
    await pool.query(`INSERT INTO residents (id, name, site_id) VALUES ('sc-res', 'Scale resident', 'sc-home')`);
    await pool.query(
      `INSERT INTO relatives (id, resident_id, name, consent_at, consent_by) VALUES ('sc-rel', 'sc-res', 'Scale relative', now(), 'bench')`,
    );
    await pool.query(
      `INSERT INTO devices (id, kind, serial, protocol, secret_hash, status, resident_id, heartbeat_interval_s)
       SELECT p || g, 'alarm-button', 'SC-' || p || g, 'mqtt', $1, 'active', 'sc-res', $2
         FROM (VALUES ('sc-d', $3::int), ('sc-a', $4::int)) v(p, n), generate_series(1, n) g`,
      [hash, o.heartbeatS, n, alarms],
    );
    await createUser(pool, {
      id: 'sc-op',
      username: 'sc-op',
      displayName: 'Scale operator',
      roles: ['operator'],
      password: secret,
    });

    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    const httpUrl = `http://127.0.0.1:${httpPort}`;
    const mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
    const main = fileURLToPath(import.meta.resolve('@trygg/server/main'));
    const service = spawnLimited(main, [], {
      DATABASE_URL: databaseUrl,
      PORT: String(httpPort),
      TRYGG_MQTT_PORT: String(mqttPort),
      HOST: '0.0.0.0',
      TRYGG_DATA_DIR: dataDir,
      TRYGG_LOG_LEVEL: 'error',
      TRYGG_DEVICE_MSG_RATE: '100000',
      TRYGG_DEVICE_MSG_BURST: '100000',
      TRYGG_MQTT_AUTH_FAILURES_PER_MIN: '1000000',
      TRYGG_SIP: 'false',
    });
    children.push(service);
    service.stdout?.resume();
    for (let ready = false, deadline = Date.now() + 60_000; !ready; await sleep(250)) {
      if (Date.now() > deadline || service.exitCode !== null) throw new Error('service not ready');
      ready = await fetch(`${httpUrl}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
    }
    const pid = service.pid as number; // sh exec'd node: same pid
    const { socket, opened } = await operatorScreen(httpUrl, 'sc-op', secret);
    // The alarm devices first: if the crowd finds a ceiling, the latency is still measured.
    const alarmIds = Array.from({ length: alarms }, (_, i) => `sc-a${i + 1}`);
    for (let i = 0; i < alarmIds.length; i += 100) {
      clients.push(
        ...(await Promise.all(
          alarmIds
            .slice(i, i + 100)
            .map((id) =>
              mqtt.connectAsync(mqttUrl, { clientId: id, username: id, password: secret, reconnectPeriod: 0, keepalive: 600 }),
            ),
        )),
      );
    }
    await sleep(1_000);
    const rss0 = await rssOf(pid);

    // Connect the crowd from child processes, each on its own loopback address.
    const loop0 = await cpuOf(pid, pid);
    const [pgC0, mC0] = [await pgCpu(pool, name), await machineBusy()];
    const c0 = performance.now();
    const shares = Math.ceil(n / PER_CHILD);
    const crowd = fileURLToPath(new URL('./scale-crowd.ts', import.meta.url));
    const reports = await Promise.all(
      Array.from({ length: shares }, (_, k) => {
        const from = k * PER_CHILD + 1;
        const to = Math.min(n, (k + 1) * PER_CHILD);
        const c = spawnLimited(
          crowd,
          [
            JSON.stringify({
              url: mqttUrl,
              prefix: 'sc-d',
              from,
              to,
              secret,
              localAddress: `127.0.0.${2 + k}`,
              heartbeatS: o.heartbeatS,
            }),
          ],
          {},
        );
        children.push(c);
        return new Promise<{ connected: number; failed: number }>((resolve, reject) => {
          c.once('exit', (code) => reject(new Error(`crowd process exited with ${code}`)));
          createInterface({ input: c.stdout as NodeJS.ReadableStream }).once('line', (l) =>
            resolve(JSON.parse(l) as { connected: number; failed: number }),
          );
        });
      }),
    );
    const connectS = (performance.now() - c0) / 1000;
    const eventLoopCpuConnecting = ((await cpuOf(pid, pid)) - loop0) / connectS;
    const pgCpuConnecting = ((await pgCpu(pool, name)) - pgC0) / connectS;
    const mC1 = await machineBusy();
    const machineCpuConnecting = (mC1.busy - mC0.busy) / (mC1.total - mC0.total);
    // Each crowd process is one thread: its busiest share of a core says whether the load generator kept up.
    const crowdPids = children.slice(1).map((c) => c.pid as number);
    const crowdCpuConnecting = Math.max(...(await Promise.all(crowdPids.map((p) => cpuOf(p))))) / connectS;
    const connected = reports.reduce((a, r) => a + r.connected, 0);
    const connectFailed = reports.reduce((a, r) => a + r.failed, 0);
    log(
      `    ${n} devices: ${connected} connected in ${fmt(connectS)} s (${fmt(connected / connectS, 0)}/s, ${connectFailed} failed); ` +
        `meanwhile event loop ${fmt(eventLoopCpuConnecting * 100, 0)} %, PG ${fmt(pgCpuConnecting, 2)} s/s, ` +
        `busiest client process ${fmt(crowdCpuConnecting * 100, 0)} % of a core, machine (all agents) ${fmt(machineCpuConnecting * 100, 0)} %`,
    );

    // The measured window: alarms at a steady rate while every device beats.
    await sleep(2_000);
    const crowdCpu = async () =>
      (await Promise.all(crowdPids.map((p) => cpuOf(p)))).reduce((a, b) => a + b, 0) +
      process.cpuUsage().user / 1e6 +
      process.cpuUsage().system / 1e6;
    const [s0, l0, p0, m0, c0w, w0] = [
      await cpuOf(pid),
      await cpuOf(pid, pid),
      await pgCpu(pool, name),
      await machineBusy(),
      await crowdCpu(),
      performance.now(),
    ];
    const latencies = await timedAlarms({ opened, clients, ids: alarmIds, eventPrefix: 'sc-', gapMs: 1000 / o.alarmRate });
    const span = (performance.now() - w0) / 1000;
    const [s1, l1, p1, m1, c1w] = [
      await cpuOf(pid),
      await cpuOf(pid, pid),
      await pgCpu(pool, name),
      await machineBusy(),
      await crowdCpu(),
    ];
    const rss = await rssOf(pid);
    const fds = (await readdir(`/proc/${pid}/fd`).catch(() => [])).length;
    const limits = await readFile(`/proc/${pid}/limits`, 'utf8').catch(() => '');
    const fdLimit = Number(/Max open files\s+(\d+)/.exec(limits)?.[1] ?? NaN);
    const cores = os.cpus().length;
    const point: Omit<ScalePoint, 'load' | 'bottleneck' | 'caveats'> = {
      devices: n,
      connectS,
      connectFailed,
      latencyMs: summarise(latencies),
      rssMiB: rss / 2 ** 20,
      rssPerDeviceKiB: (rss - rss0) / Math.max(connected, 1) / 1024,
      serviceCpu: (s1 - s0) / span,
      eventLoopCpu: (l1 - l0) / span,
      eventLoopCpuConnecting,
      pgCpuConnecting,
      crowdCpuConnecting,
      machineCpuConnecting,
      connectsPerS: connected / connectS,
      pgCpu: (p1 - p0) / span,
      machineCpu: (m1.busy - m0.busy) / (m1.total - m0.total),
      crowdCpu: (c1w - c0w) / span,
      fds,
      fdLimit,
      backgroundPerS: (2 * n) / o.heartbeatS,
    };
    // Each resource as a share of its ceiling: the event loop has one core; the CPU of this test
    // (service, PostgreSQL backends, simulated devices) all cores; the other agents' load is context.
    const ours = point.serviceCpu + point.pgCpu + point.crowdCpu;
    const load: Record<string, number> = {
      'event loop (steady)': point.eventLoopCpu,
      'event loop (connecting)': point.eventLoopCpuConnecting,
      'CPU of service + PostgreSQL + devices': ours / cores,
      PostgreSQL: Math.max(point.pgCpu, pgCpuConnecting) / cores,
      // Refused connections with the table full: the limit was reached even if fds fell back since.
      'file descriptors': connectFailed > 0 ? Math.max(fds, connected) / fdLimit : fds / fdLimit,
      memory: rss / os.totalmem(),
    };
    const caveats: string[] = [];
    if (crowdCpuConnecting >= LIMIT)
      caveats.push(
        `a bench client process was ${fmt(crowdCpuConnecting * 100, 0)} % busy connecting: the connect time is partly the bench's`,
      );
    const machine = Math.max(point.machineCpu, machineCpuConnecting);
    if (machine >= LIMIT)
      caveats.push(
        `the machine was ${fmt(machine * 100, 0)} % busy (all agents' work): the service waited for CPU, times are upper bounds`,
      );
    const bottleneck = Object.entries(load).sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
    log(
      `    alarm → operator p50 ${fmt(point.latencyMs.p50)} p99 ${fmt(point.latencyMs.p99)} max ${fmt(point.latencyMs.max)} ms ` +
        `(${latencies.length}/${alarms}); RSS ${fmt(point.rssMiB, 0)} MiB (${fmt(point.rssPerDeviceKiB)} KiB/device); ` +
        `CPU service ${fmt(point.serviceCpu, 2)} (loop ${fmt(point.eventLoopCpu, 2)}) PG ${fmt(point.pgCpu, 2)} devices ${fmt(point.crowdCpu, 2)} s/s, machine (all agents) ${fmt(point.machineCpu * 100, 0)} %; fds ${fds} of ${fdLimit}`,
    );
    socket.close();
    return { ...point, load, bottleneck, caveats };
  } finally {
    for (const c of clients) c.end(true);
    for (const c of children.reverse()) await stopChild(c).catch(() => undefined);
    await pool.end();
    await dropBenchDatabase(o.adminUrl, name);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** What reaching each ceiling means. */
const WHY: Record<string, string> = {
  'event loop (steady)':
    'the service main thread (the Node event loop) is busy all the time: MQTT, engine and socket.io share it',
  'event loop (connecting)':
    'connecting every device keeps the Node event loop busy all the time (CONNECT, authentication, subscriptions)',
  'CPU of service + PostgreSQL + devices':
    'the machine has no CPU left for the service, its database and the simulated devices together',
  PostgreSQL: 'the database backends use the cores',
  'file descriptors': 'the service has a socket per device and no file descriptors left (ulimit -n); more devices are refused',
  memory: 'the service holds most of the machine memory',
  'device clients (the bench, connecting)':
    'the bench client process that connects the devices is busy all the time: connect time is the load generator’s, not the service’s',
  'machine CPU (all agents, connecting)':
    'the machine’s cores are busy (the service, its database, the simulated devices and any other work on the machine): the service waits for CPU',
};

export async function benchScale(o: ScaleBenchOptions): Promise<ScaleBenchResult> {
  const nrOpen = Number((await readFile('/proc/sys/fs/nr_open', 'utf8').catch(() => '0')).trim());
  if (nrOpen < NOFILE) o.log(`    /proc/sys/fs/nr_open is ${nrOpen}: the file limit cannot be raised to ${NOFILE}`);
  o.log(
    `  sizes ${o.sizes.join(', ')}; each device beats every ${o.heartbeatS} s; ${o.alarmRate} alarms/s for ${o.seconds} s (cheap scrypt hashes)`,
  );
  const points: ScalePoint[] = [];
  for (const n of o.sizes) points.push(await onePoint(o, n));
  let firstLimit: ScaleBenchResult['firstLimit'] = null;
  for (const p of points) {
    const [resource, share] = Object.entries(p.load).sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
    if (share >= LIMIT) {
      firstLimit = { devices: p.devices, resource, share };
      break;
    }
  }
  const last = points.at(-1);
  const first = points[0];
  let verdict: string;
  if (firstLimit) {
    verdict = `first limit at ${firstLimit.devices} devices: ${firstLimit.resource} at ${fmt(firstLimit.share * 100, 0)} % — ${WHY[firstLimit.resource] ?? ''}`;
  } else if (last && first) {
    const share = last.load[last.bottleneck] ?? 0;
    const firstShare = first.load[last.bottleneck] ?? 0;
    // Linear in devices between the smallest and the largest size, for the resource closest to its ceiling.
    const slope = (share - firstShare) / (last.devices - first.devices);
    const at = slope > 0 ? Math.round(last.devices + (LIMIT - share) / slope) : null;
    verdict =
      `no limit reached up to ${last.devices} devices; closest: ${last.bottleneck} at ${fmt(share * 100, 0)} %` +
      (at ? `, which at this growth reaches ${LIMIT * 100} % near ${at} devices` : ', not growing with the fleet');
  } else verdict = 'no sizes measured';
  const caveats = [...new Set(points.flatMap((p) => p.caveats.map((c) => `${p.devices}: ${c}`)))];
  if (caveats.length > 0) verdict += `. Caveats — ${caveats.join('; ')}`;
  o.log(`    ${verdict}`);
  return { points, cores: os.cpus().length, firstLimit, verdict };
}

/**
 * Figures for the combined table: per fleet size the alarm latency (peer: the smallest size's,
 * from the same run: the ratio is how the p99 grew), memory, CPU and connecting; then the first
 * limit, computed from the measurements.
 */
export function scaleFigures(r: ScaleBenchResult): Figure[] {
  const base = r.points[0];
  const out: Figure[] = [];
  const section = 'scale';
  for (const p of r.points) {
    out.push(
      figure({
        section,
        name: `scale ${p.devices}: alarm → operator socket (ms)`,
        kind: 'latency',
        trygg: p.latencyMs,
        ...(base && base !== p ? { peer: { name: `at ${base.devices} devices`, value: base.latencyMs } } : {}),
      }),
      figure({
        section,
        name: `scale ${p.devices}: service RSS (MiB), per device (KiB)`,
        kind: 'count',
        trygg: `${fmt(p.rssMiB, 0)}, ${fmt(p.rssPerDeviceKiB)}`,
      }),
      figure({
        section,
        name: `scale ${p.devices}: CPU s/s service (event loop) / PostgreSQL / device processes`,
        kind: 'count',
        trygg: `${fmt(p.serviceCpu, 2)} (${fmt(p.eventLoopCpu, 2)}) / ${fmt(p.pgCpu, 2)} / ${fmt(p.crowdCpu, 2)}; machine ${fmt(p.machineCpu * 100, 0)} % of ${r.cores} cores`,
      }),
      figure({
        section,
        name: `scale ${p.devices}: connect all (s), event loop busy meanwhile`,
        kind: 'duration',
        trygg: `${fmt(p.connectS)} (${fmt(p.connectsPerS, 0)}/s), ${fmt(p.eventLoopCpuConnecting * 100, 0)} %${p.connectFailed ? `; ${p.connectFailed} refused` : ''}; fds ${p.fds} of ${p.fdLimit}`,
      }),
    );
  }
  const last = r.points.at(-1);
  out.push(
    figure({
      section,
      name: 'scale: first limit (≥ 90 % of a ceiling)',
      kind: 'count',
      trygg: r.firstLimit
        ? `${r.firstLimit.devices} devices: ${r.firstLimit.resource} ${fmt(r.firstLimit.share * 100, 0)} %`
        : `none up to ${last?.devices ?? 0} (closest: ${last?.bottleneck ?? ''} ${fmt((last?.load[last.bottleneck] ?? 0) * 100, 0)} %)`,
    }),
  );
  return out;
}
