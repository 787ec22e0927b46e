/** FHIR XML: well-formed, in the FHIR namespace, escaped, in the specification's element order. */
import { describe, expect, it } from 'vitest';
import type { Bundle } from './fhir-types.js';
import { alarmBundle } from './map-alarm.js';
import { dispenserBundle } from './map-dispenser.js';
import { fhirSchema } from './fhir-schema.js';
import { resolvedAlarm } from './test-support.js';
import { toFhirXml } from './xml.js';
import { ELEMENT_ORDER } from './xml-order.js';

const patient = { nationalId: '01017012345', name: 'Kari & <Nordmann> "K"' };

/** A small well-formedness check (no XML parser is installed): tags balance, entities are known. */
function wellFormed(xml: string): void {
  const stack: string[] = [];
  for (const m of xml.matchAll(/<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const [, closing, name = '', , selfClosing] = m;
    if (selfClosing) continue;
    if (closing) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open ?? 'nothing'}>`);
    } else stack.push(name);
  }
  expect(stack).toEqual([]);
  // Every `<` starts a tag the pattern above understood, and every `&` starts a known entity.
  const tags = [...xml.matchAll(/</g)].length;
  const matched = [...xml.matchAll(/<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/g)].length;
  expect(matched).toBe(tags);
  expect(xml).not.toMatch(/&(?!(amp|lt|gt|quot|apos|#\d+);)/);
}

describe('toFhirXml', () => {
  const bundle: Bundle = alarmBundle({ ...resolvedAlarm('alarm.button', 'Notat med <b>, & og "sitat"\nog ny linje'), patient });

  it('writes a well-formed bundle in the FHIR namespace, nested resources wrapped by type', () => {
    const xml = toFhirXml(bundle);
    wellFormed(xml);
    expect(xml.startsWith('<Bundle xmlns="http://hl7.org/fhir"><type value="transaction"/><entry>')).toBe(true);
    expect(xml).toContain('<resource><DetectedIssue>');
    expect(xml).toContain('<resource><Composition>');
    expect(xml).toContain('<div xmlns="http://www.w3.org/1999/xhtml">');
    expect(xml).toContain(
      '<extension url="http://ehelse.no/fhir/StructureDefinition/vkp-encounterDevice-v090"><extension url="identifier">',
    );
  });

  it('writes a DetectedIssue on its own with the namespace on the root', () => {
    const issue = dispenserBundle({
      deviceId: 'disp-7',
      eventId: 'e-1',
      type: 'dispenser.missed-dose',
      at: '2026-11-21T07:00:05.000Z',
      patient,
      residentId: null,
    }).entry[0]?.resource;
    const xml = toFhirXml(issue ?? {});
    wellFormed(xml);
    expect(xml).toMatch(/^<DetectedIssue xmlns="http:\/\/hl7\.org\/fhir"><meta>/);
    expect(xml).toContain('<code value="1.1"/>');
  });

  it('escapes &, <, " and line breaks in values', () => {
    const xml = toFhirXml(bundle);
    expect(xml).toContain('<display value="Kari &amp; &lt;Nordmann&gt; &quot;K&quot;"/>');
    expect(xml).toContain('Notat med &lt;b&gt;, &amp; og &quot;sitat&quot;<br/>og ny linje');
    expect(toFhirXml({ resourceType: 'DetectedIssue', detail: 'a\nb' })).toContain('<detail value="a&#10;b"/>');
  });

  it('orders child elements as the specification does, whatever the JSON order', () => {
    const xml = toFhirXml({
      resourceType: 'DetectedIssue',
      patient: { display: 'K', identifier: { value: '1', system: 'urn:x' } },
      status: 'final',
      identifier: [{ value: 'a', system: 'urn:y' }],
      unknownLater: 'kept',
    });
    expect(xml).toBe(
      '<DetectedIssue xmlns="http://hl7.org/fhir"><identifier><system value="urn:y"/><value value="a"/></identifier>' +
        '<status value="final"/><patient><identifier><system value="urn:x"/><value value="1"/></identifier><display value="K"/></patient>' +
        '<unknownLater value="kept"/></DetectedIssue>',
    );
  });

  it('refuses what it cannot write faithfully', () => {
    expect(() => toFhirXml({ resourceType: 'DetectedIssue', _status: { extension: [] } })).toThrow(/primitive extensions/);
    expect(() => toFhirXml({ status: 'final' })).toThrow(/resourceType/);
  });

  it('its order table agrees with the FHIR R4 schema', () => {
    const { definitions } = fhirSchema();
    for (const [type, table] of Object.entries(ELEMENT_ORDER)) {
      const props = definitions[type]?.properties;
      expect(props, type).toBeDefined();
      const order = Object.keys(props ?? {});
      const positions = Object.keys(table).map((k) => order.indexOf(k));
      expect(
        positions.every((p) => p >= 0),
        `${type}: ${Object.keys(table).join(',')}`,
      ).toBe(true);
      expect(positions, type).toEqual([...positions].sort((a, b) => a - b));
      for (const [element, datatype] of Object.entries(table)) {
        const p = (props ?? {})[element] as { $ref?: string; items?: { $ref?: string } };
        const ref = (p.$ref ?? p.items?.$ref ?? '').replace('#/definitions/', '');
        // Primitive datatypes are lower-case in the schema (uri, code, dateTime); complex ones are named.
        if (datatype === null) expect(ref === '' || /^[a-z]/.test(ref), `${type}.${element} is ${ref}`).toBe(true);
        else expect(ref, `${type}.${element}`).toBe(datatype);
      }
    }
  });
});
