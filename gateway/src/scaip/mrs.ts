/**
 * Builds the SCAIP reply `<mrs>` (SS 91100 §6): `ref` and `snu` always, then whichever of `ste`,
 * `cve`, `mre`, `cre`, `tnu`, `hbi` apply. Codes are written the way the standard's tables
 * write them (`cre` two digits).
 */

/** SS 91100 status numbers (`snu`). */
export const SNU = {
  ok: 0,
  tooLong: 1,
  invalidFormat: 2,
  wrongData: 3,
  hold: 4,
  notTreated: 5,
  busy: 6,
  mandatoryMissing: 7,
  referenceMissing: 10,
  undefined: 99,
} as const;
export type Snu = (typeof SNU)[keyof typeof SNU];

export interface Mrs {
  /** Empty only when the request's ref could not be read at all. */
  ref: string;
  snu: Snu;
  ste?: string;
  cve?: string;
  mre?: number;
  cre?: number;
  tnu?: string;
  hbi?: number;
}

export const SCAIP_CONTENT_TYPE = 'application/scaip+xml';

function esc(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function buildMrs(r: Mrs): string {
  const parts = [`<ref>${esc(r.ref)}</ref>`, `<snu>${r.snu}</snu>`];
  if (r.ste) parts.push(`<ste>${esc([...r.ste].slice(0, 128).join(''))}</ste>`);
  if (r.cve) parts.push(`<cve>${esc(r.cve)}</cve>`);
  if (r.mre !== undefined) parts.push(`<mre>${r.mre}</mre>`);
  if (r.cre !== undefined) parts.push(`<cre>${String(r.cre).padStart(2, '0')}</cre>`);
  if (r.tnu) parts.push(`<tnu>${esc(r.tnu)}</tnu>`);
  if (r.hbi !== undefined) parts.push(`<hbi>${r.hbi}</hbi>`);
  return `<?xml version="1.0" encoding="UTF-8"?><mrs>${parts.join('')}</mrs>`;
}
