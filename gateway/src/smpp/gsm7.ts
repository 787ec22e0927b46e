/**
 * The GSM 03.38 (3GPP TS 23.038 §6.2.1) 7-bit default alphabet and its extension table, as SMPP
 * carries it with data_coding 0: one septet per octet, unpacked (SMPP 3.4 §5.2.19; the SMSC packs
 * for the air). The alphabet holds æ ø å Æ Ø Å ä ö Ä Ö é ü, so most Norwegian and Swedish texts
 * fit in 160 characters instead of UCS-2's 70.
 */

/** The default table, code 0x00…0x7F; 0x1B (escape to the extension table) is not a character. */
const DEFAULT_TABLE =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** TS 23.038 §6.2.1.1: the extension table's characters, each sent as 0x1B then its code. */
const EXTENSION: Record<string, number> = {
  '\f': 0x0a,
  '^': 0x14,
  '{': 0x28,
  '}': 0x29,
  '\\': 0x2f,
  '[': 0x3c,
  '~': 0x3d,
  ']': 0x3e,
  '|': 0x40,
  '€': 0x65,
};

export const GSM_ESCAPE = 0x1b;

const toCode = new Map<string, number>();
for (let i = 0; i < DEFAULT_TABLE.length; i++) if (i !== GSM_ESCAPE) toCode.set(DEFAULT_TABLE[i]!, i);
const fromExtension = new Map<number, string>(Object.entries(EXTENSION).map(([c, code]) => [code, c]));

/** Septets a text takes in the GSM 7-bit alphabet (extension characters take two), or null when a character does not fit. */
export function gsmSeptets(text: string): number | null {
  let n = 0;
  for (const ch of text) {
    if (toCode.has(ch)) n += 1;
    else if (ch in EXTENSION) n += 2;
    else return null;
  }
  return n;
}

/** The text's septets, one per octet; null when a character is outside the alphabet. */
export function gsmEncode(text: string): Buffer | null {
  const out: number[] = [];
  for (const ch of text) {
    const code = toCode.get(ch);
    if (code !== undefined) out.push(code);
    else if (ch in EXTENSION) out.push(GSM_ESCAPE, EXTENSION[ch]!);
    else return null;
  }
  return Buffer.from(out);
}

/** Every character's septets, one array per character (so a split never parts an escape from its code). */
export function gsmCharacters(text: string): number[][] | null {
  const out: number[][] = [];
  for (const ch of text) {
    const code = toCode.get(ch);
    if (code !== undefined) out.push([code]);
    else if (ch in EXTENSION) out.push([GSM_ESCAPE, EXTENSION[ch]!]);
    else return null;
  }
  return out;
}

/**
 * Unpacked septets → text; null when an octet is above 0x7F (not a septet). An escape before a
 * code the extension table lacks reads as that code's default character (TS 23.038 §6.2.1.1); a
 * lone escape at the end is dropped.
 */
export function gsmDecode(octets: Uint8Array): string | null {
  let out = '';
  for (let i = 0; i < octets.length; i++) {
    const b = octets[i]!;
    if (b > 0x7f) return null;
    if (b !== GSM_ESCAPE) {
      out += DEFAULT_TABLE[b];
      continue;
    }
    const next = octets[++i];
    if (next === undefined) break;
    if (next > 0x7f) return null;
    out += fromExtension.get(next) ?? (next === GSM_ESCAPE ? ' ' : DEFAULT_TABLE[next]);
  }
  return out;
}

/**
 * A text squeezed into the GSM alphabet (for the `gsm` encoding setting, a gateway that cannot
 * take UCS-2): accents the alphabet lacks are dropped (ŋ keeps nothing it can show, so it becomes
 * "?"), never the whole message.
 */
export function toGsmText(text: string): string {
  let out = '';
  for (const ch of text) {
    if (toCode.has(ch) || ch in EXTENSION) {
      out += ch;
      continue;
    }
    const base = ch.normalize('NFD').replace(/\p{M}+/gu, '');
    out += base && gsmSeptets(base) !== null ? base : '?';
  }
  return out;
}
