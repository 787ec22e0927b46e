/**
 * The bytes of an uploaded CSV as text. Spreadsheets still save Norwegian and Swedish files in
 * Latin-1 / windows-1252, where `ø` is one byte that is not UTF-8: read as UTF-8 it would become
 * U+FFFD and be stored that way. So a file is read by the charset it declares (`text/csv;
 * charset=…`), UTF-8 when it declares none, and a file that is not valid in that charset is
 * refused with the line of the first bad byte, never guessed at.
 */
import { TryggError } from '@trygg/alarm-core';

/** Charsets a CSV may declare, as WHATWG encoding labels (`iso-8859-1` and `latin1` decode as windows-1252, its superset). */
const CHARSETS: Record<string, string> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'us-ascii': 'utf-8',
  'iso-8859-1': 'windows-1252',
  latin1: 'windows-1252',
  'iso-8859-15': 'iso-8859-15',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
};

/** Decodes a CSV upload; throws TRYGG_ERR_VALIDATION for an unknown charset or bytes that are not in it. */
export function decodeCsv(bytes: Uint8Array, charset: string | null | undefined): string {
  const label = (charset ?? 'utf-8').trim().toLowerCase();
  const encoding = CHARSETS[label];
  if (!encoding)
    throw new TryggError(
      'TRYGG_ERR_VALIDATION',
      `charset ${label} is not supported for CSV: send UTF-8, or declare charset=iso-8859-1 or windows-1252`,
    );
  if (encoding !== 'utf-8') return new TextDecoder(encoding).decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Where the first bad byte is: a lenient decoding marks it with U+FFFD.
    const lenient = new TextDecoder('utf-8').decode(bytes);
    const line = lenient.slice(0, lenient.indexOf('\ufffd')).split('\n').length;
    throw new TryggError(
      'TRYGG_ERR_VALIDATION',
      `body is not UTF-8 (first bad byte on line ${line}): save the file as UTF-8, or send it as text/csv; charset=iso-8859-1`,
    );
  }
}
