/**
 * FHIR XML (https://hl7.org/fhir/R4/xml.html) of the resources and bundles the journal builds,
 * for receivers that take XML. The JSON → XML rules: the root element is the resource type in
 * the FHIR namespace; a primitive is `<name value="…"/>`; an array repeats its element; a complex
 * value nests; a resource inside another (Bundle.entry.resource) is wrapped in an element named
 * after its type; Extension.url is an attribute; Narrative.div is XHTML, written as it is.
 * Child order follows the table in xml-order.ts (the specification's order).
 */
import { escapeXml } from './escape.js';
import { ELEMENT_ORDER, type ElementTable } from './xml-order.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The FHIR XML of a resource or Bundle, UTF-8, without an XML declaration (UTF-8 is XML's
 * default, and a declaration would be in the way when the text is embedded). Primitive
 * extensions (`_status`) are not supported: Trygg never writes them, and dropping one silently
 * would lose data, so they throw.
 */
export function toFhirXml(resource: object): string {
  return resourceXml(resource as Json, true);
}

function resourceXml(r: Json, root: boolean): string {
  const type = r.resourceType;
  if (typeof type !== 'string') throw new Error('toFhirXml: not a FHIR resource (no resourceType)');
  const ns = root ? ' xmlns="http://hl7.org/fhir"' : '';
  return `<${type}${ns}>${childrenXml(r, ELEMENT_ORDER[type])}</${type}>`;
}

/** The listed elements in specification order, then any others in insertion order. */
function orderedKeys(obj: Json, table: ElementTable | undefined): string[] {
  const keys = Object.keys(obj).filter((k) => k !== 'resourceType');
  if (!table) return keys;
  const listed = Object.keys(table);
  const known = listed.filter((k) => k in obj);
  return [...known, ...keys.filter((k) => !(k in table))];
}

function childrenXml(obj: Json, table: ElementTable | undefined, skip?: string): string {
  let out = '';
  for (const key of orderedKeys(obj, table)) {
    if (key === skip) continue;
    if (key.startsWith('_')) throw new Error(`toFhirXml: primitive extensions are not supported (${key})`);
    const value = obj[key];
    if (value === undefined || value === null) continue;
    const type = table?.[key] ?? undefined;
    for (const v of Array.isArray(value) ? (value as unknown[]) : [value]) out += elementXml(key, v, type);
  }
  return out;
}

function elementXml(name: string, value: unknown, type: string | null | undefined): string {
  if (type === 'xhtml' || (name === 'div' && typeof value === 'string')) return String(value);
  if (isObject(value)) {
    if (typeof value.resourceType === 'string') return `<${name}>${resourceXml(value, false)}</${name}>`;
    // Extension.url is an XML attribute, not an element (FHIR XML §"Extensions").
    const isExtension = type === 'Extension' || name === 'extension' || name === 'modifierExtension';
    const url = isExtension && typeof value.url === 'string' ? ` url="${escapeXml(value.url)}"` : '';
    const childTable = type ? ELEMENT_ORDER[type] : undefined;
    return `<${name}${url}>${childrenXml(value, childTable, url ? 'url' : undefined)}</${name}>`;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return `<${name} value="${escapeXml(String(value))}"/>`;
  }
  throw new Error(`toFhirXml: cannot write ${name} (${typeof value})`);
}
