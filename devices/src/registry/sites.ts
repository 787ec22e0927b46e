/**
 * Sites: homes, and institutions → buildings → floors → rooms. A level hangs only under the level
 * above it; the database trigger `sites_parent_level` enforces it, this checks first for a clear
 * message (a room on a floor that does not exist is TRYGG_ERR_SITE_PARENT_INVALID).
 */
import type { Queryable, Site, SiteInput } from '@trygg/alarm-core';
import { TryggError } from '@trygg/alarm-core';
import { guarded } from './db-errors.js';
import { newId } from './ids.js';

interface Row {
  id: string;
  kind: Site['kind'];
  parent_id: string | null;
  name: string;
  address: string | null;
}
const toSite = (r: Row): Site => ({ id: r.id, kind: r.kind, parentId: r.parent_id, name: r.name, address: r.address });

const PARENT: Record<Site['kind'], Site['kind'] | null> = {
  home: null,
  institution: null,
  building: 'institution',
  floor: 'building',
  room: 'floor',
};

export async function createSite(db: Queryable, input: SiteInput): Promise<Site> {
  const want = PARENT[input.kind];
  const parentId = input.parentId ?? null;
  if (want === null && parentId !== null) {
    throw new TryggError('TRYGG_ERR_SITE_PARENT_INVALID', `a ${input.kind} has no parent`);
  }
  if (want !== null) {
    if (parentId === null) throw new TryggError('TRYGG_ERR_SITE_PARENT_INVALID', `a ${input.kind} needs a ${want} as parent`);
    const { rows } = await db.query<{ kind: string }>('SELECT kind FROM sites WHERE id = $1', [parentId]);
    const kind = rows[0]?.kind;
    if (kind !== want) {
      throw new TryggError(
        'TRYGG_ERR_SITE_PARENT_INVALID',
        kind
          ? `a ${input.kind} hangs under a ${want}, and ${parentId} is a ${kind}`
          : `no ${want} ${parentId} for this ${input.kind}`,
      );
    }
  }
  const { rows } = await guarded(() =>
    db.query<Row>('INSERT INTO sites (id, kind, parent_id, name, address) VALUES ($1, $2, $3, $4, $5) RETURNING *', [
      input.id ?? newId(input.kind),
      input.kind,
      parentId,
      input.name,
      input.address ?? null,
    ]),
  );
  return toSite(rows[0] as Row);
}

/** Sites, optionally the subtree under one (itself included), in tree order. */
export async function listSites(db: Queryable, opts: { under?: string; kind?: Site['kind'] } = {}): Promise<Site[]> {
  const { rows } = await db.query<Row>(
    `SELECT t.id, t.kind, t.parent_id, t.name, t.address
       FROM sites root CROSS JOIN LATERAL trygg_site_subtree(root.id) t
      WHERE (($1::text IS NULL AND root.parent_id IS NULL) OR root.id = $1) AND ($2::text IS NULL OR t.kind = $2)
      ORDER BY root.name, root.id, t.path LIMIT 5000`,
    [opts.under ?? null, opts.kind ?? null],
  );
  return rows.map(toSite);
}
