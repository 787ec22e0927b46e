/**
 * `npm run sim`: plays a municipality against a running `npm start`.
 * Reads the demo's devices and logins from `<data dir>/demo.json` (TRYGG_DATA_DIR, default ./.trygg
 * at the repo root), talks to the service at PORT (default 8080) on TRYGG_HTTP_HOST, connects to
 * the broker on TRYGG_MQTT_PORT (default 1883); the SCAIP units register at TRYGG_SIP_UDP_PORT
 * (default 5060) on TRYGG_SIP_HOST (hosts default 127.0.0.1). Options: see `usage` below.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Api, loopbackAddress, mapLimit } from './api.js';
import { provision, readFleet, serviceDigest, signInRelative, writeFleet, type FleetDevice } from './fleet.js';
import { startSimulation } from './municipality.js';
import { DEFAULT_BEHAVIOUR, faster, startPeople, type People, type Person } from './people.js';
import { SimClock } from './rates.js';
import { startScenario } from './scenario.js';
import { startScaipPlayer, type ScaipPlayer, type SimScaipUnit } from './scaip/player.js';
import { startSmsPhones, type SmscLogin } from './smsc/phones.js';
import { Tally } from './tally.js';

const usage = `npm run sim -- [options]
  --devices N       devices to play, 50…50000 (default: the demo's); beyond the demo a synthetic
                    municipality is provisioned once through the admin API and kept in .trygg/sim-fleet.json
  --speed S         time compression: alarm rates and the day's profile run S times faster (default 1)
  --every S         instead of the rates: one alarm every S seconds on average (default 20 for the demo alone)
  --start-hour H    start the simulated clock at hour H (0–23) of the municipality's day (default: now)
  --heartbeat S     heartbeat and telemetry every S seconds (default: what the service configures per device)
  --accept P        chance an alerted relative or staff member accepts (default ${DEFAULT_BEHAVIOUR.accept})
  --decline P       chance they decline (default ${DEFAULT_BEHAVIOUR.decline}); the rest do not answer
  --people-speed F  people answer, travel and resolve F times faster than the default human delays (default 1)
  --app-share P     share of the synthetic relatives who have the app (default 0.3, at most 300)
  --no-people       devices only: nobody answers (the operator page is yours; with people, the
                    simulated response centre is operator2 and the synthetic operators, never \`operator\`)
  --summary S       seconds between summary lines (default 60)
  --quiet           summary lines only, not each alarm`;

const { values } = parseArgs({
  options: {
    devices: { type: 'string' },
    speed: { type: 'string' },
    every: { type: 'string' },
    'start-hour': { type: 'string' },
    heartbeat: { type: 'string' },
    accept: { type: 'string', default: String(DEFAULT_BEHAVIOUR.accept) },
    decline: { type: 'string', default: String(DEFAULT_BEHAVIOUR.decline) },
    'app-share': { type: 'string', default: '0.3' },
    'people-speed': { type: 'string', default: '1' },
    'no-people': { type: 'boolean', default: false },
    summary: { type: 'string', default: '60' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
// Ctrl-C while provisioning or connecting just ends; once running, it stops everything cleanly.
let stopping: (() => void) | null = null;
const onSignal = () => (stopping ? stopping() : process.exit(130));
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const fail = (msg: string): never => {
  process.stderr.write(`${msg}\n\n${usage}\n`);
  process.exit(2);
};
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
const num = (name: string, v: string | undefined, ok: (x: number) => boolean): number | null => {
  if (v === undefined) return null;
  const x = Number(v);
  return ok(x) ? x : fail(`--${name} ${v}: out of range`);
};
const wanted = num('devices', values.devices, (x) => Number.isInteger(x) && x >= 1 && x <= 50_000);
const speed = num('speed', values.speed, (x) => x > 0 && x <= 100_000) ?? 1;
const startHour = num('start-hour', values['start-hour'], (x) => Number.isInteger(x) && x >= 0 && x <= 23);
const heartbeatS = num('heartbeat', values.heartbeat, (x) => x >= 1);
const accept = num('accept', values.accept, (x) => x >= 0 && x <= 1) ?? 0;
const decline = num('decline', values.decline, (x) => x >= 0 && x <= 1) ?? 0;
const appShare = num('app-share', values['app-share'], (x) => x >= 0 && x <= 1) ?? 0;
const peopleSpeed = num('people-speed', values['people-speed'], (x) => x > 0) ?? 1;
const summaryS = num('summary', values.summary, (x) => x >= 1) ?? 60;
if (accept + decline > 1) fail('--accept and --decline add up to more than 1');
// The demo alone is lively at one alarm every ~20 s; a bigger municipality runs on its rates unless --every says otherwise.
const everyS = num('every', values.every, (x) => x > 0) ?? (wanted === null && values.speed === undefined ? 20 : null);

// npm runs workspace scripts in the workspace folder; INIT_CWD is where `npm run sim` was typed.
const root = process.env.INIT_CWD ?? process.cwd();
const dataDir = path.resolve(root, process.env.TRYGG_DATA_DIR ?? '.trygg');
const mqttUrl = `mqtt://${process.env.TRYGG_MQTT_HOST ?? '127.0.0.1'}:${process.env.TRYGG_MQTT_PORT ?? '1883'}`;
const httpUrl = `http://${process.env.TRYGG_HTTP_HOST ?? '127.0.0.1'}:${process.env.PORT ?? '8080'}`;
const verbose = !values.quiet;
const log = (line: string) => process.stdout.write(`${new Date().toLocaleTimeString()} ${line}\n`);

interface Demo {
  users: { username: string; password: string; roles: string[]; name: string }[];
  devices: FleetDevice[];
  scaipUnits?: SimScaipUnit[];
}
const demoFile = path.join(dataDir, 'demo.json');
let demoText: string;
let demo: Demo;
try {
  demoText = await readFile(demoFile, 'utf8');
  demo = JSON.parse(demoText) as Demo;
} catch {
  process.stderr.write(`Cannot read ${demoFile}: start Trygg first with \`npm start\` (it seeds the demo).\n`);
  process.exit(2);
}
// The demo's care home: rooms 1xx on floor 1, 2xx on floor 2 (for shift-change bursts).
for (const d of demo.devices) {
  const floor = /^rom-(\d)/.exec(d.id)?.[1];
  if (floor) Object.assign(d, { floorId: `solbakken-a-${floor}`, buildingId: 'solbakken-a' });
}

const api = new Api(httpUrl);
let signIns = 0;
const signIn = async (username: string, password: string) => api.from(loopbackAddress(signIns++)).login(username, password);
const demoUser = (name: string) => demo.users.find((u) => u.username === name);
let adminToken: string | null = null;
const admin = async () => {
  if (adminToken) return adminToken;
  const a = demoUser('admin');
  if (!a) return fail('demo.json has no admin login');
  try {
    adminToken = (await signIn(a.username, a.password)).token;
  } catch (err) {
    process.stderr.write(
      `Cannot sign in at ${httpUrl} (${err instanceof Error ? err.message : String(err)}): is \`npm start\` running, and PORT the same?\n`,
    );
    process.exit(2);
  }
  return adminToken;
};

// The fleet: the demo's devices, and beyond them the synthetic municipality.
let devices: FleetDevice[] = demo.devices;
const people: { username: string; password: string; kind: Person['kind'] }[] = [];
const appRelatives: { id: string; name: string }[] = [];
if (wanted !== null && wanted < demo.devices.length) devices = demo.devices.slice(0, wanted);
if (wanted !== null && wanted > demo.devices.length) {
  const fleetFile = path.join(dataDir, 'sim-fleet.json');
  const fleet = await readFleet(fleetFile, serviceDigest(demoText));
  const have = fleet.parts.reduce((n, p) => n + p.devices.length, 0);
  const extra = wanted - demo.devices.length;
  if (have < extra) {
    const token = await admin();
    const part = await provision({
      api,
      adminToken: token,
      prefix: `sim${fleet.parts.length + 1}`,
      devices: extra - have,
      appShare,
      maxAppRelatives: 300,
      log,
    });
    fleet.parts.push(part);
    await writeFleet(fleetFile, fleet);
    log(`synthetic municipality kept in ${fleetFile} (reused next time)`);
  } else {
    log(`reusing the synthetic municipality in ${fleetFile}`);
  }
  devices = [...demo.devices, ...fleet.parts.flatMap((p) => p.devices)].slice(0, wanted);
  const playing = new Set(devices.flatMap((d) => (d.floorId ? [d.floorId] : [])));
  for (const part of fleet.parts) {
    for (const s of part.staff)
      if (s.role === 'operator' || (s.floorId && playing.has(s.floorId)))
        people.push({ username: s.username, password: s.password, kind: s.role });
    appRelatives.push(...part.appRelatives);
  }
}

const clock = new SimClock(everyS ? 1 : speed, startHour, process.env.TRYGG_TIME_ZONE ?? 'Europe/Oslo');
const tally = new Tally({ log, verbose });
const sim = await startSimulation({
  mqttUrl,
  devices,
  ...(heartbeatS ? { heartbeatEveryMs: heartbeatS * 1000 } : {}),
  verbose,
  log,
});

let crowd: People | null = null;
if (!values['no-people']) {
  // `operator` is left to the person at the operator page; `operator2` and the synthetic operators are simulated.
  for (const u of demo.users.filter((x) => x.username !== 'operator')) {
    const kind = u.roles.includes('operator')
      ? 'operator'
      : u.roles.includes('staff')
        ? 'staff'
        : u.roles.includes('relative')
          ? 'relative'
          : null;
    if (kind) people.unshift({ username: u.username, password: u.password, kind });
  }
  const signedIn = await mapLimit(people, 4, async (p) => {
    const { token, user } = await signIn(p.username, p.password);
    return { kind: p.kind, token, userId: user.userId, name: user.name } satisfies Person;
  });
  if (appRelatives.length > 0) {
    const token = await admin();
    const rels = await mapLimit(appRelatives, 4, async (r, i) => {
      const s = await signInRelative(api, token, r.id, signIns + i);
      return { kind: 'relative', token: s.token, userId: s.user.userId, name: s.user.name } satisfies Person;
    });
    signedIn.push(...rels);
  }
  crowd = await startPeople({
    httpUrl,
    api,
    people: signedIn,
    behaviour: faster({ ...DEFAULT_BEHAVIOUR, accept, decline }, peopleSpeed),
    verbose,
    log,
    onUpdate: (u) => tally.update(u),
  });
} else {
  log('--no-people: nobody answers; claim and resolve on the operator page');
}

// Relatives' phones: the embedded SMSC of `npm start` (no TRYGG_SMPP_HOST) wrote its port and the phones' login.
let phones: Awaited<ReturnType<typeof startSmsPhones>> | null = null;
if (!values['no-people']) {
  const smscFile = path.join(dataDir, 'smsc.json');
  const login = await readFile(smscFile, 'utf8').then(
    (t) => JSON.parse(t) as SmscLogin,
    () => null,
  );
  if (login) {
    phones = await startSmsPhones({
      login,
      behaviour: faster({ ...DEFAULT_BEHAVIOUR, accept, decline }, peopleSpeed),
      verbose,
      log,
    }).catch((err: unknown) => {
      log(`SMS phones not played (${smscFile}: ${err instanceof Error ? err.message : String(err)}); is \`npm start\` running?`);
      return null;
    });
    if (phones) log(`relatives' phones connected to the demo's SMSC at ${login.host}:${login.port}`);
  }
}

const scenario = startScenario({
  sim,
  devices,
  clock,
  everyS,
  onRaise: (id, repeat) => {
    if (!repeat) tally.raised(id);
  },
  onCancel: (id) => tally.cancelled(id),
  log,
  verbose,
});
log(
  `simulating ${devices.length} devices; ` +
    (everyS
      ? `an alarm every ~${everyS} s`
      : `realistic rates ×${speed}, ≈ ${Math.round(scenario.perHour())} alarms/hour at ${clock.label()}`) +
    '. Ctrl-C to stop.',
);

let scaip: ScaipPlayer | null = null;
const scaipUnits = demo.scaipUnits ?? [];
if (scaipUnits.length > 0) {
  scaip = await startScaipPlayer({
    host: process.env.TRYGG_SIP_HOST ?? '127.0.0.1',
    port: Number(process.env.TRYGG_SIP_UDP_PORT ?? '5060'),
    units: scaipUnits,
    // With --every: a third as often as the MQTT devices together (as before); with the rates: one device's rate.
    alarmEveryMs: everyS ? everyS * 3000 : (3600_000 * devices.length) / Math.max(scenario.perHour(), 1e-6),
    heartbeatEveryMs: (heartbeatS ?? 60) * 1000,
    log,
  }).catch((err: unknown) => {
    log(`SCAIP units not played: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  });
}

const summary = setInterval(() => {
  log(
    `[${clock.label()}${everyS ? '' : ` ×${speed}`}] ` +
      tally.line(
        `devices connected ${sim.connected()}/${devices.length}; people online ${crowd?.online() ?? 0}` +
          (phones ? `; SMS received ${phones.received()}, replied ${phones.replied()}` : ''),
      ),
  );
}, summaryS * 1000);

const stop = () => {
  clearInterval(summary);
  scenario.stop();
  crowd?.stop();
  phones?.stop();
  api.close();
  Promise.all([sim.stop(), scaip?.stop()]).then(
    () => {
      log(tally.line(`stopped`));
      process.exit(0);
    },
    () => process.exit(1),
  );
};
stopping = stop;
