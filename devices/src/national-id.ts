/**
 * Norwegian national identity numbers (fødselsnummer) and D-numbers: the two mod-11 check digits,
 * and synthetic numbers for the demo (month + 80, the convention for synthetic test persons, so a
 * demo number can never be a real person's).
 */

const K1 = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const K2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

function checkDigit(digits: readonly number[], weights: readonly number[]): number | null {
  const sum = weights.reduce((acc, w, i) => acc + w * (digits[i] ?? 0), 0);
  const d = 11 - (sum % 11);
  if (d === 11) return 0;
  return d === 10 ? null : d;
}

/** The two check digits for nine leading digits, or null when no valid number exists for them. */
export function checkDigits(nine: string): string | null {
  if (!/^\d{9}$/.test(nine)) return null;
  const digits = [...nine].map(Number);
  const c1 = checkDigit(digits, K1);
  if (c1 === null) return null;
  const c2 = checkDigit([...digits, c1], K2);
  return c2 === null ? null : `${c1}${c2}`;
}

export type NationalIdKind = 'fnr' | 'dnr';

/** Validates the check digits; tells a D-number (first digit + 4) from a national id. */
export function parseNationalId(id: string): { kind: NationalIdKind; synthetic: boolean } | null {
  if (!/^\d{11}$/.test(id) || checkDigits(id.slice(0, 9)) !== id.slice(9)) return null;
  const day = Number(id.slice(0, 2));
  const month = Number(id.slice(2, 4));
  const kind: NationalIdKind = day > 40 ? 'dnr' : 'fnr';
  const synthetic = month > 80;
  const realDay = kind === 'dnr' ? day - 40 : day;
  const realMonth = synthetic ? month - 80 : month > 40 ? month - 40 : month;
  if (realDay < 1 || realDay > 31 || realMonth < 1 || realMonth > 12) return null;
  return { kind, synthetic };
}

/** A synthetic national id for a birth date (YYYY-MM-DD, 1900–1999) and a seed for the serial. */
export function syntheticNationalId(birthDate: string, seed: number): string {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  for (let serial = seed % 500; serial < 500; serial++) {
    const nine = `${String(d).padStart(2, '0')}${String(m + 80).padStart(2, '0')}${String(y % 100).padStart(2, '0')}${String(serial).padStart(3, '0')}`;
    const check = checkDigits(nine);
    if (check) return nine + check;
  }
  throw new Error(`no synthetic number for ${birthDate}`);
}
