/**
 * alarm-core's Directory port over the registry tables: for a device, the resident or room it
 * watches, the site and address to send people to, the people each audience means (relatives in
 * the resident's order, staff of the floor and of the site, technicians, the response centre),
 * and the escalation chain that applies (most specific policy wins, else the defaults).
 */
import { Compile } from 'typebox/compile';
import {
  Chain,
  defaultChain,
  defaultChainName,
  type AlarmContext,
  type AlarmSubject,
  type DeviceEventType,
  type Directory,
  type Queryable,
  type Recipient,
  type Roster,
} from '@trygg/alarm-core';

const RESPONSE_CENTRE: Recipient = { id: 'response-centre', name: 'Responssenteret', kind: 'response-centre', userId: null };
const checkChain = Compile(Chain);

interface PlaceRow {
  device_kind: string;
  resident_id: string | null;
  resident_name: string | null;
  site_ids: string[];
  top_id: string | null;
  top_name: string | null;
  top_kind: string | null;
  floor_id: string | null;
  address: string | null;
  room: string | null;
}

/** Cached answers live this long even without a change notice (belt and braces). */
const TTL_MS = 60_000;

export class SqlDirectory implements Directory {
  private readonly cache = new Map<string, { at: number; ctx: AlarmContext | null }>();

  constructor(private readonly db: Queryable) {}

  /**
   * The context for a new alarm, from the cache when the registry has not changed since.
   * Callers get their own copy.
   */
  async contextFor(deviceId: string, type: DeviceEventType): Promise<AlarmContext | null> {
    const key = `${deviceId}\u0000${type}`;
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < TTL_MS) return structuredClone(hit.ctx);
    const ctx = await this.lookup(deviceId, type);
    this.cache.set(key, { at: Date.now(), ctx });
    return structuredClone(ctx);
  }

  /** Forgets every cached answer: the registry changed (NOTIFY trygg_directory). */
  invalidate(): void {
    this.cache.clear();
  }

  private async lookup(deviceId: string, type: DeviceEventType): Promise<AlarmContext | null> {
    const place = await this.place(deviceId);
    if (!place) return null;
    const subject: AlarmSubject = {
      deviceId,
      residentId: place.resident_id,
      residentName: place.resident_name,
      siteId: place.top_id,
      siteName: place.top_name,
      address: place.address,
      room: place.room,
    };
    const [roster, chain] = await Promise.all([this.roster(place), this.chain(place, type)]);
    return { subject, roster, chain };
  }

  /** The device's resident and its place in the site tree, leaf to root. */
  private async place(deviceId: string): Promise<PlaceRow | null> {
    const { rows } = await this.db.query<PlaceRow>(
      `WITH RECURSIVE d AS (
         SELECT dv.kind, dv.resident_id, coalesce(dv.site_id, r.site_id) AS site_id, r.name AS resident_name
           FROM devices dv LEFT JOIN residents r ON r.id = dv.resident_id WHERE dv.id = $1),
       up AS (
         SELECT s.id, s.kind, s.parent_id, s.name, s.address, 0 AS depth FROM sites s JOIN d ON s.id = d.site_id
         UNION ALL
         SELECT p.id, p.kind, p.parent_id, p.name, p.address, up.depth + 1 FROM sites p JOIN up ON p.id = up.parent_id)
       SELECT d.kind AS device_kind, d.resident_id, d.resident_name,
              coalesce((SELECT array_agg(id ORDER BY depth) FROM up), '{}') AS site_ids,
              (SELECT id FROM up WHERE parent_id IS NULL) AS top_id,
              (SELECT name FROM up WHERE parent_id IS NULL) AS top_name,
              (SELECT kind FROM up WHERE parent_id IS NULL) AS top_kind,
              (SELECT id FROM up WHERE kind = 'floor') AS floor_id,
              (SELECT address FROM up WHERE address IS NOT NULL ORDER BY depth LIMIT 1) AS address,
              (SELECT name FROM up WHERE kind = 'room') AS room
         FROM d`,
      [deviceId],
    );
    return rows[0] ?? null;
  }

  private async roster(place: PlaceRow): Promise<Roster> {
    const { rows } = await this.db.query<{ audience: keyof Roster; id: string; name: string; user_id: string | null }>(
      `SELECT 'relatives' AS audience, rl.id, rl.name, rl.user_id, rl.chain_order AS ord
         FROM relatives rl WHERE rl.resident_id = $1
       UNION ALL
       SELECT 'floor-staff', u.id, u.display_name, u.id, 0
         FROM users u JOIN staff_sites ss ON ss.user_id = u.id WHERE ss.site_id = $2
       UNION ALL
       SELECT DISTINCT 'site-staff', u.id, u.display_name, u.id, 0
         FROM users u JOIN staff_sites ss ON ss.user_id = u.id
        WHERE ss.site_id IN (WITH RECURSIVE down AS (SELECT id FROM sites WHERE id = $3
                               UNION ALL SELECT s.id FROM sites s JOIN down ON s.parent_id = down.id) SELECT id FROM down)
       UNION ALL
       SELECT 'technicians', u.id, u.display_name, u.id, 0 FROM users u WHERE 'technician' = ANY (u.roles)
       ORDER BY 1, 5, 3`,
      [place.resident_id, place.floor_id, place.top_kind === 'institution' ? place.top_id : null],
    );
    const roster: Roster = {
      relatives: [],
      'floor-staff': [],
      'site-staff': [],
      'response-centre': [RESPONSE_CENTRE],
      technicians: [],
    };
    const kindOf = { relatives: 'relative', 'floor-staff': 'staff', 'site-staff': 'staff', technicians: 'technician' } as const;
    for (const r of rows) {
      if (r.audience === 'response-centre') continue;
      roster[r.audience].push({ id: r.id, name: r.name, kind: kindOf[r.audience], userId: r.user_id });
    }
    return roster;
  }

  /** Most specific wins: resident (+type), each site from the room up (+type), the type, defaults. */
  private async chain(place: PlaceRow, type: DeviceEventType): Promise<Chain> {
    const scopes: [string, string][] = [];
    if (place.resident_id) scopes.push(['resident', place.resident_id]);
    for (const s of place.site_ids) scopes.push(['site', s]);
    scopes.push(['alarm-type', type]);
    const { rows } = await this.db.query<{
      scope: string;
      scope_id: string;
      alarm_type: string | null;
      chain: unknown;
      id: string;
    }>(
      `SELECT id, scope, scope_id, alarm_type, chain FROM escalation_policies
        WHERE (scope, scope_id) IN (SELECT * FROM unnest($1::text[], $2::text[])) AND (alarm_type IS NULL OR alarm_type = $3)`,
      [scopes.map((s) => s[0]), scopes.map((s) => s[1]), type],
    );
    const rank = (r: { scope: string; scope_id: string; alarm_type: string | null }) =>
      scopes.findIndex(([sc, id]) => sc === r.scope && id === r.scope_id) * 2 + (r.alarm_type === null ? 1 : 0);
    const best = rows.filter((r) => checkChain.Check(r.chain)).sort((a, b) => rank(a) - rank(b))[0];
    if (best) return { ...(best.chain as Chain), source: `policy:${best.id}` };
    return defaultChain(defaultChainName(type, place.top_kind === 'institution' ? 'institution' : 'home', place.device_kind));
  }
}
