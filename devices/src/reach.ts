/**
 * Who cannot be reached now, for administrators (before an alarm needs them): every relative of
 * every resident, and every staff member and technician, with the reach the directory would give
 * them on an alarm opened now (`reachFor`: channels on record, a phone number, a push
 * subscription, consent, the installation's channels).
 */
import type { ChannelKind, Queryable, UnreachableList, UnreachablePerson } from '@trygg/alarm-core';
import { reachFor } from './directory.js';

interface Row {
  resident_id: string | null;
  resident_name: string | null;
  id: string;
  name: string;
  kind: UnreachablePerson['kind'];
  ord: number;
  channels: ChannelKind[];
  phone: boolean;
  push: boolean;
  consent: boolean;
}

const PEOPLE = `
  SELECT r.id AS resident_id, r.name AS resident_name, rl.id, rl.name, 'relative' AS kind, rl.chain_order AS ord, rl.channels,
         (rl.phone IS NOT NULL AND rl.phone <> '') AS phone,
         EXISTS (SELECT 1 FROM push_subscriptions ps WHERE ps.user_id = rl.user_id) AS push,
         rl.consent_at IS NOT NULL AS consent
    FROM relatives rl JOIN residents r ON r.id = rl.resident_id
  UNION ALL
  SELECT NULL, NULL, u.id, u.display_name, CASE WHEN 'technician' = ANY (u.roles) THEN 'technician' ELSE 'staff' END, 0,
         u.channels, (u.phone IS NOT NULL AND u.phone <> ''),
         EXISTS (SELECT 1 FROM push_subscriptions ps WHERE ps.user_id = u.id), true
    FROM users u WHERE u.roles && ARRAY['staff', 'technician']::text[]
  ORDER BY 2 NULLS LAST, 1, 6, 4`;

/** Residents with relatives nobody can reach now, and staff and technicians nobody can reach. */
export async function unreachablePeople(db: Queryable, channelKinds: Iterable<ChannelKind>): Promise<UnreachableList> {
  const registered = new Set(channelKinds);
  const { rows } = await db.query<Row>(PEOPLE);
  const residents = new Map<string, UnreachableList['residents'][number]>();
  const staff: UnreachablePerson[] = [];
  for (const r of rows) {
    const { unreachable } = reachFor(r, registered);
    if (!unreachable) continue;
    const person: UnreachablePerson = {
      id: r.id,
      name: r.name,
      kind: r.kind,
      reason: unreachable,
      channels: r.channels,
      hasPush: r.push,
      hasPhone: r.phone,
    };
    if (r.resident_id === null) {
      staff.push(person);
      continue;
    }
    let entry = residents.get(r.resident_id);
    if (!entry) {
      entry = { residentId: r.resident_id, residentName: r.resident_name ?? '', people: [] };
      residents.set(r.resident_id, entry);
    }
    entry.people.push(person);
  }
  return { residents: [...residents.values()], staff, channels: [...registered].filter((k) => k !== 'console') };
}
