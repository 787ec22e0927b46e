/**
 * Group commit: callers hand in one item each; items that arrive while a write is in flight wait
 * and go together in the next write (one statement, one commit). Each caller's promise settles
 * only when the write that carried its item has committed or failed, so "resolved" still means
 * "stored" — the batching only shares the commit, never the guarantee.
 */

export interface GroupCommitOptions {
  /** Most items in one write. */
  maxBatch?: number;
  /** Writes in flight at once (1 keeps lock order trivially consistent). */
  concurrency?: number;
  /**
   * Milliseconds a batch waits for company after its first item before it is written (default 0:
   * at once). Only for items nobody is waiting on (QoS 0 telemetry): a thousand a second then cost
   * twenty transactions, not hundreds, and leave the database's CPU to the alarms.
   */
  lingerMs?: number;
  /** Called after every write with its size and duration (metrics). */
  onWrite?: (items: number, ms: number, ok: boolean) => void;
}

interface Waiting<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (err: unknown) => void;
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity violation): one bad item, not a dead database. */
function isItemError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

export class GroupCommit<T, R> {
  private queue: Waiting<T, R>[] = [];
  private inFlight = 0;
  private scheduled = false;
  private lingering: ReturnType<typeof setTimeout> | null = null;
  private drained: (() => void)[] = [];
  private readonly maxBatch: number;
  private readonly concurrency: number;
  private readonly lingerMs: number;

  /** `write` stores the items and returns one result per item, in order. */
  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly opts: GroupCommitOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 500;
    this.concurrency = opts.concurrency ?? 1;
    this.lingerMs = opts.lingerMs ?? 0;
  }

  /** Items waiting for a write (not yet in flight). */
  get pending(): number {
    return this.queue.length;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.lingerMs > 0) {
        if (this.queue.length >= this.maxBatch) this.pump();
        else this.linger();
        return;
      }
      // Items submitted in the same tick (one socket read of many packets) share the first write.
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  /** Writes whatever is waiting now, lingering or not; resolves when nothing is waiting or in flight. */
  flush(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.drained.push(resolve));
    this.pump();
    return done;
  }

  private linger(): void {
    if (this.lingering || this.queue.length === 0) return;
    this.lingering = setTimeout(() => {
      this.lingering = null;
      this.pump();
    }, this.lingerMs);
  }

  private pump(): void {
    if (this.lingering) {
      clearTimeout(this.lingering);
      this.lingering = null;
    }
    while (this.inFlight < this.concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      // run() settles every caller itself and never rejects.
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.afterWrite();
      });
    }
  }

  /** The next batch (at once, or after its linger unless a flush waits); a flush resolved once all is written. */
  private afterWrite(): void {
    const flushing = this.drained.length > 0;
    if (this.lingerMs > 0 && !flushing && this.queue.length < this.maxBatch) this.linger();
    else this.pump();
    if (flushing && this.queue.length === 0 && this.inFlight === 0) for (const resolve of this.drained.splice(0)) resolve();
  }

  private async run(batch: Waiting<T, R>[]): Promise<void> {
    const started = performance.now();
    try {
      const results = await this.write(batch.map((w) => w.item));
      this.opts.onWrite?.(batch.length, performance.now() - started, true);
      batch.forEach((w, i) => w.resolve(results[i] as R));
    } catch (err) {
      this.opts.onWrite?.(batch.length, performance.now() - started, false);
      if (batch.length > 1 && isItemError(err)) {
        // One item the database refuses must not fail its neighbours: write each alone.
        await Promise.all(batch.map((w) => this.run([w])));
        return;
      }
      for (const w of batch) w.reject(err);
    }
  }
}
