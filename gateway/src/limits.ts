/**
 * Limits against bad or hostile devices: a token bucket per device for messages, and a count of
 * failed connection attempts per source address against credential guessing. In memory, per
 * node: a limit is a guard for this broker, not a global quota.
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
  /** Failed CONNECTs from one address within `windowS` before it is blocked. */
  maxFailures: number;
  windowS: number;
  /** How long a blocked address is refused without looking at its credentials. */
  blockS: number;
}

/**
 * Failed connection attempts per source address. Only failures count: a care home's hundred
 * devices behind one address reconnecting at once (a reconnect storm) are never blocked.
 */
export class AuthFailures {
  private readonly seen = new Map<string, { failures: number; since: number; blockedUntil: number }>();

  constructor(private readonly opts: AuthFailureOptions) {}

  blocked(address: string, now = Date.now()): boolean {
    const s = this.seen.get(address);
    return s !== undefined && s.blockedUntil > now;
  }

  /** Records a failure; true when this one blocks the address. */
  fail(address: string, now = Date.now()): boolean {
    let s = this.seen.get(address);
    if (!s || now - s.since > this.opts.windowS * 1000) {
      s = { failures: 0, since: now, blockedUntil: 0 };
      this.seen.set(address, s);
    }
    s.failures++;
    if (s.failures >= this.opts.maxFailures) {
      s.blockedUntil = now + this.opts.blockS * 1000;
      s.failures = 0;
      s.since = now;
      return true;
    }
    return false;
  }

  /** Drops stale entries (called now and then). */
  prune(now = Date.now()): void {
    for (const [k, s] of this.seen) if (s.blockedUntil < now && now - s.since > this.opts.windowS * 1000) this.seen.delete(k);
  }
}
