/**
 * The escalation policies administrators keep: list, save (one per scope and alarm type), delete.
 * Which policy an alarm gets is the directory's look-up (devices), not this module's.
 */
import type { EscalationPolicy, PolicyScope } from '../contracts/api/policies.js';
import type { Chain } from '../contracts/escalation.js';
import type { DeviceEventType } from '../contracts/vocabulary.js';
import type { Queryable } from '../db/pool.js';

interface PolicyRow {
  id: string;
  scope: PolicyScope;
  scope_id: string;
  alarm_type: DeviceEventType | null;
  chain: Chain;
  updated_at: Date;
}

const toPolicy = (r: PolicyRow): EscalationPolicy => ({
  id: r.id,
  scope: r.scope,
  scopeId: r.scope_id,
  alarmType: r.alarm_type,
  chain: r.chain,
  updatedAt: r.updated_at.toISOString(),
});

export async function listPolicies(db: Queryable): Promise<EscalationPolicy[]> {
  const { rows } = await db.query<PolicyRow>(
    'SELECT * FROM escalation_policies ORDER BY scope, scope_id, alarm_type NULLS FIRST',
  );
  return rows.map(toPolicy);
}

/** Whether the resident or site a policy would attach to exists (an alarm-type scope is checked by its name). */
export async function policyScopeExists(db: Queryable, scope: 'resident' | 'site', scopeId: string): Promise<boolean> {
  const table = scope === 'resident' ? 'residents' : 'sites';
  const { rowCount } = await db.query(`SELECT 1 FROM ${table} WHERE id = $1`, [scopeId]);
  return rowCount === 1;
}

/** Creates the policy of this scope and alarm type, or replaces its chain. */
export async function savePolicy(
  db: Queryable,
  p: { scope: PolicyScope; scopeId: string; alarmType: DeviceEventType | null; chain: Chain },
): Promise<EscalationPolicy | null> {
  const { rows } = await db.query<PolicyRow>(
    `INSERT INTO escalation_policies (scope, scope_id, alarm_type, chain) VALUES ($1, $2, $3, $4)
     ON CONFLICT (scope, scope_id, alarm_type) DO UPDATE SET chain = EXCLUDED.chain, updated_at = now()
     RETURNING *`,
    [p.scope, p.scopeId, p.alarmType, p.chain],
  );
  const row = rows[0];
  return row ? toPolicy(row) : null;
}

/** Whether there was such a policy. */
export async function deletePolicy(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM escalation_policies WHERE id = $1', [id]);
  return rowCount === 1;
}
