/**
 * GSM 03.38 as the SMSC checks it (3GPP TS 23.038 §6.2.1): which octets are septets of the
 * default alphabet, which follow an escape, and the text they make. Written apart from the
 * gateway's encoder on purpose: a double that shares the code under test checks nothing.
 */
const BASIC = [
  '@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å',
  'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', null, 'Æ', 'æ', 'ß', 'É',
  ' ', '!', '"', '#', '¤', '%', '&', "'", '(', ')', '*', '+', ',', '-', '.', '/',
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
  '¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
  'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§',
  '¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
  'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à',
] as const; // prettier-ignore
const EXTENDED = new Map<number, string>([
  [0x0a, '\f'], [0x14, '^'], [0x28, '{'], [0x29, '}'], [0x2f, '\\'],
  [0x3c, '['], [0x3d, '~'], [0x3e, ']'], [0x40, '|'], [0x65, '€'],
]); // prettier-ignore

const ENCODE = new Map<string, number[]>();
BASIC.forEach((c, i) => c !== null && ENCODE.set(c, [i]));
for (const [code, c] of EXTENDED) ENCODE.set(c, [0x1b, code]);

/** Unpacked septets → text, or the reason they are not a GSM 7-bit text. */
export function decodeGsm(octets: Uint8Array): { text: string } | { error: string } {
  let text = '';
  for (let i = 0; i < octets.length; i++) {
    const o = octets[i]!;
    if (o > 0x7f) return { error: `octet 0x${o.toString(16)} at ${i} is not a GSM 7-bit septet` };
    if (o !== 0x1b) {
      text += BASIC[o];
      continue;
    }
    const e = octets[++i];
    if (e === undefined) return { error: 'escape (0x1B) at the end of the text' };
    const c = EXTENDED.get(e);
    if (c === undefined) return { error: `escape then 0x${e.toString(16)}: not in the extension table` };
    text += c;
  }
  return { text };
}

/** Text → unpacked septets, or null when a character is outside GSM 03.38. */
export function encodeGsm(text: string): Buffer | null {
  const out: number[] = [];
  for (const c of text) {
    const code = ENCODE.get(c);
    if (!code) return null;
    out.push(...code);
  }
  return Buffer.from(out);
}

/** UTF-16BE → text, or the reason it is not valid UTF-16 (odd length, a lone surrogate). */
export function decodeUtf16be(octets: Uint8Array): { text: string } | { error: string } {
  if (octets.length % 2) return { error: `odd length ${octets.length} for UCS-2` };
  const units: number[] = [];
  for (let i = 0; i < octets.length; i += 2) units.push((octets[i]! << 8) | octets[i + 1]!);
  for (let i = 0; i < units.length; i++) {
    const u = units[i]!;
    const high = u >= 0xd800 && u < 0xdc00;
    const low = u >= 0xdc00 && u < 0xe000;
    if (low) return { error: `lone low surrogate at unit ${i}` };
    if (high) {
      const n = units[i + 1];
      if (n === undefined || n < 0xdc00 || n >= 0xe000) return { error: `lone high surrogate at unit ${i}` };
      i++;
    }
  }
  return { text: String.fromCharCode(...units) };
}
