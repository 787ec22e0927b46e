/**
 * Parses a SCAIP request `<mrq>` (SS 91100 §5; CLC/TS 50134-9) safely and leniently.
 *
 * Safe: the body is size-limited and checked to be UTF-8 before anything parses it; any DTD
 * (`<!DOCTYPE`, `<!ENTITY`) is refused outright, so neither billion-laughs nor external entities
 * can reach the parser; the parser expands no entities (fast-xml-parser, `processEntities: false`)
 * and nests at most 8 deep. Lenient, as field units need (../shared/reference/scaip.md "Be
 * lenient"): elements in any order, values trimmed, numeric codes parsed as numbers (`2`, `02`,
 * `0002` are one `dty`), any or no namespace on the root, unknown elements ignored, repeated
 * single elements take the first.
 *
 * Failures carry the `snu` to answer: 2 invalid format (not XML, wrong root, oversized, DTD, bad
 * syntax of a value), 7 a mandatory tag (`ref`, `cid`, `dty`) missing, 3 wrong data.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export const MRQ_MAX_BYTES = 4096;

export type MessageType = 'ME' | 'RE' | 'IN' | 'PI';

export interface Mrq {
  ref: string;
  /** `NN.NN`; `01.00` when absent. */
  ver: string;
  mty: MessageType;
  cid: string;
  /** Device type as a number (`0003` → 3). */
  dty: number;
  did?: string;
  dco?: string;
  dte?: string;
  crd: string[];
  /** Status code as a number; absent = alarm. */
  stc?: number;
  stt?: string;
  pri?: number;
  lco?: string;
  lva?: string;
  lte?: string;
  geo?: { lat: number; lon: number };
  ico?: string;
  ite?: string;
  hbo?: string;
  cha?: number;
}

export type MrqResult = { ok: true; mrq: Mrq } | { ok: false; snu: 2 | 3 | 7; ref: string | null; detail: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  trimValues: true,
  maxNestedTags: 8,
  isArray: (name) => name === 'crd',
});

const REF = /^[0-9A-Za-z]{1,16}$/;
const DIGITS = /^[0-9]{1,32}$/;
const CODE = /^[0-9]{1,4}$/;
const MTY: readonly string[] = ['ME', 'RE', 'IN', 'PI'];

/** The five predefined XML entities and character references, decoded once (never recursively). */
function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});/g, (all, e: string) => {
    switch (e) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
    }
    const cp = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : all;
  });
}

/** A cheap look for the ref, so even a refused body gets its `<mrs>` matched by the unit. */
export function sniffRef(body: string): string | null {
  const m = /<(?:\w+:)?ref>\s*([0-9A-Za-z]{1,16})\s*<\/(?:\w+:)?ref>/.exec(body);
  return m?.[1] ?? null;
}

function text(v: unknown): string | undefined | null {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return text(v[0]);
  if (typeof v === 'string') return unescapeXml(v).trim();
  if (typeof v === 'number') return String(v);
  if (v !== null && typeof v === 'object' && Object.keys(v).length === 0) return ''; // <tag/>
  return null; // an element where a value belongs
}

function clip(s: string | undefined | null, max: number): string | undefined {
  if (!s) return undefined;
  return [...s].slice(0, max).join('');
}

export function parseMrq(body: Buffer): MrqResult {
  const fail = (snu: 2 | 3 | 7, detail: string, ref: string | null = null): MrqResult => ({ ok: false, snu, ref, detail });
  // The ref is ASCII: look for it in the first bytes even when the rest is refused.
  const ref0 = sniffRef(body.subarray(0, 1024).toString('latin1'));
  if (body.length > MRQ_MAX_BYTES) return fail(2, `body of ${body.length} bytes is over ${MRQ_MAX_BYTES}`, ref0);
  let xml: string;
  try {
    xml = utf8.decode(body);
  } catch {
    return fail(2, 'body is not UTF-8', ref0);
  }
  if (/<!DOCTYPE|<!ENTITY|<!\[CDATA\[/i.test(xml)) return fail(2, 'DTDs, entities and CDATA are not accepted', ref0);
  if (XMLValidator.validate(xml) !== true) return fail(2, 'not well-formed XML', ref0);
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch (err) {
    return fail(2, `XML refused: ${(err as Error).message}`, ref0);
  }
  const roots = Object.keys(doc);
  const root = doc.mrq;
  if (roots.length !== 1 || root === undefined || root === null || typeof root !== 'object' || Array.isArray(root)) {
    return fail(2, `root element must be <mrq> (got ${roots.join(', ') || 'none'})`, ref0);
  }
  const el = root as Record<string, unknown>;
  const values: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(el)) {
    if (k === 'crd' || k === 'lge') continue;
    const t = text(v);
    if (t === null) return fail(2, `<${k}> must hold a value`, ref0);
    values[k] = t;
  }
  const ref = values.ref;
  if (!ref) return fail(7, 'mandatory <ref> missing');
  if (!REF.test(ref)) return fail(2, '<ref> must be 1–16 of [0-9A-Za-z]');
  const missing = (['cid', 'dty'] as const).filter((k) => !values[k]);
  if (missing.length > 0) return fail(7, `mandatory ${missing.map((k) => `<${k}>`).join(', ')} missing`, ref);
  const cid = values.cid ?? '';
  if (!DIGITS.test(cid)) return fail(2, '<cid> must be digits', ref);
  const dty = values.dty ?? '';
  if (!CODE.test(dty)) return fail(2, '<dty> must be a number of up to 4 digits', ref);
  const mty = (values.mty || 'ME').toUpperCase();
  if (!MTY.includes(mty)) return fail(3, `unknown <mty> ${mty}`, ref);
  const ver = values.ver || '01.00';
  if (!/^[0-9]{1,2}\.[0-9]{1,2}$/.test(ver)) return fail(2, '<ver> must be NN.NN', ref);
  let stc: number | undefined;
  if (values.stc) {
    if (!CODE.test(values.stc)) return fail(2, '<stc> must be a number of up to 4 digits', ref);
    stc = Number(values.stc);
  }
  let pri: number | undefined;
  if (values.pri) {
    if (!/^[0-9]$/.test(values.pri)) return fail(3, '<pri> must be 0–9', ref);
    pri = Number(values.pri);
  }
  let cha: number | undefined;
  if (values.cha) {
    if (!/^[01]$/.test(values.cha)) return fail(3, '<cha> must be 0 or 1', ref);
    cha = Number(values.cha);
  }
  const crdRaw = el.crd;
  const crd: string[] = [];
  for (const c of Array.isArray(crdRaw) ? crdRaw : crdRaw === undefined ? [] : [crdRaw]) {
    const t = text(c);
    if (t === null) return fail(2, '<crd> must hold a value', ref);
    if (t && crd.length < 4) crd.push(clip(t, 64) ?? '');
  }
  let geo: Mrq['geo'];
  const lge = Array.isArray(el.lge) ? (el.lge[0] as unknown) : el.lge;
  if (lge !== undefined && lge !== null && typeof lge === 'object') {
    const g = text((lge as Record<string, unknown>).geo);
    const m = g ? /^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$/.exec(g) : null;
    if (m) {
      const lat = Number(m[1]);
      const lon = Number(m[2]);
      if (Math.abs(lat) <= 90 && Math.abs(lon) <= 180) geo = { lat, lon };
    }
  }
  const mrq: Mrq = {
    ref,
    ver,
    mty: mty as MessageType,
    cid,
    dty: Number(dty),
    crd,
  };
  const opt = {
    did: clip(values.did, 32),
    dco: clip(values.dco, 16),
    dte: clip(values.dte, 32),
    stt: clip(values.stt, 32),
    lco: clip(values.lco, 16),
    lva: clip(values.lva, 32),
    lte: clip(values.lte, 64),
    ico: clip(values.ico, 16),
    ite: clip(values.ite, 128),
    hbo: clip(values.hbo, 16),
  };
  for (const [k, v] of Object.entries(opt)) if (v !== undefined) (mrq as unknown as Record<string, unknown>)[k] = v;
  if (stc !== undefined) mrq.stc = stc;
  if (pri !== undefined) mrq.pri = pri;
  if (cha !== undefined) mrq.cha = cha;
  if (geo) mrq.geo = geo;
  return { ok: true, mrq };
}
