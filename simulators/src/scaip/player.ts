/**
 * Plays the demo's SCAIP units (SS 91100 over SIP) for `npm run sim`: each registers with its
 * digest credentials, sends heartbeats (`mty=PI`), and now and then someone presses the button.
 * The unit polls while Trygg holds the alarm (`snu=4`) and prints what it hears: held, handled
 * ("voice mode 1 — help is coming"), or, when the person pressed by mistake, the cancel
 * (`stc=0019`) it sends a few seconds later.
 */
import { ScaipUnit } from './unit.js';

export interface SimScaipUnit {
  id: string;
  username: string;
  password: string;
  cid: string;
  where: string;
}

export interface ScaipPlayerOptions {
  host: string;
  port: number;
  units: SimScaipUnit[];
  /** Mean time between alarms across the SCAIP units, ms. */
  alarmEveryMs: number;
  heartbeatEveryMs: number;
  /** Poll period while held (SS 91100: 5–20 s). */
  pollMs?: number;
  /** Share of alarms the person cancels by mistake (default 0.25). */
  cancelShare?: number;
  log: (line: string) => void;
  random?: () => number;
}

export interface ScaipPlayer {
  /** Raises one alarm on the given (or a random) unit and plays it until handled or cancelled. */
  raise(unitId?: string, opts?: { cancel?: boolean }): Promise<{ unitId: string; ref: string; snus: number[] }>;
  heartbeatAll(): Promise<void>;
  stop(): Promise<void>;
}

export async function startScaipPlayer(opts: ScaipPlayerOptions): Promise<ScaipPlayer> {
  const random = opts.random ?? Math.random;
  const units = new Map<string, { unit: ScaipUnit; def: SimScaipUnit }>();
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;
  for (const def of opts.units) {
    const unit = new ScaipUnit({
      host: opts.host,
      port: opts.port,
      username: def.username,
      password: def.password,
      cid: def.cid,
    });
    await unit.start();
    const status = await unit.register(600);
    if (status !== 200) {
      opts.log(`${def.where}: REGISTER answered ${status}`);
      await unit.stop();
      continue;
    }
    units.set(def.id, { unit, def });
  }
  opts.log(`${units.size} SCAIP units registered at sip:${opts.host}:${opts.port}`);

  const raise = async (unitId?: string, o: { cancel?: boolean } = {}) => {
    const all = [...units.values()];
    const picked = unitId ? units.get(unitId) : all[Math.floor(random() * all.length)];
    if (!picked) throw new Error('no SCAIP unit to raise an alarm on');
    const { unit, def } = picked;
    const ref = unit.nextRef();
    const started = Date.now();
    const cancel = o.cancel ?? random() < (opts.cancelShare ?? 0.25);
    opts.log(`→ ${def.where}: SCAIP alarm (ref ${ref})${cancel ? ', pressed by mistake' : ''}`);
    const since = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
    const snus: number[] = [];
    if (cancel) {
      const { mrs } = await unit.mrq({ ref, dty: '0003', stc: '0010' });
      snus.push(mrs?.snu ?? -1);
      const c = await unit.cancel(unit.nextRef());
      snus.push(c.mrs?.snu ?? -1);
      opts.log(`← ${def.where}: cancel taken (snu ${c.mrs?.snu}) after ${since()}`);
      return { unitId: def.id, ref, snus };
    }
    const replies = await unit.alarm(
      ref,
      { stc: '0010' },
      {
        pollMs: opts.pollMs ?? 5000,
        maxPolls: 360,
        onHold: (n) => {
          if (n === 1) opts.log(`← ${def.where}: alarm received, hold (snu 4); polling`);
        },
      },
    );
    const last = replies.at(-1);
    snus.push(...replies.map((r) => r.snu));
    if (last?.snu === 0) opts.log(`← ${def.where}: handled — voice mode ${last.fields.mre ?? '-'} after ${since()}`);
    else opts.log(`← ${def.where}: answered snu ${last?.snu} after ${since()}`);
    return { unitId: def.id, ref, snus };
  };

  const heartbeatAll = async () => {
    await Promise.all(
      [...units.values()].map(async ({ unit, def }) => {
        const { mrs } = await unit.heartbeat();
        if (mrs?.snu !== 0) opts.log(`${def.where}: heartbeat answered ${mrs?.snu ?? 'nothing'}`);
      }),
    );
  };

  const scheduleAlarm = () => {
    const gap = -Math.log(1 - random()) * opts.alarmEveryMs;
    timers.push(
      setTimeout(() => {
        if (stopped) return;
        raise().catch((err: unknown) => opts.log(`SCAIP alarm failed: ${String(err)}`));
        scheduleAlarm();
      }, gap),
    );
  };
  if (units.size > 0) scheduleAlarm();
  timers.push(setInterval(() => void heartbeatAll().catch(() => undefined), opts.heartbeatEveryMs));
  await heartbeatAll();

  return {
    raise,
    heartbeatAll,
    stop: async () => {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      await Promise.all([...units.values()].map(({ unit }) => unit.stop()));
    },
  };
}
