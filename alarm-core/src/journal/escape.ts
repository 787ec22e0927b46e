/** XML escaping, shared by the narrative (XHTML) and the FHIR XML writer. */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // Character references, so line breaks and tabs survive attribute-value normalisation (XML 1.0 §3.3.3).
  '\n': '&#10;',
  '\r': '&#13;',
  '\t': '&#9;',
};

/** Characters XML 1.0 cannot carry at all, not even as character references. */
// eslint-disable-next-line no-control-regex -- the point is to match the characters XML 1.0 forbids
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/**
 * Escapes text for XML content and double-quoted attributes. Characters XML forbids are dropped:
 * a stray byte from a device must not make the whole record unreadable.
 */
export function escapeXml(text: string): string {
  return text.replace(FORBIDDEN, '').replace(/[&<>"'\n\r\t]/g, (ch) => ENTITIES[ch] ?? ch);
}
