/** The reply grammar: answer words in nb, sv and en, with or without the code, and what is not an answer. */
import { describe, expect, it } from 'vitest';
import { isCode, parseReply, shortCode } from './reply.js';

describe('parseReply', () => {
  it.each(['1', 'JA', 'ja', ' Ja ', 'J', 'yes', 'Y', 'ok', 'OK.', 'Ja!'])('"%s" accepts', (t) => {
    expect(parseReply(t)).toEqual({ answer: 'accept', code: null });
  });

  it.each(['2', 'NEI', 'nei', 'Nej', 'no', 'N', ' 2 '])('"%s" declines', (t) => {
    expect(parseReply(t)).toEqual({ answer: 'decline', code: null });
  });

  it('takes the code before or after the answer, spaced or glued, any case', () => {
    expect(parseReply('1 K7Q')).toEqual({ answer: 'accept', code: 'K7Q' });
    expect(parseReply('k7q 1')).toEqual({ answer: 'accept', code: 'K7Q' });
    expect(parseReply('nei K7Q')).toEqual({ answer: 'decline', code: 'K7Q' });
    expect(parseReply('1k7q')).toEqual({ answer: 'accept', code: 'K7Q' });
    expect(parseReply('K7Q2')).toEqual({ answer: 'decline', code: 'K7Q' });
    expect(parseReply('JA, K7Q.')).toEqual({ answer: 'accept', code: 'K7Q' });
  });

  it.each(['', '   ', '3', 'kanskje', 'ja nei', '1 2', 'Jeg kommer om 10 min', '1 ABC', 'K7Q', 'ja ja ja', '1 K7Q X'])(
    '"%s" is not an answer',
    (t) => {
      expect(parseReply(t)).toBeNull();
    },
  );
});

describe('shortCode', () => {
  it('is the same for one alarm, letter digit letter without look-alikes, never an answer word', () => {
    const a = shortCode('7b6f3c1e-0000-4000-8000-000000000001');
    expect(a).toBe(shortCode('7b6f3c1e-0000-4000-8000-000000000001'));
    expect(isCode(a)).toBe(true);
    expect(a).toMatch(/^[A-HJKMNP-Z][2-9][A-HJKMNP-Z]$/);
    const many = new Set(Array.from({ length: 200 }, (_, i) => shortCode(`alarm-${i}`)));
    expect(many.size).toBeGreaterThan(150);
    for (const c of many) expect(parseReply(c)).toBeNull();
  });
});
