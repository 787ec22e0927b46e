/**
 * A local stand-in for the national journal-keeping service, "the border we don't own": a FHIR R4
 * server taking transaction Bundles behind OAuth 2.0 (private_key_jwt client credentials,
 * DPoP-bound tokens), validating what it gets against the R4 JSON Schema, deduplicating
 * conditional creates, and failing on command (setMode). For tests and the benchmark.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { JtiCache } from './jti-cache.js';
import { OAuthServer } from './oauth.js';
import { serve, type ReceiverState } from './server.js';
import { JournalStore } from './store.js';
import { warmUp } from './transaction.js';
import type { FhirReceiver, FhirReceiverOptions } from './types.js';

export type { FhirReceiver, FhirReceiverOptions, ReceiverMode, ReceiverStats } from './types.js';
export type { RecordView } from './store.js';

const CLIENT_ID = 'trygg-test';

export async function startFhirReceiver(opts: FhirReceiverOptions = {}): Promise<FhirReceiver> {
  warmUp();
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const clientPrivateJwk = { ...privateJwk, alg: 'ES256', use: 'sig', kid: await calculateJwkThumbprint(privateJwk) };

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tokenUrl = `${origin}/token`;
  const baseUrl = `${origin}/fhir`;
  const store = new JournalStore();
  const state: ReceiverState = {
    mode: 'ok',
    origin,
    baseUrl,
    stats: { tokenRequests: 0, posts: 0, created: 0, deduplicated: 0, rejected: [] },
    store,
    oauth: new OAuthServer(
      {
        clientId: CLIENT_ID,
        tokenUrl,
        clientPublicKey: publicKey,
        requireDpop: opts.requireDpop ?? true,
        tokenTtlS: opts.tokenTtlS ?? 300,
      },
      new JtiCache(),
    ),
    held: new Set(),
  };
  serve(server, state);

  return {
    baseUrl,
    tokenUrl,
    clientId: CLIENT_ID,
    clientPrivateJwk,
    setMode(mode) {
      state.mode = mode;
      // Kept-alive connections would otherwise outlive the outage.
      if (mode === 'down') server.closeIdleConnections();
    },
    journalPending: () => store.journalPending(),
    records: () => store.records(),
    stats: state.stats,
    async close() {
      for (const res of state.held) res.destroy();
      state.held.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
