/**
 * Connection churn in slices, so it yields to the devices already connected. Ten thousand
 * devices reconnecting at once (a restart, a network blip) mean ten thousand closes, CONNECTs
 * and credential look-ups; run as they arrive, single turns of the event loop took hundreds of
 * milliseconds of them, and an alarm PUBLISH from a connected device waited through every turn
 * it needed (its parse, the commit's round trips, the operators' update): 0.5–4 s at p99.
 *
 * Here such work waits in two queues, work that finishes a connection (its CONNACK, its close)
 * before work that starts one (reading a new connection), and runs a slice per turn of the event
 * loop (`setImmediate`: after the turn's I/O). The slice's size follows the loop: when the turn
 * since the last slice took longer than `turnMs` (what the last slice set off, and everyone
 * else's I/O — alarms among it) the next slice is halved, else it grows by one. So between two
 * slices the loop reads what connected devices and the database sent, within about `turnMs`.
 * Nothing on an alarm's path goes through it.
 */

export interface PacerOptions {
  /** Tasks in one slice at most. */
  maxPerSlice: number;
  /** The event loop turn to aim for, milliseconds. */
  turnMs: number;
  /** A task that throws (a bug): reported here, and the others still run. */
  onError(err: unknown): void;
}

class Fifo {
  private items: (() => void)[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(task: () => void): void {
    this.items.push(task);
  }

  shift(): (() => void) | undefined {
    if (this.head >= this.items.length) return undefined;
    const task = this.items[this.head];
    this.items[this.head++] = noop; // let it be collected
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return task;
  }
}

export class Pacer {
  private readonly finishing = new Fifo();
  private readonly starting = new Fifo();
  private scheduled = false;
  /** Tasks the next slice may run. */
  private budget = 1;
  /** When the last slice ended (0: none is running). */
  private lastEnd = 0;

  constructor(private readonly opts: PacerOptions) {}

  /** Tasks waiting for their slice. */
  get pending(): number {
    return this.finishing.size + this.starting.size;
  }

  /** Runs `task`, which finishes a connection, in a later slice (never synchronously). */
  later(task: () => void): void {
    this.finishing.push(task);
    this.schedule();
  }

  /** Runs `task`, which starts a connection, in a later slice, after what finishes one. */
  admit(task: () => void): void {
    this.starting.push(task);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.slice);
  }

  private readonly slice = (): void => {
    const start = performance.now();
    if (this.lastEnd > 0) {
      const turn = start - this.lastEnd;
      this.budget = turn > this.opts.turnMs ? Math.max(1, this.budget >> 1) : Math.min(this.opts.maxPerSlice, this.budget + 1);
    }
    for (let n = 0; n < this.budget; n++) {
      const task = this.finishing.shift() ?? this.starting.shift();
      if (!task) break;
      try {
        task();
      } catch (err) {
        this.opts.onError(err);
      }
      if (performance.now() - start >= this.opts.turnMs) break;
    }
    if (this.pending > 0) {
      this.lastEnd = performance.now();
      setImmediate(this.slice);
    } else {
      this.lastEnd = 0;
      this.scheduled = false;
    }
  };
}

function noop(): void {}
