/**
 * `npm start`, and the container's command: load the config, start Trygg, stop it in order on
 * SIGTERM / SIGINT / SIGHUP (signals.ts). Run it as the process that receives the signals
 * (`node --import tsx server/src/main.ts`, or `exec` from a script), not under a shell or npm that
 * might not pass them on.
 */
import pino from 'pino';
import { TryggError } from '@trygg/alarm-core';
import { loadConfig } from './config.js';
import { explainStartError } from './ports.js';
import { stopOnSignals } from './signals.js';
import { startTrygg } from './trygg.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env, process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof TryggError ? err.message : String(err)}\n`);
    process.exit(2);
  }
  const logger = pino({ level: config.logLevel });
  const started = startTrygg(config, { logger });
  // A signal while starting waits for the start (which undoes itself if it fails), then stops.
  stopOnSignals({
    logger,
    stop: async () => {
      const trygg = await started.catch(() => null);
      await trygg?.stop();
    },
  });
  // A port another program holds is the first start's usual failure: say which and what to set.
  await started.catch((err: unknown) => {
    throw explainStartError(err, config);
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`Trygg failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
