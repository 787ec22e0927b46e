/**
 * What a person reads, in nb, sv and en: the alert within one GSM 7-bit SMS when it can be
 * (æøå are GSM), shortened in the documented order, and the answers to a reply.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Notification } from '@trygg/alarm-core';
import { gsm7Septets, smsLength } from './sms-length.js';
import { alertText, replyText, updateText } from './sms-text.js';

const per: Notification['summary'] = {
  type: 'alarm.fall',
  priority: 2,
  residentName: 'Per Hansen',
  address: 'Storgata 12, 0155 Oslo',
  room: null,
  takenBy: null,
};
const LINK = 'https://trygg.example.no/s/AbCdEfGh12345678';

describe('sms length', () => {
  it('counts æøå and äö as one GSM septet, € as two, and needs UCS-2 for what GSM lacks', () => {
    expect(gsm7Septets('æøåÆØÅäöÄÖé')).toBe(11);
    expect(gsm7Septets('€[')).toBe(4);
    expect(gsm7Septets('Łukasz')).toBeNull();
    expect(smsLength('a'.repeat(160))).toEqual({ encoding: 'gsm7', units: 160, parts: 1 });
    expect(smsLength('a'.repeat(161))).toEqual({ encoding: 'gsm7', units: 161, parts: 2 });
    expect(smsLength('Ł'.repeat(70))).toEqual({ encoding: 'ucs2', units: 70, parts: 1 });
    expect(smsLength('Ł'.repeat(71))).toEqual({ encoding: 'ucs2', units: 71, parts: 2 });
  });
});

describe('the alert', () => {
  it('says what, who, where, how to answer and the code, in each language', () => {
    expect(alertText('nb', per, 'K7Q', null)).toBe(
      'Trygg: Fall hos Per Hansen, Storgata 12, 0155 Oslo. Kan du dra dit? Svar 1 (JA) eller 2 (NEI). Kode K7Q.',
    );
    expect(alertText('sv', per, 'K7Q', null)).toBe(
      'Trygg: Fall hos Per Hansen, Storgata 12, 0155 Oslo. Kan du åka dit? Svara 1 (JA) eller 2 (NEJ). Kod K7Q.',
    );
    expect(alertText('en', per, 'K7Q', null)).toBe(
      'Trygg: Fall for Per Hansen, Storgata 12, 0155 Oslo. Can you go? Reply 1 (YES) or 2 (NO). Code K7Q.',
    );
  });

  it('keeps æøå and fits one GSM 7-bit SMS with the link, in every language', () => {
    const s = {
      ...per,
      type: 'alarm.smoke' as const,
      residentName: 'Bjørn Åsmund Ærø',
      address: 'Øvre Slottsgate 113, 0157 Oslo',
    };
    for (const lang of ['nb', 'sv', 'en']) {
      const text = alertText(lang, s, 'K7Q', LINK);
      expect(smsLength(text)).toMatchObject({ encoding: 'gsm7', parts: 1 });
      expect(text).toContain('Bjørn Åsmund Ærø');
      expect(text).toContain('K7Q');
      expect(text.endsWith(LINK)).toBe(true);
    }
    expect(alertText('nb', s, 'K7Q', LINK)).toContain('Brannalarm');
    expect(alertText('sv', s, 'K7Q', LINK)).toContain('Brandlarm');
  });

  it('gives way in order (question, address detail, prefix) but never drops who, the code or the link', () => {
    const long = {
      ...per,
      residentName: 'Karoline Margrethe Johannessen-Bakken',
      room: 'Rom 104',
      address: 'Solbakken sykehjem, Bakkeveien 7',
    };
    const text = alertText('nb', long, 'K7Q', LINK);
    expect(smsLength(text).parts).toBe(1);
    expect(text).not.toContain('Kan du dra dit?');
    expect(text).toContain('Rom 104');
    expect(text).toContain('Karoline Margrethe Johannessen-Bakken');
    expect(text).toContain(LINK);
  });

  it('goes in parts (UCS-2) for a name outside the GSM alphabet, rather than changing the name', () => {
    const text = alertText('nb', { ...per, residentName: 'Łucja Wiśniewska' }, 'K7Q', null);
    expect(text).toContain('Łucja Wiśniewska');
    expect(smsLength(text).encoding).toBe('ucs2');
  });
});

describe('updates and answers', () => {
  it('tells who took it, that it closed, or just informs', () => {
    expect(updateText('nb', 'taken', { ...per, takenBy: 'Liv Hansen' })).toBe(
      'Trygg: Liv Hansen har tatt alarmen (Fall hos Per Hansen).',
    );
    expect(updateText('sv', 'taken', { ...per, takenBy: 'Liv Hansen' })).toBe(
      'Trygg: Liv Hansen har tagit larmet (Fall hos Per Hansen).',
    );
    expect(updateText('en', 'closed', per)).toBe('Trygg: The alarm is closed (Fall for Per Hansen).');
    expect(updateText('nb', 'inform', per)).toContain('Til orientering');
  });

  it('confirms an answer in the words the issue gives', () => {
    expect(replyText('nb', { kind: 'accepted' })).toBe('Takk, du er registrert som den som drar.');
    expect(replyText('sv', { kind: 'accepted' })).toBe('Tack, du är registrerad som den som åker.');
    expect(replyText('en', { kind: 'accepted' })).toBe('Thank you, you are registered as the one going.');
    expect(replyText('nb', { kind: 'taken-by', by: 'Ola Nordmann' })).toBe(
      'Alarmen er allerede tatt av Ola Nordmann. Takk for svaret.',
    );
    expect(replyText('nb', { kind: 'help', code: 'K7Q' })).toBe(
      'Svar 1 for JA (jeg drar) eller 2 for NEI, gjerne med koden: "1 K7Q".',
    );
    expect(replyText('sv', { kind: 'help', code: 'K7Q', unknownCode: 'X9Z' })).toMatch(/^Koden X9Z är okänd\. Svara 1 för JA/);
  });

  it('writes every fixed text in the GSM alphabet, one SMS each', () => {
    for (const lang of ['nb', 'sv', 'en']) {
      for (const kind of ['accepted', 'declined', 'already-closed', 'not-asked', 'retry'] as const) {
        expect(smsLength(replyText(lang, { kind }))).toMatchObject({ encoding: 'gsm7', parts: 1 });
      }
      expect(smsLength(replyText(lang, { kind: 'help', code: 'K7Q', unknownCode: 'X9Z' }))).toMatchObject({
        encoding: 'gsm7',
        parts: 1,
      });
    }
  });
});

describe('docs/sms.md', () => {
  const doc = readFileSync(new URL('../../../docs/sms.md', import.meta.url), 'utf8');
  const s = { ...per, takenBy: 'Liv Hansen' };
  const link = 'https://trygg.example.no/s/Xy7Q2mN4pK';
  const written = (lang: string) => [
    alertText(lang, s, 'K7Q', link),
    updateText(lang, 'inform', s),
    updateText(lang, 'taken', s),
    updateText(lang, 'closed', s),
    ...(['accepted', 'declined', 'already-closed', 'not-asked', 'retry'] as const).map((kind) => replyText(lang, { kind })),
    replyText(lang, { kind: 'taken-by', by: 'Ola Nordmann' }),
    replyText(lang, { kind: 'help', code: 'K7Q' }),
    replyText(lang, { kind: 'help', code: 'K7Q', unknownCode: 'X9Z' }),
  ];

  it('shows exactly the texts the code writes, in nb, sv and en', () => {
    const all = ['nb', 'sv', 'en'].flatMap(written);
    expect(all.filter((t) => !doc.includes(`\`${t}\``))).toEqual([]);
    // The rows of the three text tables: a text alone in the second cell (the reply grammar's rows hold several).
    const section = doc.slice(doc.indexOf('## What a relative receives'), doc.indexOf('### Answering by SMS'));
    const rows = section.split('\n').filter((l) => /^\| [^|`]+\| `[^`]+` +\|$/.test(l));
    expect(rows).toHaveLength(all.length);
  });
});
