/** Check digits of Norwegian national ids and D-numbers, and the demo's synthetic numbers. */
import { describe, expect, it } from 'vitest';
import { checkDigits, parseNationalId, syntheticNationalId } from './national-id.js';

describe('national ids', () => {
  it('computes the mod-11 check digits', () => {
    // The example commonly used to explain the algorithm: 150765 005 → 65.
    expect(checkDigits('150765005')).toBe('65');
    expect(checkDigits('010101012')).toBe('78');
  });

  it('tells valid from invalid, and D-numbers from national ids', () => {
    expect(parseNationalId('15076500565')).toEqual({ kind: 'fnr', synthetic: false });
    expect(parseNationalId('15076500566')).toBeNull();
    expect(parseNationalId('1507650056')).toBeNull();
    expect(parseNationalId('abcdefghijk')).toBeNull();
    const d = `41010101${'2'}`;
    const dnr = d + (checkDigits(d) ?? 'xx');
    expect(parseNationalId(dnr)?.kind).toBe('dnr');
  });

  it('makes valid synthetic numbers (month + 80) that can never be a real person', () => {
    const id = syntheticNationalId('1938-05-17', 7);
    expect(id.slice(0, 6)).toBe('178538');
    expect(parseNationalId(id)).toEqual({ kind: 'fnr', synthetic: true });
  });
});
