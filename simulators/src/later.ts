/** Things a simulation has planned for later, all called off at once when it stops. */
export class Later {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  /** Runs `fn` in `ms`, unless the simulation has stopped by then. */
  run(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(t);
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
