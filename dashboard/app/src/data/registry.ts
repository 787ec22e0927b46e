/** The registry as the technician's installation form reads it: residents by name, rooms. */
import { call } from './call.js';

/** Residents whose name matches `q` (all, when it is empty). */
export const searchResidents = async (token: string, q: string) =>
  (await call('listResidents', { token, query: q ? { q } : {} })).residents;

export const fetchRooms = async (token: string) => (await call('listSites', { token, query: { kind: 'room' } })).sites;
