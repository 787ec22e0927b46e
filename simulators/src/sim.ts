/**
 * `npm run sim`: plays the demo municipality against a running `npm start`.
 * Reads the devices from `<data dir>/demo.json` (TRYGG_DATA_DIR, default ./.trygg at the repo
 * root) and connects to the broker on TRYGG_MQTT_PORT (default 1883); the SCAIP units register
 * at TRYGG_SIP_UDP_PORT (default 5060) on TRYGG_SIP_HOST (default 127.0.0.1).
 * Options: --every <seconds> mean time between alarms (default 20).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startSimulation, type SimDevice } from './municipality.js';
import { startScaipPlayer, type ScaipPlayer, type SimScaipUnit } from './scaip/player.js';

const { values } = parseArgs({
  options: { every: { type: 'string', default: '20' }, heartbeat: { type: 'string', default: '60' } },
});
// npm runs workspace scripts in the workspace folder; INIT_CWD is where `npm run sim` was typed.
const root = process.env.INIT_CWD ?? process.cwd();
const dataDir = path.resolve(root, process.env.TRYGG_DATA_DIR ?? '.trygg');
const mqttUrl = `mqtt://${process.env.TRYGG_MQTT_HOST ?? '127.0.0.1'}:${process.env.TRYGG_MQTT_PORT ?? '1883'}`;
const every = Number(values.every);
const heartbeat = Number(values.heartbeat);
if (!(every > 0) || !(heartbeat > 0)) {
  process.stderr.write('--every and --heartbeat take a number of seconds > 0\n');
  process.exit(2);
}

const demoFile = path.join(dataDir, 'demo.json');
let devices: SimDevice[];
let scaipUnits: SimScaipUnit[];
try {
  const demo = JSON.parse(await readFile(demoFile, 'utf8')) as { devices: SimDevice[]; scaipUnits?: SimScaipUnit[] };
  devices = demo.devices;
  scaipUnits = demo.scaipUnits ?? [];
} catch {
  process.stderr.write(`Cannot read ${demoFile}: start Trygg first with \`npm start\` (it seeds the demo).\n`);
  process.exit(2);
}

const log = (line: string) => process.stdout.write(`${new Date().toLocaleTimeString()} ${line}\n`);
const sim = await startSimulation({ mqttUrl, devices, alarmEveryMs: every * 1000, heartbeatEveryMs: heartbeat * 1000, log });
log(`simulating ${devices.length} devices; an alarm every ~${every} s. Ctrl-C to stop.`);
await sim.raise();
let scaip: ScaipPlayer | null = null;
if (scaipUnits.length > 0) {
  scaip = await startScaipPlayer({
    host: process.env.TRYGG_SIP_HOST ?? '127.0.0.1',
    port: Number(process.env.TRYGG_SIP_UDP_PORT ?? '5060'),
    units: scaipUnits,
    alarmEveryMs: every * 3000,
    heartbeatEveryMs: heartbeat * 1000,
    log,
  });
}
const stop = () => {
  Promise.all([sim.stop(), scaip?.stop()]).then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
