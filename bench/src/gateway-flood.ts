/**
 * The gateway benchmark's CONNECT flood (issue 17 item 8): an honest device's first CONNECT (its
 * secret a full-cost scrypt hash, never verified on this node before) and alarms from devices
 * already connected, measured quiet and while 300 wrong CONNECTs from one address are in flight
 * (`gateway-attacker.ts`, each for a new unknown device id: a full scrypt each until the address
 * is blocked), quiet then flood, in rounds. Each flood comes from an address of its own
 * (127.0.0.2, .3, …: a block lasts a minute, and every flood should start unblocked); the honest
 * devices and the alarms come from 127.0.0.1. The attacker runs on the same machine, so its own
 * CPU is part of what the flood costs here.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { startAttacker, type AttackerTally } from './processes.js';
import { fmt, summarise, type Summary } from './stats.js';
import { timedAlarms } from './timed-alarms.js';

export interface FloodOptions {
  mqttUrl: string;
  /** The operator socket's waiters (timed-alarms.ts). */
  opened: Map<string, (t: number) => void>;
  /** Connected devices that raise one alarm each, `2 × rounds × alarmsPerRound` of them. */
  alarmClients: readonly MqttClient[];
  alarmIds: readonly string[];
  /** Devices never connected, `2 × rounds × connectsPerRound` of them, all with `honestSecret`. */
  honestIds: readonly string[];
  honestSecret: string;
  rounds: number;
  alarmsPerRound: number;
  connectsPerRound: number;
  /** Wrong CONNECTs in flight at once. */
  attackers: number;
  log: (line: string) => void;
}

export interface FloodResult {
  attackers: number;
  quietAlarmMs: Summary;
  floodAlarmMs: Summary;
  quietConnectMs: Summary;
  floodConnectMs: Summary;
  /** Honest CONNECTs refused or unanswered (quiet and flood together): should be none. */
  honestFailed: number;
  /** Every round's attacker together: its CONNECTs, and the return codes they got. */
  attacker: AttackerTally;
  rounds: { quietAlarmP99: number[]; floodAlarmP99: number[]; quietConnectP99: number[]; floodConnectP99: number[] };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function floodRounds(o: FloodOptions): Promise<FloodResult> {
  const lat = { quiet: [] as number[], flood: [] as number[] };
  const conn = { quiet: [] as number[], flood: [] as number[] };
  const rounds = {
    quietAlarmP99: [] as number[],
    floodAlarmP99: [] as number[],
    quietConnectP99: [] as number[],
    floodConnectP99: [] as number[],
  };
  const attacker: AttackerTally = { attempts: 0, answered: {} };
  let honestFailed = 0;
  let alarmAt = 0;
  let honestAt = 0;

  /** Alarms from connected devices, `alarmsPerRound` of them, 20 ms apart. */
  const alarms = (): Promise<number[]> => {
    const from = alarmAt;
    alarmAt += o.alarmsPerRound;
    return timedAlarms({
      opened: o.opened,
      clients: o.alarmClients,
      ids: o.alarmIds,
      eventPrefix: 'gbf-',
      gapMs: 20,
      from,
      to: alarmAt,
    });
  };
  /** Honest devices' first CONNECTs, one after another. */
  const connects = async (): Promise<number[]> => {
    const times: number[] = [];
    for (let i = 0; i < o.connectsPerRound; i++) {
      const id = o.honestIds[honestAt++] as string;
      const t0 = performance.now();
      try {
        const c = await mqtt.connectAsync(o.mqttUrl, {
          clientId: id,
          username: id,
          password: o.honestSecret,
          reconnectPeriod: 0,
          connectTimeout: 60_000,
        });
        times.push(performance.now() - t0);
        c.end(true);
      } catch {
        honestFailed++;
      }
    }
    return times;
  };
  /** `measure` while a fresh attacker (from an address of its own) floods. */
  let address = 2;
  const flooded = async <T>(measure: () => Promise<T>): Promise<T> => {
    const flooder = await startAttacker({
      url: o.mqttUrl,
      localAddress: `127.0.0.${address}`,
      n: o.attackers,
      prefix: `gb-x${address++}-`,
    });
    try {
      await sleep(500); // the flood in full swing
      return await measure();
    } finally {
      const tally = await flooder.end();
      attacker.attempts += tally.attempts;
      for (const [code, n] of Object.entries(tally.answered)) attacker.answered[code] = (attacker.answered[code] ?? 0) + n;
      await sleep(1_000); // its connections closed before the next quiet measurement
    }
  };

  // Alarms and honest CONNECTs are measured apart, each against a fresh attacker: the first
  // seconds of a flood, before its address is blocked, are the expensive ones.
  for (let r = 0; r < o.rounds; r++) {
    const quietAlarms = await alarms();
    const floodAlarms = await flooded(alarms);
    const quietConnects = await connects();
    const floodConnects = await flooded(connects);
    lat.quiet.push(...quietAlarms);
    lat.flood.push(...floodAlarms);
    conn.quiet.push(...quietConnects);
    conn.flood.push(...floodConnects);
    rounds.quietAlarmP99.push(summarise(quietAlarms).p99);
    rounds.floodAlarmP99.push(summarise(floodAlarms).p99);
    rounds.quietConnectP99.push(summarise(quietConnects).p99);
    rounds.floodConnectP99.push(summarise(floodConnects).p99);
    o.log(
      `    round ${r + 1}: alarm p99 quiet ${fmt(rounds.quietAlarmP99.at(-1) ?? NaN)} ms, flood ${fmt(rounds.floodAlarmP99.at(-1) ?? NaN)} ms; honest CONNECT p99 quiet ${fmt(rounds.quietConnectP99.at(-1) ?? NaN)} ms, flood ${fmt(rounds.floodConnectP99.at(-1) ?? NaN)} ms`,
    );
  }
  return {
    attackers: o.attackers,
    quietAlarmMs: summarise(lat.quiet),
    floodAlarmMs: summarise(lat.flood),
    quietConnectMs: summarise(conn.quiet),
    floodConnectMs: summarise(conn.flood),
    honestFailed,
    attacker,
    rounds,
  };
}
