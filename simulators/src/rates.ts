/**
 * How often things happen in a municipality: alarms per device per day by kind, shaped over the
 * day (more at night), with bursts (a care-home floor at shift change, a fire). The figures are
 * round numbers in the range Norwegian response centres report for social alarms (roughly one
 * alarm per user every two days, many of them unintended) and what care homes see from bed and
 * door sensors at night; they are knobs, not measurements.
 */
import type { DeviceEventType } from '@trygg/alarm-core';

export type Profile = 'care' | 'night' | 'meals';

export interface KindRate {
  /** What the device sends when it raises something. */
  event: DeviceEventType;
  /** Alarms per device per day, averaged over the day. */
  perDay: number;
  profile: Profile;
}

export const RATES: Record<string, KindRate> = {
  'alarm-button': { event: 'alarm.button', perDay: 0.5, profile: 'care' },
  'fall-sensor': { event: 'alarm.fall', perDay: 0.05, profile: 'night' },
  'smoke-detector': { event: 'alarm.smoke', perDay: 0.003, profile: 'meals' },
  'medication-dispenser': { event: 'dispenser.missed-dose', perDay: 0.1, profile: 'meals' },
  'pull-cord': { event: 'alarm.pull-cord', perDay: 1, profile: 'care' },
  'bed-sensor': { event: 'alarm.bed-exit', perDay: 1.5, profile: 'night' },
  'door-sensor': { event: 'alarm.door', perDay: 0.5, profile: 'night' },
};

/** Relative weight of each hour of the day (0–23), before normalising to a mean of 1. */
const RAW: Record<Profile, number[]> = {
  // Presses: more at night (anxiety, toilet visits) and in the morning, fewer in the afternoon.
  care: [1.5, 1.5, 1.5, 1.5, 1.5, 1.4, 1.3, 1.4, 1.3, 1, 0.8, 0.7, 0.7, 0.7, 0.7, 0.7, 0.8, 0.8, 0.9, 1, 1, 1.1, 1.2, 1.4],
  // Bed exits, wandering, falls: mostly between 22 and 07.
  night: [3, 3, 3, 3, 3, 2.8, 2, 1, 0.4, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.4, 0.5, 0.7, 1, 2, 2.8],
  // Cooking smoke and missed doses: around meals.
  meals: [0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.5, 2.5, 1.5, 0.8, 1.5, 2.5, 1.5, 0.8, 1, 2, 3, 2.5, 1.2, 0.8, 0.6, 0.3, 0.2],
};

export const PROFILES: Record<Profile, number[]> = Object.fromEntries(
  Object.entries(RAW).map(([k, w]) => {
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    return [k, w.map((x) => x / mean)];
  }),
) as Record<Profile, number[]>;

/** Alarms per second one device of `kind` raises at `hour` (0–23), at real speed. */
export function ratePerS(kind: string, hour: number): number {
  const r = RATES[kind];
  if (!r) return 0;
  return (r.perDay / 86_400) * (PROFILES[r.profile][Math.floor(hour) % 24] ?? 1);
}

/** Hours at which care-home shifts change; each floor may get a burst of alarms then. */
export const SHIFT_CHANGES = [7, 15, 23];
/** Chance a floor has a burst at a shift change, and how many alarms it brings. */
export const SHIFT_BURST = { chance: 0.25, min: 3, max: 6 };
/** Chance a press is pressed again (joins the open alarm), and a button press is a mistake cancelled. */
export const REPEAT_PRESS = 0.15;
export const MISTAKEN_PRESS = 0.1;

/** A Poisson-distributed count with the given mean (Knuth; the means here are small). */
export function poisson(mean: number, random: () => number): number {
  if (mean <= 0) return 0;
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gauss(random)));
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= random();
  } while (p > l);
  return k - 1;
}

function gauss(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** The simulated clock: starts at `startHour` (or now) and runs `speed` times faster than real time. */
export class SimClock {
  private readonly t0 = Date.now();
  private readonly sim0: number;
  constructor(
    readonly speed: number,
    startHour: number | null,
    private readonly timeZone = 'Europe/Oslo',
  ) {
    const nowHour = this.hourOf(this.t0);
    this.sim0 = startHour === null ? this.t0 : this.t0 + ((startHour - nowHour + 24) % 24) * 3_600_000;
  }
  /** Simulated epoch ms. */
  now(): number {
    return this.sim0 + (Date.now() - this.t0) * this.speed;
  }
  /** Hour of day (fractional) in the municipality's time zone. */
  hour(at = this.now()): number {
    return this.hourOf(at);
  }
  private hourOf(ms: number): number {
    const parts = new Intl.DateTimeFormat('en-GB', { timeZone: this.timeZone, hour: 'numeric', minute: 'numeric', hour12: false })
      .formatToParts(new Date(ms))
      .reduce<Record<string, string>>((a, p) => ({ ...a, [p.type]: p.value }), {});
    return (Number(parts.hour) % 24) + Number(parts.minute) / 60;
  }
  label(): string {
    const h = this.hour();
    return `${String(Math.floor(h)).padStart(2, '0')}:${String(Math.floor((h % 1) * 60)).padStart(2, '0')}`;
  }
}
