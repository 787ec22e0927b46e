/**
 * Settles verified-installation tests as soon as a device's `test` event is committed: LISTENs
 * on `trygg_device_test` (a trigger on the inbox) and settles on every notice, and sweeps on a
 * timer for deadlines and for notices missed while disconnected. Settling is idempotent, so a
 * notice on several nodes settles each test once (row locks, SKIP LOCKED).
 */
import type { InstallationTest, Logger, Pool } from '@trygg/alarm-core';
import { NotifyListener } from '../notify-listener.js';
import { settleTests } from './installation-tests.js';

export interface TestWatcherDeps {
  pool: Pool;
  databaseUrl: string;
  logger: Logger;
  /** Told about every test that passed or failed (the live server tells the technicians). */
  onSettled: (tests: InstallationTest[]) => void;
  sweepMs?: number;
}

export class TestWatcher {
  private readonly listener: NotifyListener;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private again = false;
  private busy = false;
  private stopped = true;

  constructor(private readonly deps: TestWatcherDeps) {
    // A notice missed while the connection is down is caught by the sweep.
    this.listener = new NotifyListener({
      databaseUrl: deps.databaseUrl,
      channel: 'trygg_device_test',
      onNotice: () => this.kick(),
      logger: deps.logger,
    });
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.listener.start();
    this.timer = setInterval(() => this.kick(), this.deps.sweepMs ?? 5_000);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.listener.stop();
    await this.running;
  }

  /** Settles now (coalescing: a notice during a run causes one more run). */
  kick(): void {
    if (this.stopped) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.running = this.settle().finally(() => {
      this.busy = false;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async settle(): Promise<void> {
    try {
      const tests = await settleTests(this.deps.pool);
      for (const t of tests) {
        this.deps.logger.info(
          { test: t.id, device: t.deviceId, status: t.status, durationMs: t.durationMs },
          'installation test settled',
        );
      }
      if (tests.length > 0) this.deps.onSettled(tests);
    } catch (err) {
      this.deps.logger.warn({ err, code: 'TRYGG_ERR_STORE_UNAVAILABLE' }, 'settling installation tests failed; will retry');
    }
  }
}
