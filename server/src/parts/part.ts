/**
 * What a part of a node is: a name, whether the config asks for it, and a start that returns what
 * it offers the parts after it plus its own stop (STYLE §10; zigbee2mqtt's extensions). trygg.ts
 * lists the parts in order, starts them in order and stops them in reverse.
 *
 * Each part's file adds its entry to `Parts` (`declare module './part.js'`), so a part reads an
 * earlier one's offer typed by name: `ctx.get('database').pool`.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { HealthRegistry } from '../health/registry.js';
import type { StartOptions } from '../trygg.js';

/** What each running part offers the parts after it, by part name; each part's file adds its own. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging, one entry per part file
export interface Parts {}

export interface Running {
  /** Undoes the start; never throws (a failed step is logged and the rest still run). */
  stop(): Promise<void>;
}

export interface PartContext {
  config: Config;
  logger: Logger;
  options: StartOptions;
  /** Where a part reports the health of what it talks to outside the process (health/registry.ts). */
  health: HealthRegistry;
  /** A part that started before this one; throws when it is not running (off by config, or later in the list). */
  get: <K extends keyof Parts>(name: K) => Parts[K];
  /**
   * A part if it is running now, else null: for a part the config may leave off, or one that
   * starts later (then look it up when it is needed, not while starting).
   */
  find: <K extends keyof Parts>(name: K) => Parts[K] | null;
}

export interface Part<K extends keyof Parts = keyof Parts> {
  name: K;
  /** Whether this node's config asks for the part; a part that is off is not started. Default: on. */
  enabled?: (config: Config) => boolean;
  start(ctx: PartContext): Promise<Parts[K] & Running>;
}

/**
 * Undo steps, run in reverse; a failing step is logged and the ones after it still run. Running
 * empties the stack, so a second stop does nothing.
 */
export class StopStack {
  private readonly steps: (() => Promise<void>)[] = [];

  constructor(private readonly logger: Logger) {}

  push(step: () => Promise<void>): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      await step().catch((err: unknown) => this.logger.error({ err }, 'stop step failed'));
    }
  }
}

/**
 * Starts a part by `build`, which registers an undo step after each thing it starts; the result
 * is `build`'s offer plus a stop that runs those steps in reverse. If `build` fails, what it had
 * started is undone before the error goes on.
 */
export async function started<T extends object>(
  logger: Logger,
  build: (onStop: (step: () => Promise<void>) => void) => Promise<T>,
): Promise<T & Running> {
  const stack = new StopStack(logger);
  try {
    const offer = await build((step) => stack.push(step));
    return { ...offer, stop: () => stack.run() };
  } catch (err) {
    await stack.run();
    throw err;
  }
}
