/**
 * Addresses as SMPP carries them (SMPP 3.4 §5.2.5–6): a number with its type of number (TON)
 * and numbering plan (NPI). The sender (source address) may be an alphanumeric name, a short
 * code or a full number; the TON/NPI are chosen from its form.
 */
export interface SmppAddress {
  ton: number;
  npi: number;
  addr: string;
}

export const TON = { unknown: 0, international: 1, national: 2, networkSpecific: 3, alphanumeric: 5 } as const;
export const NPI = { unknown: 0, isdn: 1 } as const;

/** An E.164 number as "+" and 7…15 digits. */
export const E164 = /^\+[1-9]\d{6,14}$/;
/** What a sender may be: "+4790000000", a short code "2270", or a name of at most 11 characters. */
export const SENDER_PATTERN = '^(\\+[1-9][0-9]{6,14}|[0-9]{3,15}|[A-Za-z0-9 ._-]*[A-Za-z][A-Za-z0-9 ._-]*)$';

/**
 * The source address for a sender: "+47…" international (TON 1, NPI 1, digits without "+"); up
 * to 8 digits a short code (TON 3 network specific, NPI 0); more digits a national number
 * (TON 2, NPI 1); anything with a letter alphanumeric (TON 5, NPI 0; 11 characters at most,
 * TS 23.040 §9.1.2.5).
 */
export function senderAddress(sender: string): SmppAddress {
  if (/^\+\d+$/.test(sender)) return { ton: TON.international, npi: NPI.isdn, addr: sender.slice(1) };
  if (/^\d{1,8}$/.test(sender)) return { ton: TON.networkSpecific, npi: NPI.unknown, addr: sender };
  if (/^\d+$/.test(sender)) return { ton: TON.national, npi: NPI.isdn, addr: sender };
  return { ton: TON.alphanumeric, npi: NPI.unknown, addr: sender.slice(0, 11) };
}

/** A destination in E.164 as an international address. */
export function destinationAddress(e164: string): SmppAddress {
  return { ton: TON.international, npi: NPI.isdn, addr: e164.replace(/^\+/, '') };
}
