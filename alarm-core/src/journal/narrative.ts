/**
 * Building blocks for FHIR Narrative: XHTML in the XHTML namespace, everything escaped, only the
 * few elements FHIR allows in a narrative (p, b, ul, li, br). Content is never trusted: a note
 * typed on a phone can hold anything, including markup.
 */
import { escapeXml } from './escape.js';
import type { Narrative } from './fhir-types.js';

/** A paragraph with an optional bold label; line breaks in the text are kept. */
export function paragraph(text: string, label?: string): string {
  const body = text.split(/\r?\n/).map(escapeXml).join('<br/>');
  return `<p>${label ? `<b>${escapeXml(label)}:</b> ` : ''}${body}</p>`;
}

/** A heading line. */
export const heading = (text: string): string => `<p><b>${escapeXml(text)}</b></p>`;

/** A bulleted list; nothing when empty (an empty ul is not valid narrative). */
export const list = (items: readonly string[]): string =>
  items.length === 0 ? '' : `<ul>${items.map((i) => `<li>${escapeXml(i)}</li>`).join('')}</ul>`;

/** A generated narrative from already-escaped parts (built with the helpers above). */
export function generated(parts: readonly string[]): Narrative {
  return { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${parts.join('')}</div>` };
}
