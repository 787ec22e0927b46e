/**
 * Delivery to the patient journal: the worker that sends the journal outbox to the FHIR endpoint
 * (OAuth 2.0 client credentials with a private key JWT, DPoP when asked). On when
 * TRYGG_JOURNAL_URL, TRYGG_JOURNAL_TOKEN_URL and TRYGG_JOURNAL_KEY_FILE are set; without them
 * closed alarms wait in the outbox (journal-watch.ts says so).
 */
import { readFile } from 'node:fs/promises';
import type { JWK } from 'jose';
import { JournalClient, JournalWorker } from '@trygg/alarm-core';
import { journalPatient } from '@trygg/devices';
import { JournalReachability } from '../health/journal-health.js';
import { started, type Part } from './part.js';

export interface Journal {
  /** Whether the receiver answers, from delivery's own attempts (journal-watch.ts reports it). */
  reach: JournalReachability;
}

declare module './part.js' {
  interface Parts {
    journal: Journal;
  }
}

export const journal: Part<'journal'> = {
  name: 'journal',
  enabled: (config) => Boolean(config.journalUrl && config.journalTokenUrl && config.journalKeyFile),
  start: ({ config, logger, options, get }) =>
    started(logger, async (onStop) => {
      const { journalUrl, journalTokenUrl, journalKeyFile } = config;
      if (!journalUrl || !journalTokenUrl || !journalKeyFile) throw new Error('journal needs its URL, token URL and key file');
      const { pool } = get('database');
      const reach = new JournalReachability();
      const worker = new JournalWorker({
        pool,
        client: reach.wrap(
          new JournalClient({
            baseUrl: journalUrl,
            tokenUrl: journalTokenUrl,
            clientId: config.journalClientId,
            privateJwk: JSON.parse(await readFile(journalKeyFile, 'utf8')) as JWK,
            dpop: config.journalDpop,
            timeoutMs: options.journal?.timeoutMs ?? 10_000,
          }),
        ),
        patientOf: (id) => journalPatient(pool, id),
        logger,
        ...options.journal,
      });
      worker.start();
      onStop(() => worker.stop());
      return { reach };
    }),
};
