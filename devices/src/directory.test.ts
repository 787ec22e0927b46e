/** The availability window arithmetic of the directory (a window may wrap midnight). */
import { describe, expect, it } from 'vitest';
import { inWindow } from './directory.js';

const m = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

describe('inWindow', () => {
  it('handles a window over midnight ("not at night")', () => {
    const [from, to] = [m('22:00'), m('07:00')];
    expect(inWindow(m('21:59'), from, to)).toBe(false);
    expect(inWindow(m('22:00'), from, to)).toBe(true);
    expect(inWindow(m('00:00'), from, to)).toBe(true);
    expect(inWindow(m('06:59'), from, to)).toBe(true);
    expect(inWindow(m('07:00'), from, to)).toBe(false);
  });

  it('handles a window within a day', () => {
    const [from, to] = [m('09:00'), m('15:30')];
    expect(inWindow(m('08:59'), from, to)).toBe(false);
    expect(inWindow(m('12:00'), from, to)).toBe(true);
    expect(inWindow(m('15:30'), from, to)).toBe(false);
  });
});
