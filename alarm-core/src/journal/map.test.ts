/**
 * Alarms and dispenser events map to FHIR R4 bundles that the official R4 JSON Schema accepts,
 * use only codes that exist in the national VKP code systems, and come out the same every time.
 */
import { describe, expect, it } from 'vitest';
import { DEVICE_EVENT_TYPES, opensAlarm } from '../contracts/vocabulary.js';
import { CS, EVENT, ID, VKP_CODE_SYSTEMS } from './codes.js';
import type { Bundle, Composition, DetectedIssue, Encounter, JournalResource } from './fhir-types.js';
import { alarmBundle } from './map-alarm.js';
import { fhirValidator } from './fhir-schema.js';
import { dispenserBundle } from './map-dispenser.js';
import { cancelledAlarm, clearedAlarm, codings, liv, ola, operatorAlarm, resolvedAlarm, vkpCodeSystems } from './test-support.js';
import { uuidV5 } from './uuid.js';

const ALARM_TYPES = DEVICE_EVENT_TYPES.filter(opensAlarm);
const patient = { nationalId: '01017012345', name: 'Kari Nordmann' };

const bundles = (): Bundle[] =>
  ALARM_TYPES.flatMap((type) => [
    alarmBundle({ ...resolvedAlarm(type), patient }),
    alarmBundle({ ...cancelledAlarm(type), patient }),
    alarmBundle({ ...operatorAlarm(type), patient: { nationalId: null, dNumber: '41017012345', name: 'Kari Nordmann' } }),
  ]).concat(alarmBundle({ ...clearedAlarm(), patient: { nationalId: null, name: null } }));

const dispenserBundles = (): Bundle[] =>
  (['dispenser.dispensed', 'dispenser.missed-dose', 'dispenser.fault'] as const).map((type) =>
    dispenserBundle({ deviceId: 'disp-7', eventId: 'e-42', type, at: '2026-11-21T07:00:05.000Z', patient, residentId: 'res-1' }),
  );

function resource<T extends JournalResource['resourceType']>(b: Bundle, type: T): Extract<JournalResource, { resourceType: T }> {
  const r = b.entry.find((e) => e.resource.resourceType === type)?.resource;
  if (!r) throw new Error(`no ${type} in bundle`);
  return r as Extract<JournalResource, { resourceType: T }>;
}
const eventCodes = (c: Composition) => c.event.map((e) => e.code[0]?.coding?.[0]?.code);

describe('alarm → FHIR bundle', () => {
  it('covers every alarm-opening event type', () => {
    expect(ALARM_TYPES.length).toBeGreaterThanOrEqual(13);
  });

  it('validates against the FHIR R4 JSON Schema, bundle and each resource', () => {
    const validate = fhirValidator();
    const errors: string[] = [];
    for (const b of [...bundles(), ...dispenserBundles()]) {
      errors.push(...validate('Bundle', b));
      for (const e of b.entry) errors.push(...validate(e.resource.resourceType, e.resource));
    }
    if (errors.length) console.error(errors.slice(0, 30).join('\n'));
    expect(errors).toEqual([]);
  });

  it('the schema check is not vacuous: a broken resource fails', () => {
    const validate = fhirValidator();
    const issue = resource(alarmBundle({ ...resolvedAlarm('alarm.button'), patient }), 'DetectedIssue');
    expect(validate('DetectedIssue', { ...issue, identifiedDateTime: 'yesterday' }).length).toBeGreaterThan(0);
    expect(validate('DetectedIssue', { ...issue, authr: issue.author }).length).toBeGreaterThan(0);
    expect(
      validate('Bundle', { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Nope' } }] }).length,
    ).toBeGreaterThan(0);
  });

  it('is a transaction of conditional creates with stable identifiers and urn:uuid fullUrls', () => {
    const { alarm, timeline } = resolvedAlarm('alarm.button');
    const b = alarmBundle({ alarm, timeline, patient });
    expect(b.type).toBe('transaction');
    expect(b.entry.map((e) => e.request)).toEqual([
      { method: 'POST', url: 'DetectedIssue', ifNoneExist: `identifier=urn:trygg:alarm|${alarm.id}` },
      { method: 'POST', url: 'Encounter', ifNoneExist: `identifier=urn:trygg:alarm|${alarm.id}/encounter` },
      { method: 'POST', url: 'Composition', ifNoneExist: `identifier=urn:trygg:alarm|${alarm.id}/composition` },
    ]);
    for (const e of b.entry)
      expect(e.fullUrl).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(b.entry.map((e) => e.fullUrl)).size).toBe(3);
    const composition = resource(b, 'Composition');
    expect(composition.encounter?.reference).toBe(b.entry[1]?.fullUrl);
    expect(composition.section[0]?.entry[0]?.reference).toBe(b.entry[0]?.fullUrl);
  });

  it('maps the same alarm to the same bundle, and another alarm to other ids', () => {
    const a = resolvedAlarm('alarm.fall');
    const first = alarmBundle({ ...a, patient });
    expect(alarmBundle({ ...structuredClone(a), patient })).toEqual(first);
    const other = alarmBundle({ ...cancelledAlarm('alarm.fall'), patient });
    expect(other.entry.map((e) => e.fullUrl)).not.toEqual(first.entry.map((e) => e.fullUrl));
  });

  it('names the patient by national id, else D-number, else Trygg resident id', () => {
    const a = resolvedAlarm('alarm.button');
    const subject = (p: Parameters<typeof alarmBundle>[0]['patient']) =>
      resource(alarmBundle({ ...a, patient: p }), 'DetectedIssue').patient;
    expect(subject(patient)).toEqual({
      type: 'Patient',
      identifier: { system: 'urn:oid:2.16.578.1.12.4.1.4.1', value: '01017012345' },
      display: 'Kari Nordmann',
    });
    expect(subject({ nationalId: null, dNumber: '41017012345', name: 'Kari' }).identifier).toEqual({
      system: 'urn:oid:2.16.578.1.12.4.1.4.2',
      value: '41017012345',
    });
    expect(subject({ nationalId: null, name: null }).identifier).toEqual({ system: ID.resident, value: 'res-1' });
  });

  it('writes the alert with its national code, the device as author, and the handling as a virtual encounter', () => {
    const { alarm, timeline } = resolvedAlarm('alarm.button');
    const b = alarmBundle({ alarm, timeline, patient });
    const issue: DetectedIssue = resource(b, 'DetectedIssue');
    expect(issue).toMatchObject({
      status: 'final',
      code: { coding: [{ system: CS.alertCode, code: '4.13', display: 'Knappetrykk' }] },
      identifiedDateTime: alarm.openedAt,
      author: { type: 'Device', identifier: { system: 'urn:trygg:device', value: 'dev-1' } },
    });
    const enc: Encounter = resource(b, 'Encounter');
    expect(enc).toMatchObject({
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'VR' },
      reasonCode: [{ coding: [{ system: CS.encounterReason, code: '2' }] }],
      period: { start: alarm.openedAt, end: alarm.closedAt },
    });
    expect(enc.participant?.map((p) => [p.individual.type, p.individual.identifier, p.type?.[0]?.coding?.[0]?.code])).toEqual([
      ['RelatedPerson', { system: 'urn:trygg:relative', value: ola.id }, 'PPRF'],
      ['RelatedPerson', { system: 'urn:trygg:relative', value: liv.id }, 'PART'],
    ]);
  });

  it('logs each handling step with its vkp-composition-event code', () => {
    const b = alarmBundle({ ...resolvedAlarm('alarm.fall'), patient });
    const c = resource(b, 'Composition');
    // meldt, til utrykning, aksjon (Liv declines), annen aktør (Liv), ok utrykning (Ola goes), aksjon (arrived), kvittert, årsak, tiltak
    expect(eventCodes(c)).toEqual(['0', '4', '9', '10', '5', '9', '3', '6', '7']);
    expect(c).toMatchObject({
      status: 'final',
      type: { coding: [{ system: 'http://loinc.org', code: '34133-9' }] },
      category: [{ coding: [{ system: CS.compositionCategory, code: '1' }] }],
      title: 'Trygghetsalarm – Fall',
      author: [{ type: 'RelatedPerson', identifier: { system: ID.relative, value: 'ola' } }],
    });
    expect(c.event.find((e) => e.code[0]?.coding?.[0] === EVENT.cause)?.code[0]?.text).toBe('Fall');
    expect(c.event.every((e) => e.detail?.[0]?.reference === b.entry[0]?.fullUrl)).toBe(true);
  });

  it('an operator claim is "behandles" and the operator a Practitioner', () => {
    const b = alarmBundle({ ...operatorAlarm('alarm.button'), patient });
    expect(eventCodes(resource(b, 'Composition'))).toEqual(['0', '4', '4', '1', '3', '6', '7']);
    expect(resource(b, 'Encounter').participant?.[0]?.individual).toEqual({
      type: 'Practitioner',
      identifier: { system: ID.user, value: 'u-olav' },
      display: 'Olav Operatør',
    });
  });

  it('journals a cancelled alarm too: meldt, then signed off on the device; encounter cancelled', () => {
    const b = alarmBundle({ ...cancelledAlarm('alarm.button'), patient });
    const c = resource(b, 'Composition');
    expect(eventCodes(c)).toEqual(['0', '4', '3']);
    expect(c.title).toBe('Trygghetsalarm – Knappetrykk (avbrutt)');
    expect(c.author[0]?.type).toBe('Device');
    expect(resource(b, 'Encounter').status).toBe('cancelled');
    expect(resource(b, 'Encounter').participant).toBeUndefined();
  });

  it('a technical alarm cleared by supervision: signed off by the system with its resolution, the device as author', () => {
    const b = alarmBundle({ ...clearedAlarm(), patient: { nationalId: null, name: null } });
    const c = resource(b, 'Composition');
    expect(eventCodes(c)).toEqual(['0', '4', '3', '6', '7']);
    expect(c.author[0]).toMatchObject({ type: 'Device', identifier: { system: ID.device, value: 'dev-1' } });
    expect(c.title).toBe('Trygghetsalarm – Ingen kontakt med enheten');
    expect(resource(b, 'DetectedIssue').code.coding?.[0]?.code).toBe('3');
    expect(resource(b, 'Encounter').status).toBe('finished');
  });

  it('without any identifier the patient is named only: still a valid reference', () => {
    const { alarm, timeline } = resolvedAlarm('alarm.button');
    alarm.subject.residentId = null;
    expect(
      resource(alarmBundle({ alarm, timeline, patient: { nationalId: null, name: null } }), 'DetectedIssue').patient,
    ).toEqual({
      type: 'Patient',
      display: 'Ukjent bruker',
    });
  });

  it('uses only codes that exist in the VKP code systems', () => {
    const systems = vkpCodeSystems();
    for (const url of VKP_CODE_SYSTEMS) expect(systems.has(url), url).toBe(true);
    const used = [...bundles(), ...dispenserBundles()].flatMap(codings).filter((c) => c.system.startsWith('http://ehelse.no/'));
    expect(used.length).toBeGreaterThan(100);
    for (const c of used) expect(systems.get(c.system)?.has(c.code), `${c.system}|${c.code}`).toBe(true);
  });

  it('escapes markup from a note in the narrative', () => {
    const b = alarmBundle({ ...resolvedAlarm('alarm.button', 'Hei <script>alert("x")</script> & ha det\nlinje 2'), patient });
    const div = resource(b, 'Composition').section[0]?.text.div ?? '';
    expect(div).toMatch(/^<div xmlns="http:\/\/www\.w3\.org\/1999\/xhtml">.*<\/div>$/s);
    expect(div).not.toContain('<script>');
    expect(div).toContain('Hei &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; ha det<br/>linje 2');
    expect(div).toContain('Liv &lt;Nordmann&gt; &amp; &quot;co&quot;');
    expect(resource(b, 'Composition').section[0]?.text.status).toBe('generated');
  });
});

describe('dispenser event → FHIR bundle', () => {
  it('a dose handed out is a MedicationDispense performed by the dispenser', () => {
    const [dispensed] = dispenserBundles();
    expect(dispensed?.entry[0]).toEqual({
      fullUrl: `urn:uuid:${uuidV5('urn:trygg:device-event|disp-7/e-42')}`,
      request: { method: 'POST', url: 'MedicationDispense', ifNoneExist: 'identifier=urn:trygg:device-event|disp-7/e-42' },
      resource: expect.objectContaining({
        resourceType: 'MedicationDispense',
        status: 'completed',
        category: { coding: [{ system: CS.medicationDispenseEvents, code: '1', display: 'medisin utlevert' }] },
        medicationCodeableConcept: { text: 'Multidose' },
        performer: [{ actor: expect.objectContaining({ identifier: { system: ID.device, value: 'disp-7' } }) }],
        whenHandedOver: '2026-11-21T07:00:05.000Z',
      }),
    });
  });

  it('a missed dose and a fault are DetectedIssues with alert codes 1.1 and 1.5', () => {
    const [, missed, fault] = dispenserBundles();
    expect(missed?.entry[0]?.resource).toMatchObject({ resourceType: 'DetectedIssue', code: { coding: [{ code: '1.1' }] } });
    expect(fault?.entry[0]?.resource).toMatchObject({ resourceType: 'DetectedIssue', code: { coding: [{ code: '1.5' }] } });
  });
});

describe('uuidV5', () => {
  it('matches the RFC 4122 test vector', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });
});
