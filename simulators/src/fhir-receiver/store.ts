/**
 * What the stand-in journal holds: the stored resources (with the server-assigned ids and
 * whether the EPJ has journaled them yet) and the asynchronous write jobs of `accept-202` mode.
 */
import { randomUUID } from 'node:crypto';

export interface StoredResource {
  resourceType: string;
  id: string;
  resource: Record<string, unknown>;
  /** Every `system|value` of the resource's identifiers, what conditional create searches. */
  identifierKeys: string[];
  journaled: boolean;
  storedAt: Date;
}

export interface RecordView {
  resourceType: string;
  resource: unknown;
  journaled: boolean;
  storedAt: Date;
}

interface AsyncJob {
  resources: StoredResource[];
  response: unknown;
}

/** `system|value` of every identifier (a list in most resources, a single one in some). */
export function identifierKeys(resource: Record<string, unknown>): string[] {
  const raw = resource.identifier;
  const list: unknown[] = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.flatMap((i) => {
    const { system, value } = (i ?? {}) as { system?: unknown; value?: unknown };
    return typeof system === 'string' && typeof value === 'string' ? [`${system}|${value}`] : [];
  });
}

export class JournalStore {
  private readonly stored: StoredResource[] = [];
  /** `type|system|value` → resources: the identifier index a conditional create searches, as a journal's database has. */
  private readonly byIdentifier = new Map<string, StoredResource[]>();
  private readonly jobs = new Map<string, AsyncJob>();

  /** Stored resources of a type carrying the identifier `system|value`. */
  find(resourceType: string, key: string): StoredResource[] {
    return this.byIdentifier.get(`${resourceType}|${key}`) ?? [];
  }

  add(resources: StoredResource[]): void {
    this.stored.push(...resources);
    for (const r of resources)
      for (const key of r.identifierKeys) {
        const k = `${r.resourceType}|${key}`;
        const list = this.byIdentifier.get(k);
        if (list) list.push(r);
        else this.byIdentifier.set(k, [r]);
      }
  }

  /** Keyed by the first identifier; a resource without one, or a second one with the same, also names its id. */
  records(): Map<string, RecordView> {
    const map = new Map<string, RecordView>();
    for (const r of this.stored) {
      const first = r.identifierKeys[0];
      const ref = `${r.resourceType}/${r.id}`;
      const key = first === undefined ? ref : map.has(first) ? `${first} (${ref})` : first;
      map.set(key, { resourceType: r.resourceType, resource: r.resource, journaled: r.journaled, storedAt: r.storedAt });
    }
    return map;
  }

  journalPending(): void {
    for (const r of this.stored) r.journaled = true;
  }

  /** Remembers an accepted write; answers the job id for its status URL. */
  addJob(resources: StoredResource[], response: unknown): string {
    const id = randomUUID();
    this.jobs.set(id, { resources, response });
    return id;
  }

  /** undefined for an unknown job, 'pending' until all its resources are journaled, then the transaction-response. */
  job(id: string): { response: unknown } | 'pending' | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    return job.resources.every((r) => r.journaled) ? { response: job.response } : 'pending';
  }
}
