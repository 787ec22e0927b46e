/**
 * Phone numbers as the SMS gateway wants them: E.164 (`+4791234567`). The registry keeps what
 * people typed ("912 34 567", "0047 912 34 567", "070-123 45 67"); a number without a country
 * code is read in the installation's region (`TRYGG_PHONE_REGION`). libphonenumber-js carries
 * each country's numbering plan (lengths, mobile ranges), so a fixed-line number, which cannot
 * take a text, is refused before anything is sent and the next channel is tried at once.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export type PhoneCheck = { ok: true; e164: string } | { ok: false; reason: string };

/** The number in E.164, or why it cannot take an SMS. */
export function toE164(raw: string, region: string): PhoneCheck {
  const parsed = parsePhoneNumberFromString(raw.trim(), { defaultCountry: region as CountryCode, extract: false });
  if (!parsed?.isValid()) return { ok: false, reason: 'not a valid phone number' };
  // FIXED_LINE_OR_MOBILE (some countries cannot tell) and unknown types are tried.
  if (parsed.getType() === 'FIXED_LINE') return { ok: false, reason: 'a fixed-line number cannot take an SMS' };
  return { ok: true, e164: parsed.number };
}

/** E.164 as the SMPP contract states it: `+`, a country code, at most 15 digits in all (ITU-T E.164 §6). */
export const E164 = /^\+[1-9]\d{6,14}$/;
