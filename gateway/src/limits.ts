/**
 * Limits against bad or hostile devices: a token bucket per device for messages, and counts of
 * failed connection attempts per device id and per source address against credential guessing.
 * In memory, per node: a limit is a guard for this broker, not a global quota.
 */

export interface RateOptions {
  /** Messages per second a device may send on average. */
  perSecond: number;
  /** Messages it may send at once above that. */
  burst: number;
}

/** Token bucket per key; `take` says whether one more message fits now. */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly opts: RateOptions) {}

  take(key: string, now = Date.now()): boolean {
    const b = this.buckets.get(key) ?? { tokens: this.opts.burst, at: now };
    b.tokens = Math.min(this.opts.burst, b.tokens + ((now - b.at) / 1000) * this.opts.perSecond);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  forget(key: string): void {
    this.buckets.delete(key);
  }
}

export interface AuthFailureOptions {
  /** Failed secret checks for one device id within `windowS` before the id is blocked. */
  maxPerId: number;
  /** Different device ids failing from one address within `windowS` before the address is blocked. */
  maxIdsPerAddress: number;
  windowS: number;
  /** How long a blocked id or address is refused new credentials without a check. */
  blockS: number;
}

interface IdWindow {
  since: number;
  blockedUntil: number;
  failed: number;
  running: number;
}

interface AddressWindow {
  since: number;
  blockedUntil: number;
  /** Ids that failed from this address in the window. */
  failed: Set<string>;
  /** Ids with a check running from this address, and how many. */
  running: Map<string, number>;
}

/** What a failure blocked. */
export interface NewBlocks {
  id: boolean;
  address: boolean;
}

/**
 * Failed CONNECTs, per device id and per source address. An attempt counts from the moment its
 * secret check *starts* (as a failure until it succeeds), so CONNECTs sent in parallel cannot
 * all pass a limit that only finished checks would reach. A device id is blocked after
 * `maxPerId` failures (someone guessing its secret, from anywhere); an address only after
 * `maxIdsPerAddress` *different* ids failed from it (someone trying ids): a care home's
 * devices share one NAT address, and one broken device there must not lock its neighbours
 * out. A block refuses new credentials only; the gateway lets a device whose secret it has
 * verified before through anyway (DeviceAuthenticator.knows).
 */
export class AuthFailures {
  private readonly ids = new Map<string, IdWindow>();
  private readonly addresses = new Map<string, AddressWindow>();

  constructor(private readonly opts: AuthFailureOptions) {}

  /** What is blocked for this attempt, if anything: its device id or its address. */
  blocked(address: string, id: string, now = Date.now()): 'id' | 'address' | null {
    const i = this.ids.get(id);
    if (i && (i.blockedUntil > now || this.failedIn(i, now) + i.running >= this.opts.maxPerId)) return 'id';
    const a = this.addresses.get(address);
    if (!a) return null;
    if (a.blockedUntil > now) return 'address';
    const failed = this.live(a, now) ? a.failed : new Set<string>();
    if (failed.has(id) || a.running.has(id)) return null; // the same id again adds no new one
    let distinct = failed.size;
    for (const other of a.running.keys()) if (!failed.has(other)) distinct++;
    return distinct >= this.opts.maxIdsPerAddress ? 'address' : null;
  }

  /**
   * A secret check starts: it counts as failed until `succeeded`. False, and nothing counted,
   * when the id or the address is blocked.
   */
  start(address: string, id: string, now = Date.now()): boolean {
    if (this.blocked(address, id, now)) return false;
    this.id(id, now).running++;
    const a = this.address(address, now);
    a.running.set(id, (a.running.get(id) ?? 0) + 1);
    return true;
  }

  /** The check found the right secret: its attempt is forgiven. */
  succeeded(address: string, id: string): void {
    this.finish(address, id);
  }

  /** The check failed: counted, and the id or the address blocked when this one reaches a limit. */
  failed(address: string, id: string, now = Date.now()): NewBlocks {
    this.finish(address, id);
    const i = this.id(id, now);
    const a = this.address(address, now);
    const until = now + this.opts.blockS * 1000;
    const blocks = { id: ++i.failed >= this.opts.maxPerId, address: a.failed.add(id).size >= this.opts.maxIdsPerAddress };
    if (blocks.id) Object.assign(i, { blockedUntil: until, failed: 0, since: now });
    if (blocks.address) {
      Object.assign(a, { blockedUntil: until, since: now });
      a.failed.clear();
    }
    return blocks;
  }

  /** Drops entries with nothing running, no block and an old window (called now and then). */
  prune(now = Date.now()): void {
    for (const [k, i] of this.ids) if (i.running === 0 && i.blockedUntil < now && !this.live(i, now)) this.ids.delete(k);
    for (const [k, a] of this.addresses) {
      if (a.running.size === 0 && a.blockedUntil < now && !this.live(a, now)) this.addresses.delete(k);
    }
  }

  private live(w: { since: number }, now: number): boolean {
    return now - w.since <= this.opts.windowS * 1000;
  }

  private failedIn(i: IdWindow, now: number): number {
    return this.live(i, now) ? i.failed : 0;
  }

  private finish(address: string, id: string): void {
    const i = this.ids.get(id);
    if (i && i.running > 0) i.running--;
    const a = this.addresses.get(address);
    const n = a?.running.get(id) ?? 0;
    if (n > 1) a?.running.set(id, n - 1);
    else a?.running.delete(id);
  }

  /** The id's window, started afresh when the old one has passed. */
  private id(id: string, now: number): IdWindow {
    let i = this.ids.get(id);
    if (!i) this.ids.set(id, (i = { since: now, blockedUntil: 0, failed: 0, running: 0 }));
    else if (!this.live(i, now)) Object.assign(i, { since: now, failed: 0 });
    return i;
  }

  private address(address: string, now: number): AddressWindow {
    let a = this.addresses.get(address);
    if (!a) this.addresses.set(address, (a = { since: now, blockedUntil: 0, failed: new Set(), running: new Map() }));
    else if (!this.live(a, now)) {
      a.since = now;
      a.failed.clear();
    }
    return a;
  }
}
