/**
 * A FHIR R4 `transaction` Bundle as the journal processes it: checks the envelope and every
 * entry (POST only, resources valid against the official R4 JSON Schema), resolves conditional
 * creates (`ifNoneExist: identifier=<system>|<value>`), assigns ids, rewrites references between
 * the entries, and builds the `transaction-response`. All or nothing: on any error nothing is kept.
 */
import { randomUUID } from 'node:crypto';
import { fhirSchema, fhirValidator } from '@trygg/alarm-core/fhir-schema';
import { issue, type Issue } from './http.js';
import { identifierKeys, type JournalStore, type StoredResource } from './store.js';

export type TransactionResult =
  | {
      ok: true;
      /** The transaction-response Bundle. */
      response: Record<string, unknown>;
      /** What the transaction created, plus the existing resources its conditional creates matched. */
      touched: StoredResource[];
      created: number;
      deduplicated: number;
    }
  | { ok: false; status: 400 | 412; issues: Issue[] };

let resourceTypes: Set<string> | null = null;

/** The names of the R4 resource types (schema definitions with a `resourceType` property). */
function isResourceType(type: string): boolean {
  resourceTypes ??= new Set(
    Object.entries(fhirSchema().definitions)
      .filter(([, d]) => d.properties?.resourceType !== undefined)
      .map(([name]) => name),
  );
  return resourceTypes.has(type);
}

/** Loads the schema and compiles the validators a journal write needs, so the first request is not slow. */
export function warmUp(): void {
  isResourceType('Bundle');
  for (const type of ['Bundle', 'DetectedIssue', 'Encounter', 'Composition']) fhirValidator()(type, {});
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Entry {
  fullUrl: string;
  resourceType: string;
  resource: Record<string, unknown>;
  /** `system|value` of the conditional create, if any. */
  ifNoneExist: string | null;
}

/** `identifier=<system>|<value>` (URL-encoded or not) → `system|value`; null when it is not that form. */
function parseIfNoneExist(query: string): string | null {
  const params = new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
  const keys = [...params.keys()];
  const value = params.get('identifier');
  if (keys.length !== 1 || value === null) return null;
  const bar = value.indexOf('|');
  return bar > 0 && bar < value.length - 1 ? value : null;
}

/** Checks one entry; pushes its problems to `issues`. */
function checkEntry(raw: unknown, i: number, fullUrls: Set<string>, issues: Issue[]): Entry | null {
  const at = `Bundle.entry[${i}]`;
  if (!isObject(raw)) {
    issues.push(issue('structure', 'an entry must be an object', at));
    return null;
  }
  const before = issues.length;
  const { fullUrl, resource, request } = raw;
  if (typeof fullUrl !== 'string' || fullUrl === '') issues.push(issue('required', 'entry.fullUrl is required', `${at}.fullUrl`));
  else if (fullUrls.has(fullUrl)) issues.push(issue('duplicate', `fullUrl ${fullUrl} appears twice`, `${at}.fullUrl`));
  else fullUrls.add(fullUrl);
  if (!isObject(resource)) {
    issues.push(issue('required', 'entry.resource is required', `${at}.resource`));
    return null;
  }
  const type = resource.resourceType;
  if (typeof type !== 'string' || !isResourceType(type)) {
    issues.push(issue('not-supported', `unknown resourceType ${JSON.stringify(type)}`, `${at}.resource.resourceType`));
    return null;
  }
  let ifNoneExist: string | null = null;
  if (!isObject(request)) issues.push(issue('required', 'entry.request is required in a transaction', `${at}.request`));
  else {
    if (request.method !== 'POST')
      issues.push(
        issue(
          'not-supported',
          `request.method ${String(request.method)}: only POST (create) is accepted`,
          `${at}.request.method`,
        ),
      );
    if (request.url !== type)
      issues.push(issue('invalid', `request.url ${String(request.url)} must be the resource type ${type}`, `${at}.request.url`));
    if (request.ifNoneExist !== undefined) {
      ifNoneExist = typeof request.ifNoneExist === 'string' ? parseIfNoneExist(request.ifNoneExist) : null;
      if (ifNoneExist === null)
        issues.push(
          issue(
            'not-supported',
            `ifNoneExist ${JSON.stringify(request.ifNoneExist)}: only identifier=<system>|<value> is supported`,
            `${at}.request.ifNoneExist`,
          ),
        );
    }
  }
  for (const error of fhirValidator()(type, resource)) issues.push(issue('structure', error, `${at}.resource`));
  return issues.length === before ? { fullUrl: fullUrl as string, resourceType: type, resource, ifNoneExist } : null;
}

/** Checks the Bundle and its entries; the entries, or the problems. */
function checkBundle(body: unknown): { entries: Entry[] } | { issues: Issue[] } {
  if (!isObject(body)) return { issues: [issue('structure', 'the body must be a JSON object')] };
  if (body.resourceType !== 'Bundle')
    return { issues: [issue('invalid', `expected a Bundle, got ${JSON.stringify(body.resourceType)}`, 'Bundle.resourceType')] };
  if (body.type !== 'transaction')
    return {
      issues: [issue('not-supported', `Bundle.type ${JSON.stringify(body.type)}: only transaction is accepted`, 'Bundle.type')],
    };
  if (body.entry !== undefined && !Array.isArray(body.entry))
    return { issues: [issue('structure', 'Bundle.entry must be an array', 'Bundle.entry')] };
  const rawEntries: unknown[] = (body.entry as unknown[] | undefined) ?? [];
  // The envelope against the schema, without the resources (each is checked against its own type below).
  const withoutResource = (e: unknown): unknown => {
    if (!isObject(e)) return e;
    const { resource: _resource, ...rest } = e;
    return rest;
  };
  const envelope = body.entry === undefined ? body : { ...body, entry: rawEntries.map(withoutResource) };
  const issues = fhirValidator()('Bundle', envelope).map((error) => issue('structure', error, 'Bundle'));
  const fullUrls = new Set<string>();
  const entries = rawEntries.map((raw, i) => checkEntry(raw, i, fullUrls, issues));
  return issues.length > 0 ? { issues } : { entries: entries.filter((e): e is Entry => e !== null) };
}

/** Replaces every `reference` naming a fullUrl of this transaction with the id it got. */
function rewriteReferences(value: unknown, ids: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteReferences(v, ids));
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      k === 'reference' && typeof v === 'string' && ids.has(v) ? ids.get(v) : rewriteReferences(v, ids),
    ]),
  );
}

/** Processes a transaction against the store; commits only when every entry succeeds. */
export function processTransaction(
  body: unknown,
  store: JournalStore,
  opts: { baseUrl: string; journaled: boolean },
): TransactionResult {
  const checked = checkBundle(body);
  if ('issues' in checked) return { ok: false, status: 400, issues: checked.issues };

  const now = new Date();
  const lastModified = now.toISOString();
  const ids = new Map<string, string>();
  const created: StoredResource[] = [];
  const touched: StoredResource[] = [];
  const outcomes: { status: string; target: StoredResource }[] = [];
  for (const [i, entry] of checked.entries.entries()) {
    if (entry.ifNoneExist !== null) {
      const key = entry.ifNoneExist;
      const matches = [
        ...store.find(entry.resourceType, key),
        ...created.filter((r) => r.resourceType === entry.resourceType && r.identifierKeys.includes(key)),
      ];
      if (matches.length > 1)
        return {
          ok: false,
          status: 412,
          issues: [
            issue(
              'multiple-matches',
              `ifNoneExist identifier=${key} matches ${matches.length} resources`,
              `Bundle.entry[${i}].request.ifNoneExist`,
            ),
          ],
        };
      const match = matches[0];
      if (match) {
        ids.set(entry.fullUrl, `${match.resourceType}/${match.id}`);
        outcomes.push({ status: '200 OK', target: match });
        if (!touched.includes(match)) touched.push(match);
        continue;
      }
    }
    const id = randomUUID();
    const resource: Record<string, unknown> = {
      ...entry.resource,
      id,
      meta: { ...(entry.resource.meta as object | undefined), versionId: '1', lastUpdated: lastModified },
    };
    const stored: StoredResource = {
      resourceType: entry.resourceType,
      id,
      resource,
      identifierKeys: identifierKeys(resource),
      journaled: opts.journaled,
      storedAt: now,
    };
    ids.set(entry.fullUrl, `${entry.resourceType}/${id}`);
    created.push(stored);
    touched.push(stored);
    outcomes.push({ status: '201 Created', target: stored });
  }
  for (const r of created) r.resource = rewriteReferences(r.resource, ids) as Record<string, unknown>;
  store.add(created);

  const response = {
    resourceType: 'Bundle',
    id: randomUUID(),
    type: 'transaction-response',
    entry: outcomes.map(({ status, target }) => ({
      fullUrl: `${opts.baseUrl}/${target.resourceType}/${target.id}`,
      response: {
        status,
        location: `${target.resourceType}/${target.id}/_history/1`,
        etag: 'W/"1"',
        lastModified: target.storedAt.toISOString(),
      },
    })),
  };
  return { ok: true, response, touched, created: created.length, deduplicated: outcomes.length - created.length };
}
