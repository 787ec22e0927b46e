/** The public types of the FHIR receiver (re-exported by index.ts). */
import type { JWK } from 'jose';
import type { RecordView } from './store.js';

/**
 * - `ok`: validates and stores, answers 200 with a transaction-response.
 * - `down`: every connection is dropped at once (the client sees a network error), /token too.
 * - `500`: FHIR calls answer 500 with an OperationOutcome and store nothing.
 * - `timeout-after-store`: a transaction is stored, then never answered (until close()).
 * - `accept-202`: stored as not yet journaled, answered 202 + Location of a status URL.
 * - `unknown-patient`: a valid transaction is refused with 422 (the EPJ has no such patient), as a
 *   journal does for a resident not registered there; nothing is stored.
 */
export type ReceiverMode = 'ok' | 'down' | '500' | 'timeout-after-store' | 'accept-202' | 'unknown-patient';

export interface ReceiverStats {
  tokenRequests: number;
  /** POSTs to the FHIR base that were read (not those dropped in mode `down`). */
  posts: number;
  created: number;
  deduplicated: number;
  /** Every refusal: its HTTP status and why. */
  rejected: { status: number; reason: string }[];
}

export interface FhirReceiver {
  /** http://127.0.0.1:<port>/fhir */
  baseUrl: string;
  /** http://127.0.0.1:<port>/token */
  tokenUrl: string;
  clientId: string;
  /** ES256 private JWK the client signs its assertions and DPoP proofs with; the receiver knows its public part. */
  clientPrivateJwk: JWK;
  setMode(mode: ReceiverMode): void;
  /** Marks every 202-accepted entry as journaled. */
  journalPending(): void;
  /** Every stored resource by identifier key `system|value` (what the journal holds). */
  records(): Map<string, RecordView>;
  stats: ReceiverStats;
  close(): Promise<void>;
}

export interface FhirReceiverOptions {
  /** Tokens must be DPoP-bound and every call carry a proof (default true). */
  requireDpop?: boolean;
  /** Access-token lifetime in seconds (default 300). */
  tokenTtlS?: number;
}
