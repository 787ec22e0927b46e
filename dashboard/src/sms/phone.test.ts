/** Numbers as people type them, written in E.164; what cannot take an SMS is refused with the reason. */
import { describe, expect, it } from 'vitest';
import { E164, toE164 } from './phone.js';

describe('toE164', () => {
  it.each([
    ['912 34 567', 'NO', '+4791234567'],
    ['+47 912 34 567', 'NO', '+4791234567'],
    ['0047 41234567', 'NO', '+4741234567'],
    ['070-123 45 67', 'SE', '+46701234567'],
    ['+46 70 123 45 67', 'NO', '+46701234567'],
    ['0701234567', 'SE', '+46701234567'],
  ])('%s in %s is %s', (raw, region, e164) => {
    expect(toE164(raw, region)).toEqual({ ok: true, e164 });
    expect(E164.test(e164)).toBe(true);
  });

  it('refuses what is no mobile number', () => {
    expect(toE164('22 33 44 55', 'NO')).toEqual({ ok: false, reason: 'a fixed-line number cannot take an SMS' });
    expect(toE164('12345', 'NO')).toMatchObject({ ok: false });
    expect(toE164('ring meg', 'NO')).toMatchObject({ ok: false });
    expect(toE164('', 'NO')).toMatchObject({ ok: false });
  });
});
