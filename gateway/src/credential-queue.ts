/**
 * The queue of slow credential checks (scrypt, ~50–100 ms of a core each). scrypt runs on
 * libuv's threadpool (4 threads by default), which PostgreSQL's client, the file system, DNS
 * and sign-in's own scrypt share: left alone, 300 parallel wrong CONNECTs filled it for 44 s and
 * starved everything behind them. So checks run `concurrency` at a time overall (fewer than the
 * threadpool has threads) and `perAddress` at a time from one address, the addresses taking
 * turns; a bounded number may wait (overall, per address, and per device id from one address),
 * and a CONNECT beyond that is refused at once, without work. A check whose connection closed
 * while it waited is dropped. Devices the gateway has verified before never come here.
 */

export interface CredentialQueueOptions {
  /** Checks running at once, overall. */
  concurrency: number;
  /** Checks running at once from one address. */
  perAddress: number;
  /** Checks waiting, overall. */
  maxWaiting: number;
  /** Checks waiting from one address. */
  maxWaitingPerAddress: number;
  /** Checks waiting or running for one device id from one address (its parallel CONNECTs). */
  maxPerId: number;
}

/** The check was not queued: which bound was reached. */
export class QueueFull extends Error {
  constructor(readonly scope: 'overall' | 'address' | 'id') {
    super(`credential check queue full (${scope})`);
  }
}

/** The connection closed while its check waited: the check never ran. */
export class Abandoned extends Error {
  constructor() {
    super('connection closed while its credential check waited');
  }
}

interface Job {
  id: string;
  start(): void;
  abandoned(): boolean;
  reject(err: Error): void;
}

interface Lane {
  waiting: Job[];
  running: number;
  /** Per device id: waiting or running. */
  ids: Map<string, number>;
}

export class CredentialQueue {
  private readonly lanes = new Map<string, Lane>();
  /** Addresses with checks waiting, in turn order. */
  private readonly turns: string[] = [];
  private running = 0;
  private waiting = 0;

  constructor(private readonly opts: CredentialQueueOptions) {}

  /** Checks waiting and running now (for metrics and tests). */
  get depth(): { waiting: number; running: number } {
    return { waiting: this.waiting, running: this.running };
  }

  /**
   * Runs `work` when its turn comes. Rejects at once with QueueFull when a bound is reached,
   * and with Abandoned when `abandoned()` says so once its turn comes.
   */
  run<T>(address: string, id: string, work: () => Promise<T>, abandoned: () => boolean = () => false): Promise<T> {
    const lane = this.lanes.get(address) ?? { waiting: [], running: 0, ids: new Map<string, number>() };
    const full =
      (lane.ids.get(id) ?? 0) >= this.opts.maxPerId
        ? 'id'
        : lane.waiting.length >= this.opts.maxWaitingPerAddress
          ? 'address'
          : this.waiting >= this.opts.maxWaiting
            ? 'overall'
            : null;
    if (full) return Promise.reject(new QueueFull(full));
    this.lanes.set(address, lane);
    lane.ids.set(id, (lane.ids.get(id) ?? 0) + 1);
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        const n = (lane.ids.get(id) ?? 1) - 1;
        if (n > 0) lane.ids.set(id, n);
        else lane.ids.delete(id);
        if (lane.running === 0 && lane.waiting.length === 0 && lane.ids.size === 0) this.lanes.delete(address);
      };
      lane.waiting.push({
        id,
        abandoned,
        reject: (err) => {
          done();
          reject(err);
        },
        start: () => {
          this.running++;
          lane.running++;
          const finish = () => {
            this.running--;
            lane.running--;
            done();
            this.pump();
          };
          work().then(
            (v) => {
              finish();
              resolve(v);
            },
            (err: unknown) => {
              finish();
              reject(err instanceof Error ? err : new Error(String(err)));
            },
          );
        },
      });
      this.waiting++;
      if (lane.waiting.length === 1) this.turns.push(address);
      this.pump();
    });
  }

  /** Starts waiting checks while there is room, one address after another. */
  private pump(): void {
    let passed = 0; // addresses looked at in a row without starting anything
    while (this.running < this.opts.concurrency && this.turns.length > 0 && passed < this.turns.length) {
      const address = this.turns.shift() as string;
      const lane = this.lanes.get(address);
      if (!lane || lane.waiting.length === 0) continue;
      if (lane.running >= this.opts.perAddress) {
        this.turns.push(address);
        passed++;
        continue;
      }
      const job = lane.waiting.shift() as Job;
      this.waiting--;
      if (lane.waiting.length > 0) this.turns.push(address);
      passed = 0;
      if (job.abandoned()) job.reject(new Abandoned());
      else job.start();
    }
  }
}
