/**
 * The reply grammar of an alert SMS, and the alarm's short code. A reply is an answer word,
 * optionally with the code before or after it ("1", "ja", "1 K7Q", "K7Q 1", "1K7Q"), case and
 * surrounding punctuation ignored:
 *   accept:  1, JA, J, YES, Y, OK
 *   decline: 2, NEI, NEJ, NO, N
 * Anything else is not an answer (the sender gets the help text, nothing is done).
 *
 * A code is letter, digit, letter from an alphabet without look-alikes (no I, L, O; no 0, 1), so
 * it cannot be read as an answer word or an answer digit; it comes from the alarm id, so every
 * SMS about one alarm carries the same code.
 */
import { createHash } from 'node:crypto';

export type Answer = 'accept' | 'decline';
export interface ParsedReply {
  answer: Answer;
  /** The short code given with it, upper case; null when none was. */
  code: string | null;
}

const ACCEPT = new Set(['1', 'JA', 'J', 'YES', 'Y', 'OK']);
const DECLINE = new Set(['2', 'NEI', 'NEJ', 'NO', 'N']);
const LETTERS = 'ABCDEFGHJKMNPQRSTUVWXYZ';
const DIGITS = '23456789';
const CODE = /^[A-HJKMNP-Z][2-9][A-HJKMNP-Z]$/;
/** An answer digit glued to a code: "1K7Q", "K7Q2". */
const GLUED = /^(?:([12])([A-HJKMNP-Z][2-9][A-HJKMNP-Z])|([A-HJKMNP-Z][2-9][A-HJKMNP-Z])([12]))$/;

/** The alarm's short code (three characters, e.g. "K7Q"). */
export function shortCode(alarmId: string): string {
  const h = createHash('sha256').update(alarmId).digest();
  return `${LETTERS[(h[0] ?? 0) % LETTERS.length]}${DIGITS[(h[1] ?? 0) % DIGITS.length]}${LETTERS[(h[2] ?? 0) % LETTERS.length]}`;
}

export const isCode = (token: string): boolean => CODE.test(token);

function answerOf(word: string): Answer | null {
  if (ACCEPT.has(word)) return 'accept';
  if (DECLINE.has(word)) return 'decline';
  return null;
}

/** The answer in a reply, or null when the text is not one (an unknown word, two answers, a stray token). */
export function parseReply(text: string): ParsedReply | null {
  const tokens = text
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[.,;:!?"'()«»“”]/g, ' ')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  if (tokens.length === 1) {
    const only = tokens[0] ?? '';
    const answer = answerOf(only);
    if (answer) return { answer, code: null };
    const glued = GLUED.exec(only);
    if (!glued) return null;
    const digit = glued[1] ?? glued[4] ?? '';
    return { answer: answerOf(digit) ?? 'accept', code: glued[2] ?? glued[3] ?? null };
  }
  if (tokens.length === 2) {
    const [a = '', b = ''] = tokens;
    const first = answerOf(a);
    if (first && isCode(b)) return { answer: first, code: b };
    const second = answerOf(b);
    if (second && isCode(a)) return { answer: second, code: a };
  }
  return null;
}
