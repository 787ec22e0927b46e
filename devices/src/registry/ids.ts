/** Ids for registry rows made here: a readable prefix and 12 random hex digits. */
import { randomBytes } from 'node:crypto';

export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/** Timestamps leave as ISO strings. */
export const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
