/**
 * SCAIP session idempotency (SS 91100: a session is a unit's `cid` + `ref`). A request with a
 * `ref` whose session is still in flight belongs to that session, so a resend or a hold poll maps
 * to the same event ids and is stored once. A ref starts a new session (new ids) when its old
 * session is over:
 *
 * - the unit was told `snu=0` and confirmed it (it drops the ref then; SS 91100 "session end"),
 * - the unit aborted the session (`mty=RE`),
 * - the alarm the session raised has been closed since the unit last used the ref, and the ref
 *   was quiet for longer than a hold poll takes (SS 91100: the unit polls again within 5–20 s),
 * - or the ref was quiet for longer than the lifetime (units poll at most 30 minutes).
 *
 * Units restart and wrap their ref counters, so without these a new fall press with an old ref was
 * answered "handled" and dropped. Rows live in PostgreSQL so every node and a restarted one agree.
 */
import { createHash, randomBytes } from 'node:crypto';
import { commitRelaxed, type Pool, type Prepared } from '@trygg/alarm-core';

export interface ScaipSession {
  sessionId: string;
  firstSeen: Date;
  isNew: boolean;
  aborted: boolean;
}

/** Seconds a ref may be quiet within one hold (SS 91100: polls come every 5–20 s; margin for a lost one). */
export const HOLD_POLL_GAP_S = 45;

/**
 * Opens or renews the session of a ref ($1 device, $2 cid, $3 ref, $4 a fresh id, $5 lifetime in s,
 * $6 the hold poll gap in s). `over` says whether the stored session has ended (see the file header).
 */
const TOUCH: Prepared = {
  name: 'trygg_scaip_session_touch',
  text: `WITH prior AS (
         SELECT s.*, (s.last_seen < now() - $5 * interval '1 second'
                      OR s.ended_at IS NOT NULL
                      OR s.aborted_at IS NOT NULL
                      OR (s.last_seen < now() - $6 * interval '1 second'
                          AND EXISTS (SELECT 1 FROM alarms a
                                       WHERE a.device_id = $1 AND a.opened_at >= s.first_seen - interval '5 seconds'
                                         AND a.closed_at > s.last_seen))) AS over
           FROM scaip_sessions s WHERE s.device_id = $1 AND s.cid = $2 AND s.ref = $3)
       INSERT INTO scaip_sessions AS s (device_id, cid, ref, session_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (device_id, cid, ref) DO UPDATE SET
         session_id = CASE WHEN (SELECT over FROM prior) THEN EXCLUDED.session_id ELSE s.session_id END,
         first_seen = CASE WHEN (SELECT over FROM prior) THEN now() ELSE s.first_seen END,
         aborted_at = CASE WHEN (SELECT over FROM prior) THEN NULL ELSE s.aborted_at END,
         ended_at = CASE WHEN (SELECT over FROM prior) THEN NULL ELSE s.ended_at END,
         last_seen = now()
       RETURNING session_id, first_seen, aborted_at`,
};

/** Marks a session ended ($1 device, $2 cid, $3 ref, $4 the session it must still be). */
const END: Prepared = {
  name: 'trygg_scaip_session_end',
  text: `UPDATE scaip_sessions SET ended_at = now()
          WHERE device_id = $1 AND cid = $2 AND ref = $3 AND session_id = $4 AND ended_at IS NULL`,
};

/**
 * The ref as it may appear inside an event id: itself when it is the standard's 1–16
 * alphanumerics, else a digest of it (units send longer refs, and refs with punctuation).
 */
export function refKey(ref: string): string {
  return /^[0-9A-Za-z]{1,16}$/.test(ref) ? ref : `h${createHash('sha256').update(ref).digest('hex').slice(0, 15)}`;
}

export class ScaipSessions {
  constructor(
    private readonly db: Pool,
    /** Seconds of silence after which a ref starts a new session. */
    private readonly lifetimeS = 3600,
    /** Seconds of silence within a hold after which a closed alarm ends the session. */
    private readonly holdPollGapS = HOLD_POLL_GAP_S,
  ) {}

  /**
   * The session of this ref, opened (or renewed when the old one is over) if needed. Committed
   * without waiting for the WAL flush (`synchronous_commit = off`): the event this session names
   * is committed durably next, and that flush carries this row with it (the WAL is written in
   * order). Should the database crash in between, the event was never stored either, and the
   * unit's resend opens the session again.
   */
  async touch(deviceId: string, cid: string, ref: string): Promise<ScaipSession> {
    const fresh = `${refKey(ref)}-${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
    const touched = await commitRelaxed(this.db, TOUCH, [deviceId, cid, ref, fresh, this.lifetimeS, this.holdPollGapS]);
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

  /**
   * The unit has taken `snu=0` for this session: it drops the ref, so the ref's next use is a new
   * session. Relaxed commit: if a crash forgets it, the closed-alarm rule still ends the session.
   */
  async end(deviceId: string, cid: string, ref: string, sessionId: string): Promise<void> {
    await commitRelaxed(this.db, END, [deviceId, cid, ref, sessionId]);
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
