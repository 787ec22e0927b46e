/**
 * The local FHIR receiver as a process of its own (for the benchmark: the journal is another
 * machine, not a guest in the sender's event loop). Prints `{"ready": {...}}` with its URLs and
 * the client key; on SIGTERM prints `{"stats": {...}}` and exits.
 */
import { startFhirReceiver } from './index.js';

const receiver = await startFhirReceiver({ requireDpop: true });
const { baseUrl, tokenUrl, clientId, clientPrivateJwk } = receiver;
process.stdout.write(JSON.stringify({ ready: { baseUrl, tokenUrl, clientId, clientPrivateJwk } }) + '\n');
process.on('SIGTERM', () => {
  const records = receiver.records();
  const duplicates = [...records.keys()].filter((k) => k.includes(' (')).length;
  const { created, deduplicated, posts } = receiver.stats;
  process.stdout.write(
    JSON.stringify({
      stats: { records: records.size, duplicates, created, deduplicated, posts, rejected: receiver.stats.rejected.length },
    }) + '\n',
    () => {
      void receiver.close().then(() => process.exit(0));
    },
  );
});
