/**
 * How long a text is as an SMS: GSM 7-bit when every character is in the GSM 03.38 default
 * alphabet or its extension table (æøå, ÆØÅ, äö, é are in it; an extension character such as
 * `€` or `[` takes two septets), UCS-2 otherwise. One SMS holds 160 septets or 70 UCS-2 units;
 * a longer text is sent in parts of 153 septets or 67 units (3GPP TS 23.038 §6.2.1, TS 23.040
 * §9.2.3.24.1: the concatenation header takes the rest).
 */

// 3GPP TS 23.038 §6.2.1: the default alphabet (0x1B, the escape to the extension table, left out).
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
// §6.2.1.1: the extension table, each sent as escape + character.
const EXTENSION = '\f^{}\\[~]|€';

const basic = new Set(BASIC);
const extension = new Set(EXTENSION);

export type SmsEncoding = 'gsm7' | 'ucs2';

export interface SmsLength {
  encoding: SmsEncoding;
  /** Septets (GSM 7-bit) or UTF-16 code units (UCS-2). */
  units: number;
  /** Messages the text takes. */
  parts: number;
}

/** Septets the text takes in GSM 7-bit, or null when a character is not in the GSM alphabet. */
export function gsm7Septets(text: string): number | null {
  let n = 0;
  for (const ch of text) {
    if (basic.has(ch)) n += 1;
    else if (extension.has(ch)) n += 2;
    else return null;
  }
  return n;
}

/** The encoding a text needs and how many messages it takes. */
export function smsLength(text: string): SmsLength {
  const septets = gsm7Septets(text);
  if (septets !== null) return { encoding: 'gsm7', units: septets, parts: septets <= 160 ? 1 : Math.ceil(septets / 153) };
  const units = text.length;
  return { encoding: 'ucs2', units, parts: units <= 70 ? 1 : Math.ceil(units / 67) };
}

/** Whether the text fits one SMS. */
export const fitsOneSms = (text: string): boolean => smsLength(text).parts === 1;
