/**
 * The error catalogue: unique codes, sane statuses, and docs/errors.md checked against it both
 * ways (fastify's test/internals/errors.test.js): every code documented, no documented code
 * that is gone, each documented status the catalogue's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS, TryggError, errorEnvelope } from './errors.js';
import { ERRORS_MD, documentedErrors, regenerated } from './errors-doc.js';

const doc = readFileSync(ERRORS_MD, 'utf8');
const documented = documentedErrors(doc);
const REGENERATE = 'regenerate docs/errors.md with `npm run docs:errors`';

describe('error catalogue', () => {
  it('has well-formed, unique codes with HTTP statuses', () => {
    const codes = Object.keys(ERRORS);
    expect(new Set(codes).size).toBe(codes.length);
    for (const [code, { status }] of Object.entries(ERRORS)) {
      expect(code).toMatch(/^TRYGG_ERR_[A-Z_]+$/);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
    }
  });

  it('documents every code in docs/errors.md', () => {
    const missing = Object.keys(ERRORS).filter((code) => !documented.has(code));
    expect(missing, `undocumented: ${REGENERATE}`).toEqual([]);
  });

  it('documents no code the catalogue no longer has', () => {
    const stale = [...documented.keys()].filter((code) => !(code in ERRORS));
    expect(stale, `stale: ${REGENERATE}`).toEqual([]);
  });

  it("documents each code with the catalogue's HTTP status", () => {
    for (const [code, { status }] of Object.entries(ERRORS)) {
      const row = documented.get(code);
      if (row) expect(row.status, `${code}: ${REGENERATE}`).toBe(String(status));
    }
  });

  it('holds the table as the generator writes it', () => {
    expect(regenerated(doc), REGENERATE).toBe(doc);
  });

  it('turns errors into envelopes without internals', () => {
    expect(errorEnvelope(new TryggError('TRYGG_ERR_ALARM_CLAIMED'))).toEqual({
      status: 'error',
      code: 'TRYGG_ERR_ALARM_CLAIMED',
      message: ERRORS.TRYGG_ERR_ALARM_CLAIMED.message,
    });
    expect(errorEnvelope(new Error('secret stack detail'))).toEqual({
      status: 'error',
      code: 'TRYGG_ERR_INTERNAL',
      message: 'internal error',
    });
  });
});
