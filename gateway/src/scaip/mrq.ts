/**
 * Parses a SCAIP request `<mrq>` (SS 91100 §5; CLC/TS 50134-9) safely and leniently.
 *
 * Safe: the body is size-limited before anything reads it; any DTD (`<!DOCTYPE`, `<!ENTITY`) is
 * refused outright, so neither billion-laughs nor external entities can reach the parser; the
 * parser expands no entities (fast-xml-parser, `processEntities: false`) and nests at most 8 deep.
 *
 * Lenient, as field units need (../shared/reference/scaip.md "Be lenient"): the body is decoded
 * as its XML declaration says (UTF-8, ISO-8859-1, Windows-1252, UTF-16 by its BOM; iconv-lite,
 * since Node's TextDecoder reads Windows-1252 as Latin-1), and a body
 * claiming UTF-8 that is not (a unit that sends Latin-1 under any label) is read as Windows-1252
 * rather than lose an alarm over a letter; stray CRLFs before `<?xml` and NULs or spaces after the
 * root are dropped; elements come in any order, values are trimmed, numeric codes are numbers
 * (`2`, `02`, `0002` are one `dty`), any or no namespace on the root; elements the standard does
 * not name (vendor extensions, nested or not) are ignored and kept for the record
 * (`extensions`); repeated single elements take the first; refs up to 64 printable characters are
 * taken (the standard says 16 alphanumerics; units send longer). Texts are cleaned of what no
 * store takes (control characters, lone surrogates from character references).
 *
 * Failures carry the `snu` to answer and the ref exactly as the unit wrote it, so the unit can
 * match the answer: 2 invalid format (not XML, wrong root, oversized, DTD, an encoding Trygg does
 * not read, bad syntax of a value), 7 a mandatory tag (`ref`, `cid`, `dty`) missing, 3 wrong data.
 */
import { cleanText } from '@trygg/alarm-core';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import iconv from 'iconv-lite';

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
  /** Elements the standard does not name, flattened (`ext/bat` → `87`), for the record. */
  extensions?: Record<string, string>;
  /** How the body was decoded, when it was not plain UTF-8 (`windows-1252 (declared UTF-8)`…). */
  decodedAs?: string;
}

export type MrqResult = { ok: true; mrq: Mrq } | { ok: false; snu: 2 | 3 | 7; ref: string | null; detail: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** The elements SS 91100 names in `<mrq>`; anything else is an extension. */
const KNOWN = new Set([
  'ref',
  'ver',
  'mty',
  'cid',
  'dty',
  'did',
  'dco',
  'dte',
  'crd',
  'stc',
  'stt',
  'pri',
  'lco',
  'lva',
  'lte',
  'lge',
  'ico',
  'ite',
  'hbo',
  'cha',
]);
const MAX_EXTENSIONS = 16;

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

/** Printable ASCII without spaces: lenient beyond the standard's 16 alphanumerics, never a control or a space. */
const REF = /^[!-~]{1,64}$/;
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

/**
 * A cheap look for the ref, exactly as written (entity-decoded, clipped to 128), so even a
 * refused body gets an `<mrs>` the unit can match to its request.
 */
export function sniffRef(body: string): string | null {
  const m = /<(?:\w+:)?ref>\s*([^<]{1,256}?)\s*<\/(?:\w+:)?ref>/.exec(body);
  return m?.[1] ? [...cleanText(unescapeXml(m[1]))].slice(0, 128).join('') : null;
}

function text(v: unknown): string | undefined | null {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return text(v[0]);
  if (typeof v === 'string') return cleanText(unescapeXml(v)).trim();
  if (typeof v === 'number') return String(v);
  if (v !== null && typeof v === 'object' && Object.keys(v).length === 0) return ''; // <tag/>
  return null; // an element where a value belongs
}

/** Unknown elements flattened to `path → text`, at most MAX_EXTENSIONS of them. */
function flatten(into: Record<string, string>, path: string, v: unknown): void {
  if (Object.keys(into).length >= MAX_EXTENSIONS) return;
  const key = [...cleanText(path)].slice(0, 64).join('');
  if (Array.isArray(v)) {
    v.forEach((x, i) => flatten(into, i === 0 ? path : `${path}[${i}]`, x));
    return;
  }
  if (v !== null && typeof v === 'object' && Object.keys(v).length > 0) {
    for (const [k, x] of Object.entries(v)) flatten(into, `${path}/${k}`, x);
    return;
  }
  into[key] = [...(text(v) ?? '')].slice(0, 128).join('');
}

/**
 * The body as text: its declared (or BOM-given) encoding, any iconv-lite knows (ISO-8859-1,
 * Windows-1252, ISO-8859-15, UTF-16 …); UTF-8 when it declares none; Windows-1252 when what
 * claims to be UTF-8 is not. `unknown` for an encoding no decoder knows.
 */
function decode(body: Buffer): { xml: string; as?: string } | { unknown: string } {
  if ((body[0] === 0xff && body[1] === 0xfe) || (body[0] === 0xfe && body[1] === 0xff)) {
    return { xml: iconv.decode(body, 'utf-16'), as: 'utf-16' };
  }
  const head = body.subarray(0, 200).toString('latin1');
  const declared = /^[\s\uFEFF\u00EF\u00BB\u00BF]*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']/.exec(head)?.[1];
  const label = declared?.toLowerCase() ?? 'utf-8';
  if (!iconv.encodingExists(label)) return { unknown: declared ?? '' };
  if (!['utf-8', 'utf8', 'us-ascii', 'ascii'].includes(label)) return { xml: iconv.decode(body, label), as: label };
  try {
    return { xml: utf8.decode(body) };
  } catch {
    return { xml: iconv.decode(body, 'windows-1252'), as: `windows-1252 (${declared ? `declared ${declared}` : 'not UTF-8'})` };
  }
}

/** Bytes units put around the document: CRLFs or spaces before it, NULs or spaces after it. */
function trimStray(xml: string): string {
  // eslint-disable-next-line no-control-regex -- NUL padding is exactly what is trimmed
  return xml.replace(/^[\s\uFEFF]+/, '').replace(/[\s\u0000]+$/, '');
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
  const decoded = decode(body);
  if ('unknown' in decoded) return fail(2, `encoding ${decoded.unknown} is not one Trygg reads`, ref0);
  const xml = trimStray(decoded.xml);
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
  const extensions: Record<string, string> = {};
  for (const [k, v] of Object.entries(el)) {
    if (!KNOWN.has(k)) {
      flatten(extensions, k, v);
      continue;
    }
    if (k === 'crd' || k === 'lge') continue;
    const t = text(v);
    if (t === null) return fail(2, `<${k}> must hold a value`, ref0);
    values[k] = t;
  }
  const ref = values.ref;
  if (!ref) return fail(7, 'mandatory <ref> missing');
  if (!REF.test(ref)) return fail(2, '<ref> must be 1–64 printable characters without spaces', ref0 ?? ref);
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
  if (Object.keys(extensions).length > 0) mrq.extensions = extensions;
  if (decoded.as) mrq.decodedAs = decoded.as;
  return { ok: true, mrq };
}
