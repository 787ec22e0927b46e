/** Responders on duty: raised after the grace, kept with its first time, cleared when the condition ends. */
import pino from 'pino';
import type { DutyState } from '@trygg/alarm-core';
import type { FloorDuty } from '@trygg/devices';
import { describe, expect, it } from 'vitest';
import { DutyWatch } from './duty-watch.js';

describe('DutyWatch', () => {
  it('raises a response-centre gap below the minimum and a floor with nobody, after the grace, and clears them', async () => {
    let t = 0;
    let operators = 0;
    let floors: FloorDuty[] = [{ siteId: 'f1', name: 'Solbakken, 1. etasje', onDuty: 0 }];
    const heard: DutyState[] = [];
    const watch = new DutyWatch({
      operatorsOnline: async () => operators,
      floors: async () => floors,
      minOperators: 2,
      graceMs: 60_000,
      everyMs: 1_000,
      onChange: (s) => heard.push(s),
      logger: pino({ level: 'silent' }),
      now: () => t,
    });
    expect((await watch.check()).gaps).toEqual([]); // in the grace after start
    t = 61_000;
    const raised = await watch.check();
    expect(raised.gaps.map((g) => [g.kind, g.onDuty, g.minimum])).toEqual([
      ['response-centre', 0, 2],
      ['floor', 0, 1],
    ]);
    operators = 1;
    t = 70_000;
    const one = await watch.check();
    expect(one.gaps[0]).toMatchObject({ onDuty: 1, since: new Date(61_000).toISOString() });
    operators = 2;
    floors = [{ siteId: 'f1', name: 'Solbakken, 1. etasje', onDuty: 1 }];
    expect((await watch.check()).gaps).toEqual([]);
    expect(heard.at(-1)?.gaps).toEqual([]);
  });
});
