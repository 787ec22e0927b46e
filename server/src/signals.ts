/**
 * How a Trygg process ends on a signal: in its own order, never a library's. SIGTERM (docker
 * stop, systemd, Kubernetes), SIGINT (Ctrl-C) and SIGHUP (the terminal went away) all run the
 * same stop — HTTP and device ingress first, then what lingers is written, then the pools, then
 * the embedded PostgreSQL (trygg.ts) — and exit 0. A second signal exits at once with 128 + its
 * number, for when a stop hangs on something outside (a database that does not answer is bounded
 * by the pools' timeouts; an operator may not want to wait even that long).
 *
 * A repeat within `REPEAT_MS` of the first is the same request delivered twice, not a second
 * one: a Ctrl-C in `npm start` reaches this process from the terminal (to the whole foreground
 * process group) and again from npm, which forwards SIGINT and SIGTERM to its script; so does a
 * systemd stop that signals every process of the unit.
 */
import os from 'node:os';
import type { Logger } from '@trygg/alarm-core';

export const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
const REPEAT_MS = 1_000;

export interface SignalOptions {
  logger: Logger;
  /** Stops everything; its settling decides the exit code (0 or 1). */
  stop: () => Promise<void>;
  exit?: (code: number) => void;
}

/** Installs the handlers (before start: a signal during start stops Trygg as soon as it has started). */
export function stopOnSignals({ logger, stop, exit = (code) => process.exit(code) }: SignalOptions): void {
  let first: number | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (first === null) {
      first = Date.now();
      logger.info({ signal }, 'stopping');
      stop().then(
        () => {
          logger.info({ signal }, 'stopped');
          exit(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'stop failed');
          exit(1);
        },
      );
      return;
    }
    if (Date.now() - first < REPEAT_MS) return;
    logger.warn({ signal }, 'second signal: exiting without finishing the stop');
    exit(128 + os.constants.signals[signal]);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
}
