/**
 * alarm-core's Directory port over the registry tables: for a device, the resident or room it
 * watches, the site and address to send people to, the people each audience means (relatives in
 * the resident's order, skipping those in their "not available" window now; staff of the floor
 * and of the site who are on shift now; technicians; the response centre), and the escalation
 * chain that applies (most specific policy wins, else the defaults).
 *
 * Answers are cached until the registry changes (NOTIFY → invalidate), the TTL passes, or the
 * next moment the answer would change by the clock alone (a shift starts or ends, a relative's
 * window opens or closes), whichever comes first.
 */
import { Compile } from 'typebox/compile';
import {
  Chain,
  defaultChain,
  defaultChainName,
  PROTECTING_DEVICE_KINDS,
  type AlarmContext,
  type AlarmSubject,
  type ChannelKind,
  type DeviceEventType,
  type Directory,
  type Queryable,
  type Recipient,
  type Roster,
} from '@trygg/alarm-core';

/** The response centre is its operators' live screens: reached once the alarm is published live. */
const RESPONSE_CENTRE: Recipient = {
  id: 'response-centre',
  name: 'Responssenteret',
  kind: 'response-centre',
  userId: null,
  reach: ['console'],
};
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
  floor: string | null;
  location: string | null;
}

interface PersonRow {
  audience: keyof Roster | 'boundary';
  id: string;
  name: string;
  user_id: string | null;
  from: string | null;
  to: string | null;
  channels: ChannelKind[] | null;
  phone: boolean | null;
  push: boolean | null;
  consent: boolean | null;
}

/**
 * Which of a person's channels work now, in their order: push with at least one push
 * subscription, SMS and calls with a phone number on record, and only kinds this installation can
 * send on. Empty, with the reason, when none does (or a relative's consent is missing).
 */
export function reachFor(
  row: Pick<PersonRow, 'channels' | 'phone' | 'push' | 'consent'>,
  registered: ReadonlySet<ChannelKind>,
): Pick<Recipient, 'reach' | 'unreachable'> {
  if (row.consent === false) return { reach: [], unreachable: 'no-consent' };
  const reach = (row.channels ?? ['push', 'sms']).filter((k) => {
    if (!registered.has(k)) return false;
    if (k === 'push') return row.push === true;
    if (k === 'sms' || k === 'call') return row.phone === true;
    return false;
  });
  return reach.length > 0 ? { reach } : { reach: [], unreachable: 'no-channel' };
}

interface PolicyRow {
  id: string;
  scope: string;
  scope_id: string;
  alarm_type: string | null;
  chain: unknown;
}

/**
 * Everything a new alarm needs, in one round trip ($1 device, $2 alarm type, $3 now):
 * - place: the device's resident and its place in the site tree, leaf to root;
 * - people: who each audience means now. Staff on duty at a site = a shift there covering now,
 *   or (for someone with no shifts at all) working there per staff_sites; relatives only with
 *   the consent flag (a relative without it is on the roster as unreachable, 'no-consent'), and
 *   what reach needs: the person's channel list, a phone number on record, a push subscription;
 *   `boundary` is the next shift start or end (when the answer changes);
 * - policies: escalation policies of the resident, of each site up the tree, and of the type.
 */
const LOOKUP = `
  WITH d AS (
    SELECT dv.kind, dv.resident_id, coalesce(dv.site_id, r.site_id) AS site_id, r.name AS resident_name,
           r.address AS resident_address
      FROM devices dv LEFT JOIN residents r ON r.id = dv.resident_id WHERE dv.id = $1),
  up AS (SELECT a.* FROM d CROSS JOIN LATERAL trygg_site_ancestors(d.site_id) a),
  place AS (
    SELECT d.kind AS device_kind, d.resident_id, d.resident_name,
           coalesce((SELECT array_agg(id ORDER BY depth) FROM up), '{}') AS site_ids,
           (SELECT id FROM up WHERE parent_id IS NULL) AS top_id,
           (SELECT name FROM up WHERE parent_id IS NULL) AS top_name,
           (SELECT kind FROM up WHERE parent_id IS NULL) AS top_kind,
           (SELECT id FROM up WHERE kind = 'floor') AS floor_id,
           coalesce(d.resident_address, (SELECT address FROM up WHERE address IS NOT NULL ORDER BY depth LIMIT 1)) AS address,
           (SELECT name FROM up WHERE kind = 'room') AS room,
           (SELECT name FROM up WHERE kind = 'floor') AS floor,
           (SELECT location FROM installations WHERE device_id = $1 AND ended_at IS NULL) AS location
      FROM d),
  down AS (SELECT t.id FROM place CROSS JOIN LATERAL trygg_site_subtree(place.top_id) t WHERE place.top_kind = 'institution'),
  floor AS (SELECT floor_id AS id FROM place),
  duty AS (
    SELECT ss.user_id, ss.site_id FROM staff_sites ss
     WHERE (ss.site_id IN (SELECT id FROM floor) OR ss.site_id IN (SELECT id FROM down))
       AND NOT EXISTS (SELECT 1 FROM staff_shifts sh WHERE sh.user_id = ss.user_id)
    UNION
    SELECT sh.user_id, sh.site_id FROM staff_shifts sh
     WHERE (sh.site_id IN (SELECT id FROM floor) OR sh.site_id IN (SELECT id FROM down)) AND sh.starts_at <= $3 AND sh.ends_at > $3),
  people AS (
    SELECT 'relatives' AS audience, rl.id, rl.name, rl.user_id, rl.chain_order AS ord,
           to_char(rl.unavailable_from, 'HH24:MI') AS "from", to_char(rl.unavailable_to, 'HH24:MI') AS "to",
           rl.channels, (rl.phone IS NOT NULL AND rl.phone <> '') AS phone,
           EXISTS (SELECT 1 FROM push_subscriptions ps WHERE ps.user_id = rl.user_id) AS push,
           rl.consent_at IS NOT NULL AS consent
      FROM relatives rl WHERE rl.resident_id = (SELECT resident_id FROM place)
    UNION ALL
    SELECT DISTINCT 'floor-staff', u.id, u.display_name, u.id, 0, NULL, NULL, u.channels, (u.phone IS NOT NULL AND u.phone <> ''),
           EXISTS (SELECT 1 FROM push_subscriptions ps WHERE ps.user_id = u.id), true
      FROM users u JOIN duty ON duty.user_id = u.id WHERE duty.site_id IN (SELECT id FROM floor)
    UNION ALL
    SELECT DISTINCT 'site-staff', u.id, u.display_name, u.id, 0, NULL, NULL, u.channels, (u.phone IS NOT NULL AND u.phone <> ''),
           EXISTS (SELECT 1 FROM push_subscriptions ps WHERE ps.user_id = u.id), true
      FROM users u JOIN duty ON duty.user_id = u.id WHERE duty.site_id IN (SELECT id FROM down)
    UNION ALL
    SELECT 'technicians', u.id, u.display_name, u.id, 0, NULL, NULL, u.channels, (u.phone IS NOT NULL AND u.phone <> ''),
           EXISTS (SELECT 1 FROM push_subscriptions ps WHERE ps.user_id = u.id), true
      FROM users u WHERE 'technician' = ANY (u.roles)
    UNION ALL
    SELECT 'boundary', (extract(epoch FROM min(t)) * 1000)::bigint::text, '', NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL FROM (
      SELECT starts_at AS t FROM staff_shifts
       WHERE (site_id IN (SELECT id FROM floor) OR site_id IN (SELECT id FROM down)) AND starts_at > $3
      UNION ALL
      SELECT ends_at FROM staff_shifts
       WHERE (site_id IN (SELECT id FROM floor) OR site_id IN (SELECT id FROM down)) AND ends_at > $3) b
    HAVING min(t) IS NOT NULL),
  policies AS (
    SELECT p.id, p.scope, p.scope_id, p.alarm_type, p.chain FROM escalation_policies p, place
     WHERE ((p.scope = 'resident' AND p.scope_id = place.resident_id)
         OR (p.scope = 'site' AND p.scope_id = ANY (place.site_ids))
         OR (p.scope = 'alarm-type' AND p.scope_id = $2))
       AND (p.alarm_type IS NULL OR p.alarm_type = $2))
  SELECT (SELECT to_jsonb(place) FROM place) AS place,
         coalesce((SELECT jsonb_agg(to_jsonb(people) ORDER BY audience, ord, name) FROM people), '[]') AS people,
         coalesce((SELECT jsonb_agg(to_jsonb(policies)) FROM policies), '[]') AS policies`;

/** Cached answers live this long even without a change notice (belt and braces). */
const TTL_MS = 60_000;

export interface DirectoryOptions {
  /** Time zone of relatives' availability windows (the municipality's). */
  timeZone?: string;
  clock?: () => Date;
  /**
   * The channel kinds this installation can send on now (the engine's channels); people's reach
   * is limited to them. Default: push only.
   */
  channelKinds?: () => Iterable<ChannelKind>;
  /**
   * How long an answer may be served without a change notice (default 60 s). The NOTIFY
   * listener is what keeps the cache right; this only bounds staleness while it is reconnecting.
   */
  ttlMs?: number;
  /** Device kinds whose offline alarm alerts the response centre too (default: alarm-core's PROTECTING_DEVICE_KINDS). */
  protectingDeviceKinds?: readonly string[];
}

/** One formatter per time zone: making one costs near a millisecond, on the alarm's path. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes since local midnight in a time zone. */
function minuteOfDay(at: Date, timeZone: string): number {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, format);
  }
  const parts = format.formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}
const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether minute `m` of the day lies in [from, to), a window that may wrap midnight. */
export function inWindow(m: number, from: number, to: number): boolean {
  return from <= to ? m >= from && m < to : m >= from || m < to;
}

export class SqlDirectory implements Directory {
  private readonly cache = new Map<string, { until: number; ctx: AlarmContext | null }>();
  private readonly timeZone: string;
  private readonly clock: () => Date;

  constructor(
    private readonly db: Queryable,
    opts: DirectoryOptions = {},
  ) {
    this.timeZone = opts.timeZone ?? 'Europe/Oslo';
    this.clock = opts.clock ?? (() => new Date());
    this.ttlMs = opts.ttlMs ?? TTL_MS;
    this.protecting = opts.protectingDeviceKinds ?? PROTECTING_DEVICE_KINDS;
    this.channelKinds = opts.channelKinds ?? (() => ['push']);
  }
  private readonly protecting: readonly string[];
  private readonly ttlMs: number;
  private readonly channelKinds: () => Iterable<ChannelKind>;

  /**
   * The context for a new alarm, from the cache when the registry has not changed since.
   * Callers get their own copy.
   */
  async contextFor(deviceId: string, type: DeviceEventType): Promise<AlarmContext | null> {
    const key = `${deviceId}\u0000${type}`;
    const now = this.clock().getTime();
    const hit = this.cache.get(key);
    if (hit && now < hit.until) {
      this.hits += 1;
      return structuredClone(hit.ctx);
    }
    // One look-up per key at a time: the gateway's early look (prefetch) and the engine's share it.
    const generation = this.generation;
    let pending = this.pending.get(key);
    if (!pending || pending.generation !== generation) {
      this.misses += 1;
      const read = this.lookup(deviceId, type, new Date(now)).then(({ ctx, until }) => {
        // A change notice that arrived while we read may predate what we read: do not cache then.
        if (generation === this.generation) this.cache.set(key, { until: Math.min(until, now + this.ttlMs), ctx });
        return ctx;
      });
      pending = { generation, read };
      this.pending.set(key, pending);
      const mine = pending;
      const forget = () => {
        if (this.pending.get(key) === mine) this.pending.delete(key);
      };
      read.then(forget, forget);
    } else {
      this.hits += 1;
    }
    return structuredClone(await pending.read);
  }

  /**
   * Starts the look-up for an alarm that is about to be stored, so it runs beside the inbox
   * commit instead of after it; the engine's `contextFor` then finds it cached or in flight.
   */
  prefetch(deviceId: string, type: DeviceEventType): void {
    this.contextFor(deviceId, type).catch(() => undefined); // the engine's own call reports failures
  }

  private readonly pending = new Map<string, { generation: number; read: Promise<AlarmContext | null> }>();
  private generation = 0;
  /** Look-ups answered from the cache and from the database (benchmark, tests). */
  hits = 0;
  misses = 0;

  /** Number of cached answers (benchmark, tests). */
  get size(): number {
    return this.cache.size;
  }

  /** Forgets every cached answer: the registry changed (NOTIFY trygg_directory). */
  invalidate(): void {
    this.generation += 1;
    this.cache.clear();
  }

  /** Prepares the look-up on this connection of the directory's pool (ahead of the first alarm). */
  async warm(client: Queryable): Promise<void> {
    await this.query(client, '', 'alarm.button', this.clock());
  }

  private query(db: Queryable, deviceId: string, type: DeviceEventType, now: Date) {
    return db.query<{ place: PlaceRow | null; people: PersonRow[]; policies: PolicyRow[] }>(
      // Prepared once per connection: planning this statement costs several times running it.
      { name: 'trygg-directory-lookup', text: LOOKUP, values: [deviceId, type, now] },
    );
  }

  private async lookup(deviceId: string, type: DeviceEventType, now: Date): Promise<{ ctx: AlarmContext | null; until: number }> {
    const { rows } = await this.query(this.db, deviceId, type, now);
    const place = rows[0]?.place;
    if (!place) return { ctx: null, until: Infinity };
    const subject: AlarmSubject = {
      deviceId,
      residentId: place.resident_id,
      residentName: place.resident_name,
      siteId: place.top_id,
      siteName: place.top_name,
      address: place.address,
      room: place.room,
      floor: place.floor,
      location: place.location,
    };
    const { roster, until } = this.roster(rows[0]?.people ?? [], now);
    const chain = this.chain(place, type, rows[0]?.policies ?? []);
    return { ctx: { subject, roster, chain }, until };
  }

  /**
   * Who each audience means right now, from the look-up's people rows. Relatives in their "not
   * available" window are left out. `until` is when this answer changes by the clock.
   */
  private roster(rows: readonly PersonRow[], now: Date): { roster: Roster; until: number } {
    const roster: Roster = {
      relatives: [],
      'floor-staff': [],
      'site-staff': [],
      'response-centre': [RESPONSE_CENTRE],
      technicians: [],
    };
    const kindOf = { relatives: 'relative', 'floor-staff': 'staff', 'site-staff': 'staff', technicians: 'technician' } as const;
    let until = Infinity;
    const registered = new Set(this.channelKinds());
    const minute = minuteOfDay(now, this.timeZone);
    const startOfMinute = now.getTime() - (now.getTime() % 60_000);
    for (const r of rows) {
      if (r.audience === 'response-centre') continue;
      if (r.audience === 'boundary') {
        until = Math.min(until, Number(r.id));
        continue;
      }
      if (r.audience === 'relatives' && r.from && r.to) {
        const from = toMinutes(r.from);
        const to = toMinutes(r.to);
        // The answer changes at the next edge of the window.
        for (const edge of [from, to]) until = Math.min(until, startOfMinute + ((edge - minute + 1440) % 1440 || 1440) * 60_000);
        if (inWindow(minute, from, to)) continue;
      }
      roster[r.audience].push({
        id: r.id,
        name: r.name,
        kind: kindOf[r.audience],
        userId: r.user_id,
        ...reachFor(r, registered),
      });
    }
    return { roster, until };
  }

  /** Most specific wins: resident (+type), each site from the room up (+type), the type, defaults. */
  private chain(place: PlaceRow, type: DeviceEventType, rows: readonly PolicyRow[]): Chain {
    const scopes: [string, string][] = [];
    if (place.resident_id) scopes.push(['resident', place.resident_id]);
    for (const s of place.site_ids) scopes.push(['site', s]);
    scopes.push(['alarm-type', type]);
    const rank = (r: PolicyRow) =>
      scopes.findIndex(([sc, id]) => sc === r.scope && id === r.scope_id) * 2 + (r.alarm_type === null ? 1 : 0);
    const best = rows.filter((r) => checkChain.Check(r.chain)).sort((a, b) => rank(a) - rank(b))[0];
    if (best) return { ...(best.chain as Chain), source: `policy:${best.id}` };
    return defaultChain(
      defaultChainName(type, place.top_kind === 'institution' ? 'institution' : 'home', place.device_kind, this.protecting),
    );
  }
}
