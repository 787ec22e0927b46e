/**
 * Health per integration: each part that talks to something outside the process (the database,
 * the device listeners, the journal, the push service, Redis, the identity provider, the SMS
 * gateway, the self-test) registers a source here when it starts, and `/readyz`, the live
 * banner and the logs all read the same answers. Parts report; nothing reaches into a part.
 *
 * Which integrations are fatal — down means this node cannot take alarms, so `/readyz` is 503
 * and a balancer takes it out — is said by the source (`fatal`). Fatal: the database, the event
 * stores, the MQTT listener (or external-broker connection) and the SIP listeners. Everything
 * else is not: a journal, push service, SMS gateway, Redis, identity provider or self-test that
 * is down leaves the node taking and escalating alarms, and is shown to people instead.
 *
 * A check answers within `timeoutMs` or counts as down; one check per source runs at a time
 * however often it is asked (`/readyz` is public), callers in between share its answer. The
 * registry remembers when each integration entered its state (`since`) and when it last
 * answered ok (`lastSuccessAt`), unless the source knows better (a journal's first failure).
 */
import { INTEGRATIONS, type IntegrationHealth, type IntegrationName, type IntegrationState } from '@trygg/alarm-core';

/** What a source says about its integration now. */
export interface IntegrationReport {
  state: IntegrationState;
  /** One line in English for logs and people who run the service. */
  detail: string;
  /** When the current state began, if the source knows it better than the registry. */
  since?: Date | null;
  /** When it last worked, if the source knows it (a delivery taken); else the registry's last ok. */
  lastSuccessAt?: Date | null;
  waiting?: number;
  oldestWaitingS?: number | null;
  recentFailures?: number;
}

export interface IntegrationSource {
  name: IntegrationName;
  /** Down makes the node not ready (see the header). Default false. */
  fatal?: boolean;
  check(): IntegrationReport | Promise<IntegrationReport>;
}

/** The longest a check may take before it counts as down. */
export const CHECK_TIMEOUT_MS = 2_000;

/** `promise`'s value, or `fallback()` once `ms` have passed. */
async function within<T>(promise: Promise<T>, ms: number, fallback: () => T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback()), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

interface Seen {
  state: IntegrationState;
  since: number;
  lastOkAt: number | null;
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

export class HealthRegistry {
  private readonly sources = new Map<IntegrationName, IntegrationSource>();
  private readonly inFlight = new Map<IntegrationName, Promise<IntegrationReport>>();
  private readonly seen = new Map<IntegrationName, Seen>();

  constructor(private readonly opts: { timeoutMs?: number; now?: () => number } = {}) {}

  /** A part's integration; a second source of the same name replaces the first. */
  register(source: IntegrationSource): void {
    this.sources.set(source.name, source);
  }

  unregister(name: IntegrationName): void {
    this.sources.delete(name);
  }

  has(name: IntegrationName): boolean {
    return this.sources.has(name);
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** One source's report, bounded and shared while in flight. */
  private report(source: IntegrationSource): Promise<IntegrationReport> {
    let p = this.inFlight.get(source.name);
    if (!p) {
      p = Promise.resolve()
        .then(() => source.check())
        .catch((err: unknown): IntegrationReport => ({
          state: 'down',
          detail: `check failed: ${err instanceof Error ? err.message : String(err)}`,
        }))
        .finally(() => this.inFlight.delete(source.name));
      this.inFlight.set(source.name, p);
    }
    const ms = this.opts.timeoutMs ?? CHECK_TIMEOUT_MS;
    return within(p, ms, () => ({ state: 'down', detail: `no answer within ${ms} ms` }));
  }

  /** Every integration by name, in `INTEGRATIONS` order; one no part registered is not-configured. */
  async snapshot(): Promise<IntegrationHealth[]> {
    return Promise.all(
      INTEGRATIONS.map(async (name): Promise<IntegrationHealth> => {
        const source = this.sources.get(name);
        const r: IntegrationReport = source
          ? await this.report(source)
          : { state: 'not-configured', detail: 'not configured on this node' };
        const now = this.now();
        const before = this.seen.get(name);
        const seen: Seen = {
          state: r.state,
          since: before && before.state === r.state ? before.since : now,
          lastOkAt: r.state === 'ok' ? now : (before?.lastOkAt ?? null),
        };
        this.seen.set(name, seen);
        const since = r.since === undefined ? seen.since : (r.since?.getTime() ?? null);
        const lastSuccess = r.lastSuccessAt === undefined ? seen.lastOkAt : (r.lastSuccessAt?.getTime() ?? null);
        return {
          name,
          state: r.state,
          fatal: source?.fatal ?? false,
          since: r.state === 'not-configured' ? null : iso(since),
          lastSuccessAt: iso(lastSuccess),
          detail: r.detail,
          ...(r.waiting === undefined ? {} : { waiting: r.waiting }),
          ...(r.oldestWaitingS === undefined ? {} : { oldestWaitingS: r.oldestWaitingS }),
          ...(r.recentFailures === undefined ? {} : { recentFailures: r.recentFailures }),
        };
      }),
    );
  }
}

/** Ready: no fatal integration is down. */
export function isReady(integrations: readonly IntegrationHealth[]): boolean {
  return !integrations.some((i) => i.fatal && i.state === 'down');
}

/**
 * The answer of a check computed at most once per `ms` (a database count behind a public
 * route): callers within the window share the last answer.
 */
export function cachedFor<T>(ms: number, compute: () => Promise<T>, now: () => number = Date.now): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | null = null;
  return () => {
    const t = now();
    if (!last || t - last.at >= ms) {
      const value = compute();
      last = { at: t, value };
      // A failure is not kept: the next caller asks again.
      value.catch(() => {
        if (last?.value === value) last = null;
      });
    }
    return last.value;
  };
}
