/** From <mrq> to device events, through the vocabulary's SCAIP codes; and the <mrs> builder. */
import { describe, expect, it } from 'vitest';
import { classify, eventIdOf, toDeviceEvent } from './mapping.js';
import { buildMrs } from './mrs.js';
import type { Mrq } from './mrq.js';

const mrq = (over: Partial<Mrq>): Mrq => ({ ref: 'R1', ver: '01.00', mty: 'ME', cid: '1', dty: 3, crd: [], ...over });

describe('classify', () => {
  it.each([
    [{ dty: 3 }, 'alarm.button'],
    [{ dty: 3, stc: 10 }, 'alarm.button'],
    [{ dty: 4, stc: 10 }, 'alarm.pull-cord'],
    [{ dty: 5, stc: 9 }, 'alarm.fall'],
    [{ dty: 23 }, 'alarm.smoke'],
    [{ dty: 26, stc: 9 }, 'alarm.co'],
    [{ dty: 901 }, 'alarm.door'],
    [{ dty: 904 }, 'alarm.water'],
    [{ dty: 51 }, 'alarm.button'], // a tracker: an alarm all the same
    [{ dty: 999, stc: 9 }, 'alarm.button'],
    [{ dty: 11, stc: 81 }, 'dispenser.missed-dose'],
    [{ dty: 11, stc: 83 }, 'dispenser.dispensed'],
    [{ dty: 11 }, 'dispenser.fault'],
    [{ dty: 11, stc: 901 }, 'dispenser.refill-needed'], // Trygg's vendor status code (SS 91100 names none)
    [{ dty: 3, stc: 19 }, 'cancel'],
    [{ dty: 3, stc: 102 }, 'test'],
    [{ dty: 3, stc: 16 }, 'technical.battery-low'],
    [{ dty: 3, stc: 85 }, 'technical.mains-failure'],
    [{ dty: 3, stc: 125 }, 'technical.tamper'],
    [{ dty: 3, stc: 70 }, 'heartbeat'],
    [{ dty: 3, stc: 111 }, 'heartbeat'],
    [{ mty: 'PI' as const }, 'heartbeat'],
  ])('%o is %s', (over, type) => {
    expect(classify(mrq(over))).toEqual({ kind: 'event', type });
  });

  it('aborts on mty=RE and refuses unknown status codes', () => {
    expect(classify(mrq({ mty: 'RE' }))).toEqual({ kind: 'abort' });
    expect(classify(mrq({ stc: 4242 }))).toMatchObject({ kind: 'wrong' });
  });
});

describe('events', () => {
  it('gives a resend the same id, a cancel in the same session another, and tells updates apart by content', () => {
    const a = eventIdOf('R1-x', mrq({}), 'alarm.button');
    expect(eventIdOf('R1-x', mrq({}), 'alarm.button')).toBe(a);
    expect(eventIdOf('R1-x', mrq({ stc: 19 }), 'cancel')).not.toBe(a);
    const u1 = eventIdOf('R1-x', mrq({ mty: 'IN', lte: 'a' }), 'alarm.button');
    expect(eventIdOf('R1-x', mrq({ mty: 'IN', lte: 'a' }), 'alarm.button')).toBe(u1);
    expect(eventIdOf('R1-x', mrq({ mty: 'IN', lte: 'b' }), 'alarm.button')).not.toBe(u1);
    expect(u1).toMatch(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/);
  });

  it('carries location, sub-device, component, priority, callbacks, position and text', () => {
    const e = toDeviceEvent(
      mrq({ lte: 'bad', did: '2', dco: '002', pri: 7, crd: ['gsm:+47'], geo: { lat: 1, lon: 2 }, dte: 'pendant', stt: 'x' }),
      'alarm.button',
      'id1',
      new Date('2026-01-01T00:00:00Z'),
    );
    expect(e).toEqual({
      id: 'id1',
      type: 'alarm.button',
      ts: '2026-01-01T00:00:00.000Z',
      location: 'bad',
      subDevice: '2',
      component: '002',
      devicePriority: 7,
      callbacks: ['gsm:+47'],
      position: { lat: 1, lon: 2 },
      text: 'pendant · x',
    });
  });
});

describe('buildMrs', () => {
  it('writes ref and snu first, the rest when present, and escapes text', () => {
    expect(buildMrs({ ref: 'R1', snu: 0, mre: 1, cre: 5, hbi: 60, ste: 'a<b' })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><mrs><ref>R1</ref><snu>0</snu><ste>a&#60;b</ste><mre>1</mre><cre>05</cre><hbi>60</hbi></mrs>',
    );
  });
});
