/**
 * SCAIP session idempotency (SS 91100: a session is a unit's `cid` + `ref`). A request with a
 * `ref` seen within the session lifetime belongs to that session, so a resend or a hold poll maps
 * to the same event ids and is stored once; a new `ref` is a new session. Units recycle short
 * refs, so a ref quiet for longer than the lifetime (units poll at most 30 minutes) starts a new
 * session with a new id. Rows live in PostgreSQL so every node and a restarted one agree.
 */
import { randomBytes } from 'node:crypto';
import { commitRelaxed, type Pool, type Prepared } from '@trygg/alarm-core';

export interface ScaipSession {
  sessionId: string;
  firstSeen: Date;
  isNew: boolean;
  aborted: boolean;
}

/** Opens or renews the session of a ref ($1 device, $2 cid, $3 ref, $4 a fresh id, $5 lifetime in s). */
const TOUCH: Prepared = {
  name: 'trygg_scaip_session_touch',
  text: `INSERT INTO scaip_sessions AS s (device_id, cid, ref, session_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (device_id, cid, ref) DO UPDATE SET
         session_id = CASE WHEN s.last_seen < now() - $5 * interval '1 second' THEN EXCLUDED.session_id ELSE s.session_id END,
         first_seen = CASE WHEN s.last_seen < now() - $5 * interval '1 second' THEN now() ELSE s.first_seen END,
         aborted_at = CASE WHEN s.last_seen < now() - $5 * interval '1 second' THEN NULL ELSE s.aborted_at END,
         last_seen = now()
       RETURNING session_id, first_seen, aborted_at`,
};

export class ScaipSessions {
  constructor(
    private readonly db: Pool,
    /** Seconds of silence after which a ref starts a new session. */
    private readonly lifetimeS = 3600,
  ) {}

  /**
   * The session of this ref, opened (or renewed after the lifetime) if needed. Committed without
   * waiting for the WAL flush (`synchronous_commit = off`): the event this session names is
   * committed durably next, and that flush carries this row with it (the WAL is written in
   * order). Should the database crash in between, the event was never stored either, and the
   * unit's resend opens the session again.
   */
  async touch(deviceId: string, cid: string, ref: string): Promise<ScaipSession> {
    const fresh = `${ref}-${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
    const touched = await commitRelaxed(this.db, TOUCH, [deviceId, cid, ref, fresh, this.lifetimeS]);
    const r = touched.rows[0] as { session_id: string; first_seen: Date; aborted_at: Date | null } | undefined;
    if (!r) throw new Error('session upsert returned nothing');
    return { sessionId: r.session_id, firstSeen: r.first_seen, isNew: r.session_id === fresh, aborted: r.aborted_at !== null };
  }

  /** A live session of this ref, or null (an abort or update that refers to nothing: snu 10). */
  async find(deviceId: string, cid: string, ref: string): Promise<ScaipSession | null> {
    const { rows } = await this.db.query<{ session_id: string; first_seen: Date; aborted_at: Date | null }>(
      `UPDATE scaip_sessions SET last_seen = now()
        WHERE device_id = $1 AND cid = $2 AND ref = $3 AND last_seen >= now() - $4 * interval '1 second'
        RETURNING session_id, first_seen, aborted_at`,
      [deviceId, cid, ref, this.lifetimeS],
    );
    const r = rows[0];
    return r ? { sessionId: r.session_id, firstSeen: r.first_seen, isNew: false, aborted: r.aborted_at !== null } : null;
  }

  /** Forgets sessions quiet for twice the lifetime (their refs start new sessions anyway). */
  async prune(): Promise<number> {
    const { rowCount } = await this.db.query(`DELETE FROM scaip_sessions WHERE last_seen < now() - $1 * interval '2 second'`, [
      this.lifetimeS,
    ]);
    return rowCount ?? 0;
  }

  /** The unit gave up on this session (`mty=RE`) and falls back to its next route. */
  async abort(deviceId: string, cid: string, ref: string): Promise<void> {
    await this.db.query(
      'UPDATE scaip_sessions SET aborted_at = COALESCE(aborted_at, now()) WHERE device_id = $1 AND cid = $2 AND ref = $3',
      [deviceId, cid, ref],
    );
  }
}
