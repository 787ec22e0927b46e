/** The `trygg` executable's body: run the CLI with the process's arguments and environment. */
import { runCli } from './main.js';

process.exitCode = await runCli(
  process.argv.slice(2),
  process.env,
  (s) => process.stdout.write(s),
  (s) => process.stderr.write(s),
);
