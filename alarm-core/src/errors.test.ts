/** The error catalogue: unique codes, sane statuses, each one documented in README.md. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERRORS, TryggError, errorEnvelope } from './errors.js';

const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

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

  it('documents every code in README.md', () => {
    for (const code of Object.keys(ERRORS)) expect(readme, code).toContain(`\`${code}\``);
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
