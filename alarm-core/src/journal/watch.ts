/**
 * The journal backlog alert: looks at the outbox now and then, and when an entry has waited
 * longer than the threshold it raises the alert (an error log line with its code, and the
 * `onChange` callback, which the service turns into a live message to administrators). It
 * repeats the log line while the alert stands and says when it clears.
 */
import type { JournalBacklogState } from '../contracts/journal.js';
import type { Pool } from '../db/pool.js';
import type { Logger } from '../ports.js';
import { journalBacklog } from './worker.js';

export type JournalAlert = JournalBacklogState;

export interface JournalWatchDeps {
  pool: Pick<Pool, 'query'>;
  logger: Logger;
  /** An entry undelivered for longer than this raises the alert. */
  alertAfterS: number;
  /** Called when the alert is raised or cleared. */
  onChange: (alert: JournalAlert) => void;
  everyMs?: number;
  /** While the alert stands, the error line is repeated this often. */
  repeatMs?: number;
}

/** The backlog with the alert decided. */
export async function journalAlert(pool: Pick<Pool, 'query'>, alertAfterS: number): Promise<JournalAlert> {
  const b = await journalBacklog(pool);
  return { ...b, alertAfterS, alerting: (b.oldestUndeliveredS ?? 0) > alertAfterS };
}

export class JournalWatch {
  private timer: NodeJS.Timeout | null = null;
  private alerting = false;
  private lastLogged = 0;

  constructor(private readonly deps: JournalWatchDeps) {}

  start(): void {
    const every = this.deps.everyMs ?? 60_000;
    this.timer = setInterval(() => {
      this.check().catch((err: unknown) => this.deps.logger.warn({ err }, 'journal backlog check failed; will retry'));
    }, every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One look; returns what it saw. */
  async check(): Promise<JournalAlert> {
    const alert = await journalAlert(this.deps.pool, this.deps.alertAfterS);
    const now = Date.now();
    if (alert.alerting && (!this.alerting || now - this.lastLogged >= (this.deps.repeatMs ?? 15 * 60_000))) {
      this.deps.logger.error({ code: 'TRYGG_ERR_JOURNAL_BACKLOG', backlog: alert }, 'journal entries undelivered for too long');
      this.lastLogged = now;
    } else if (!alert.alerting && this.alerting) {
      this.deps.logger.info({ backlog: alert }, 'journal backlog alert cleared');
    }
    if (alert.alerting !== this.alerting) {
      this.alerting = alert.alerting;
      this.deps.onChange(alert);
    }
    return alert;
  }
}
