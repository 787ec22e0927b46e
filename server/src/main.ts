/** `npm start`: load the config, start Trygg, stop cleanly on Ctrl-C / SIGTERM. */
import { TryggError } from '@trygg/alarm-core';
import { loadConfig } from './config.js';
import { startTrygg } from './trygg.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env, process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof TryggError ? err.message : String(err)}\n`);
    process.exit(2);
  }
  const trygg = await startTrygg(config);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    trygg.logger.info({ signal }, 'stopping');
    trygg.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`Trygg failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
