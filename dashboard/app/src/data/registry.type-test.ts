/**
 * A type test (compiled by `npm run typecheck`, never run): the technician's and administrator's
 * calls read the contracts' answers and send what the contracts take. Each `@ts-expect-error`
 * fails the build the day the compiler would let the mistake through.
 */
import type { LivePayload, ServerToClientEvents } from '@trygg/alarm-core';
import { call } from './call.js';

export async function registryContractHoldsTheClient(token: string): Promise<void> {
  const { devices } = await call('listDevices', { token, query: { attention: 'true' } });
  // @ts-expect-error a device's status is a union, not any string
  const s: 'lost' = devices[0]!.status;
  // @ts-expect-error `attention` is 'true' or 'false' on the wire
  await call('listDevices', { token, query: { attention: true } });
  // @ts-expect-error registering needs a protocol the contract knows
  await call('registerDevice', { token, body: { serial: 'TR-1', kind: 'alarm-button', protocol: 'zigbee' } });
  const entries = await call('listJournalEntries', { token, query: {} });
  // @ts-expect-error entries are under `entries`
  void entries.items;
  // @ts-expect-error a site kind is the contract's
  await call('listSites', { token, query: { kind: 'castle' } });
  void s;
}

/** The live events the app listens to carry the contract's payloads. */
export function liveContractHoldsTheClient(on: <E extends keyof ServerToClientEvents>(e: E, f: ServerToClientEvents[E]) => void) {
  on('access:unusual', (a: LivePayload<'access:unusual'>) => void a.residents);
  // @ts-expect-error the backlog alert has no `count`
  on('journal:backlog', (b) => void b.count);
  // @ts-expect-error no such live event
  on('alarm:deleted', () => undefined);
}
