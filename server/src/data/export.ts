/**
 * The municipality's data, out in open formats: one NDJSON stream per dataset, read in pages by
 * key so a large table (telemetry) streams without being held in memory. Secrets never leave
 * (password and device-secret hashes, SIP HA1 are not exported); the audit trail leaves as FHIR
 * AuditEvent (IHE BALP), alarms with their timelines.
 */
import { EXPORT_DATASETS, auditEvent, type AuditRow, type Pool } from '@trygg/alarm-core';

/** The datasets, as the export route's contract names them. */
export const DATASETS = EXPORT_DATASETS;
export type Dataset = (typeof DATASETS)[number];

const PAGE = 2_000;

interface PageQuery {
  /** `$1` = the last key (as JSON), `$2` = the page size. */
  sql: string;
  key: (row: Record<string, unknown>) => unknown;
  first: unknown;
  map?: (row: Record<string, unknown>) => unknown;
}

/** Each dataset: a keyed page query and how a row is written. */
const QUERIES: Record<Dataset, PageQuery> = {
  sites: { sql: `SELECT * FROM sites WHERE id > ($1::jsonb #>> '{}') ORDER BY id LIMIT $2`, key: (r) => r.id, first: '' },
  residents: { sql: `SELECT * FROM residents WHERE id > ($1::jsonb #>> '{}') ORDER BY id LIMIT $2`, key: (r) => r.id, first: '' },
  relatives: { sql: `SELECT * FROM relatives WHERE id > ($1::jsonb #>> '{}') ORDER BY id LIMIT $2`, key: (r) => r.id, first: '' },
  users: {
    sql: `SELECT id, username, display_name, roles, locale, external_subject, created_at FROM users WHERE id > ($1::jsonb #>> '{}') ORDER BY id LIMIT $2`,
    key: (r) => r.id,
    first: '',
  },
  devices: {
    sql: `SELECT id, kind, vendor, model, serial, protocol, firmware, status, heartbeat_interval_s, resident_id, site_id,
                 last_seen_at, created_at, revoked_at FROM devices WHERE id > ($1::jsonb #>> '{}') ORDER BY id LIMIT $2`,
    key: (r) => r.id,
    first: '',
  },
  installations: {
    sql: `SELECT * FROM installations WHERE id > ($1::jsonb #>> '{}') ORDER BY id LIMIT $2`,
    key: (r) => r.id,
    first: '',
  },
  alarms: {
    sql: `SELECT a.id, a.doc, coalesce((SELECT jsonb_agg(jsonb_build_object('seq', t.seq, 'at', t.at, 'kind', t.kind, 'actor', t.actor,
                                                                     'data', t.data) ORDER BY t.seq)
                                  FROM alarm_timeline t WHERE t.alarm_id = a.id), '[]') AS timeline
            FROM alarms a WHERE a.id::text > ($1::jsonb #>> '{}') ORDER BY a.id::text LIMIT $2`,
    key: (r) => String(r.id),
    first: '',
    map: (r) => ({ alarm: r.doc, timeline: r.timeline }),
  },
  telemetry: {
    // Keyed by (time, device, metric), which also pages a TimescaleDB hypertable across its chunks.
    sql: `SELECT time, device_id, metric, value FROM telemetry
           WHERE (time, device_id, metric) > (($1::jsonb ->> 0)::timestamptz, $1::jsonb ->> 1, $1::jsonb ->> 2)
           ORDER BY time, device_id, metric LIMIT $2`,
    key: (r) => [(r.time as Date).toISOString(), r.device_id, r.metric],
    first: ['-infinity', '', ''],
  },
  audit: {
    sql: `SELECT id::text, at, actor_user_id, actor_role, action, entity_type, entity_id, outcome, subtype, purpose, source_ip,
                 request_id, client_id, query, patient_ids FROM audit_events WHERE id > ($1::jsonb #>> '{}')::bigint ORDER BY id LIMIT $2`,
    key: (r) => r.id,
    first: '0',
    map: (r) => auditEvent(r as unknown as AuditRow),
  },
};

/** The dataset as NDJSON lines, page by page. */
export async function* exportDataset(pool: Pool, dataset: Dataset): AsyncGenerator<string> {
  const q = QUERIES[dataset];
  for (let last = q.first; ;) {
    const { rows } = await pool.query<Record<string, unknown>>(q.sql, [JSON.stringify(last), PAGE]);
    if (rows.length === 0) return;
    yield rows.map((r) => JSON.stringify(q.map ? q.map(r) : r)).join('\n') + '\n';
    if (rows.length < PAGE) return;
    last = q.key(rows[rows.length - 1] as Record<string, unknown>);
  }
}
