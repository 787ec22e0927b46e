/**
 * The official FHIR R4 JSON Schema as a validator: what the journal's conformance tests check
 * every resource against, and what the stand-in journal (simulators' FHIR receiver) refuses a
 * transaction by, so both hold Trygg to the same definition of "valid R4".
 *
 * The schema itself (2.8 MB) stays vendored in reference/fhir/ at the repository root, beside
 * its source and licence: the running service never loads it, and this module is not exported
 * from index.ts (only as `@trygg/alarm-core/fhir-schema`), so neither Ajv nor the schema is
 * loaded by anything but the tests and the simulators.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import AjvModule, { type AnySchemaObject, type ValidateFunction } from 'ajv';

/** The vendored reference data of the FHIR standard (reference/fhir at the repository root). */
export const FHIR_REFERENCE_DIR = fileURLToPath(new URL('../../../reference/fhir/', import.meta.url));
/** The FHIR R4 (4.0.1) JSON Schema, unchanged from HL7. */
export const FHIR_SCHEMA_FILE = `${FHIR_REFERENCE_DIR}fhir.r4.schema.json`;

/** Checks a value as a resource (or datatype) of the named R4 type; the errors, none when valid. */
export type FhirValidator = (type: string, value: unknown) => string[];
let validator: FhirValidator | null = null;

/** A validator per resource type over the official R4 JSON Schema (draft-06): loaded once, each type compiled once. */
export function fhirValidator(): FhirValidator {
  validator ??= loadValidator();
  return validator;
}

function loadValidator(): FhirValidator {
  const Ajv = AjvModule.default;
  const draft06 = createRequire(import.meta.url)('ajv/dist/refs/json-schema-draft-06.json') as AnySchemaObject;
  const { id, ...schema } = JSON.parse(readFileSync(FHIR_SCHEMA_FILE, 'utf8')) as AnySchemaObject;
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(draft06);
  // The schema names itself with draft-04's `id`, which Ajv 8 refuses: it becomes `$id`.
  ajv.addSchema({ ...schema, $id: id as string });
  const compiled = new Map<string, ValidateFunction>();
  return (type, value) => {
    let validate = compiled.get(type);
    if (!validate) {
      validate = ajv.compile({ $ref: `http://hl7.org/fhir/json-schema/4.0#/definitions/${type}` });
      compiled.set(type, validate);
    }
    return validate(value)
      ? []
      : (validate.errors ?? []).map((e) => `${type}${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  };
}

/** The raw schema's definitions, e.g. for the XML order table or the list of resource types. */
export const fhirSchema = (): { definitions: Record<string, { properties?: Record<string, unknown> }> } =>
  JSON.parse(readFileSync(FHIR_SCHEMA_FILE, 'utf8')) as { definitions: Record<string, { properties?: Record<string, unknown> }> };
