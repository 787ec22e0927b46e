/**
 * Drives alarms at realistic rates (rates.ts) on the simulated clock: each kind of device at its
 * rate for the hour, repeated presses and presses by mistake, a burst on a care-home floor at
 * shift change, and a fire that sets off the smoke detectors of a building's other floors and
 * the pull cords of the floor where it started.
 */
import type { FleetDevice } from './fleet.js';
import type { Simulation } from './municipality.js';
import type { SimClock } from './rates.js';
import { MISTAKEN_PRESS, REPEAT_PRESS, SHIFT_BURST, SHIFT_CHANGES, poisson, ratePerS } from './rates.js';
import { Later } from './later.js';

export interface ScenarioOptions {
  sim: Simulation;
  devices: FleetDevice[];
  clock: SimClock;
  /** Instead of the rates: one alarm every this many seconds on average, across the municipality. */
  everyS: number | null;
  onRaise: (deviceId: string, repeat: boolean) => void;
  onCancel: (deviceId: string) => void;
  log: (line: string) => void;
  verbose: boolean;
  random?: () => number;
}

const TICK_MS = 250;

export function startScenario(o: ScenarioOptions): { stop(): void; perHour(): number } {
  const random = o.random ?? Math.random;
  const later = new Later();
  const byKind = new Map<string, FleetDevice[]>();
  const floors = new Map<string, FleetDevice[]>();
  const buildings = new Map<string, FleetDevice[]>();
  for (const d of o.devices) {
    byKind.set(d.kind, [...(byKind.get(d.kind) ?? []), d]);
    if (d.floorId) floors.set(d.floorId, [...(floors.get(d.floorId) ?? []), d]);
    if (d.buildingId) buildings.set(d.buildingId, [...(buildings.get(d.buildingId) ?? []), d]);
  }
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)] as T;
  const fail = (err: unknown) => o.log(`alarm failed: ${err instanceof Error ? err.message : String(err)}`);

  const raise = (d: FleetDevice, repeat = false) => {
    if (!o.sim.isConnected(d.id)) return;
    o.onRaise(d.id, repeat);
    o.sim.raise(d.id).catch(fail);
  };

  /** One alarm on a device, with what people do around it. */
  const press = (d: FleetDevice) => {
    if (!o.sim.isConnected(d.id)) return;
    raise(d);
    const pressable = d.kind === 'alarm-button' || d.kind === 'pull-cord';
    if (d.kind === 'alarm-button' && random() < MISTAKEN_PRESS) {
      later.run(5_000 + random() * 10_000, () => {
        o.onCancel(d.id);
        o.sim.cancel(d.id).catch(fail);
      });
    } else if (pressable && random() < REPEAT_PRESS) {
      later.run(5_000 + random() * 15_000, () => raise(d, true));
    }
    if (d.kind === 'smoke-detector' && d.buildingId) fire(d);
  };

  const fire = (d: FleetDevice) => {
    const building = buildings.get(d.buildingId ?? '') ?? [];
    const others = building.filter((x) => x.kind === 'smoke-detector' && x.id !== d.id);
    const cords = (floors.get(d.floorId ?? '') ?? []).filter((x) => x.kind === 'pull-cord');
    if (o.verbose) o.log(`🔥 fire on ${d.where}: ${others.length} more smoke detectors in the building follow`);
    for (const x of others) later.run(5_000 + random() * 25_000, () => raise(x));
    for (let k = 0; k < 1 + Math.floor(random() * 3) && cords.length > 0; k++)
      later.run(3_000 + random() * 20_000, () => raise(pick(cords)));
  };

  const kinds = [...byKind.keys()];
  const baseRate = (hour: number) => kinds.reduce((sum, k) => sum + ratePerS(k, hour) * (byKind.get(k)?.length ?? 0), 0);
  /** Speed-up for the rates now: the clock's, or what makes the total one alarm per `everyS`. */
  const factor = (hour: number) => (o.everyS ? 1 / (o.everyS * Math.max(baseRate(hour), 1e-12)) : o.clock.speed);

  let lastHour = o.clock.hour();
  const tick = setInterval(() => {
    const hour = o.clock.hour();
    const f = factor(hour);
    for (const k of kinds) {
      const list = byKind.get(k) ?? [];
      const n = poisson(ratePerS(k, hour) * list.length * f * (TICK_MS / 1000), random);
      for (let i = 0; i < n; i++) press(pick(list));
    }
    // A shift change passed on the simulated clock: some floors get a burst.
    for (const h of SHIFT_CHANGES) {
      const crossed = lastHour <= hour ? lastHour < h && hour >= h : lastHour < h || hour >= h;
      if (!crossed || floors.size === 0) continue;
      let bursts = 0;
      for (const [, devs] of floors) {
        if (random() >= SHIFT_BURST.chance) continue;
        bursts++;
        const n = SHIFT_BURST.min + Math.floor(random() * (SHIFT_BURST.max - SHIFT_BURST.min + 1));
        const roomDevices = devs.filter((x) => x.kind !== 'smoke-detector');
        for (let i = 0; i < n; i++) later.run(random() * 60_000, () => press(pick(roomDevices)));
      }
      if (bursts > 0) o.log(`shift change ${String(h).padStart(2, '0')}:00 — a burst of alarms on ${bursts} care-home floors`);
    }
    lastHour = hour;
  }, TICK_MS);

  return {
    stop: () => {
      later.stop();
      clearInterval(tick);
    },
    perHour: () => baseRate(o.clock.hour()) * factor(o.clock.hour()) * 3600,
  };
}
