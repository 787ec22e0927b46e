/**
 * Whether a signed-in session still stands, beyond its token's signature and expiry: its account
 * still exists, its password, roles and linked identity have not changed since (the account's
 * session epoch, moved on by a trigger), and it was not signed out. Asked on every request and
 * again for every live socket, so the answer is cached per account and per session for
 * `freshMs` (one query answers both); what this node itself ends (a sign-out) holds at once,
 * what another node or the database changes holds within `freshMs`.
 */
import { TryggError, type Pool, type Role } from '@trygg/alarm-core';

interface AccountState {
  at: number;
  /** null: no such account (erased). */
  epoch: number | null;
  roles: Role[];
}

/** Entries kept before the caches start over (a bound, not a tuning knob). */
const MAX_ENTRIES = 50_000;

export class SessionStates {
  private readonly accounts = new Map<string, AccountState>();
  private readonly revoked = new Map<string, { at: number; revoked: boolean }>();

  constructor(
    private readonly pool: Pool,
    private readonly freshMs: number,
  ) {}

  /**
   * Throws TRYGG_ERR_UNAUTHENTICATED unless this session of this account still stands (and the
   * signed-in device that renewed it, if any, is not revoked: lasting.ts).
   */
  async check(userId: string, epoch: number, sessionId: string | null, device: string | null = null): Promise<void> {
    const { account, revoked } = await this.look(userId, sessionId, device);
    if (account.epoch === null) throw new TryggError('TRYGG_ERR_UNAUTHENTICATED', 'session ended: the account no longer exists');
    if (account.epoch !== epoch)
      throw new TryggError('TRYGG_ERR_UNAUTHENTICATED', 'session ended: the account’s password or roles changed; sign in again');
    if (revoked) throw new TryggError('TRYGG_ERR_UNAUTHENTICATED', 'session ended: signed out');
  }

  /** For a push notification's action token: the account still exists and still holds these roles. */
  async checkRoles(userId: string, roles: readonly Role[]): Promise<void> {
    const { account } = await this.look(userId, null, null);
    if (account.epoch === null) throw new TryggError('TRYGG_ERR_UNAUTHENTICATED', 'the account no longer exists');
    if (!roles.every((r) => account.roles.includes(r)))
      throw new TryggError('TRYGG_ERR_UNAUTHENTICATED', 'the account’s roles changed since this notification');
  }

  /**
   * Asks the database about many sessions in two queries and caches the answers: the live
   * server's periodic look at every open socket, instead of one query per socket.
   */
  async refresh(list: readonly { userId: string; sessionId: string | null; device?: string | null }[]): Promise<void> {
    if (list.length === 0) return;
    const now = Date.now();
    const userIds = [...new Set(list.map((x) => x.userId))];
    const sessionIds = [...new Set(list.flatMap((x) => (x.sessionId ? [x.sessionId] : [])))];
    const devices = [...new Set(list.flatMap((x) => (x.device ? [x.device] : [])))];
    const [users, revoked, revokedDevices] = await Promise.all([
      this.pool.query<{ id: string; epoch: number; roles: Role[] }>(
        'SELECT id, session_epoch AS epoch, roles FROM users WHERE id = ANY ($1)',
        [userIds],
      ),
      this.pool.query<{ jti: string }>('SELECT jti FROM revoked_sessions WHERE jti = ANY ($1)', [sessionIds]),
      this.pool.query<{ id: string }>('SELECT id FROM signin_devices WHERE id = ANY ($1) AND revoked_at IS NOT NULL', [devices]),
    ]);
    const found = new Map(users.rows.map((u) => [u.id, u]));
    for (const id of userIds) {
      const u = found.get(id);
      this.remember(this.accounts, id, { at: now, epoch: u?.epoch ?? null, roles: u?.roles ?? [] });
    }
    const gone = new Set(revoked.rows.map((r) => r.jti));
    const goneDevices = new Set(revokedDevices.rows.map((r) => r.id));
    for (const x of list) if (x.sessionId && x.device && goneDevices.has(x.device)) gone.add(x.sessionId);
    for (const id of sessionIds)
      this.remember(this.revoked, id, { at: now, revoked: gone.has(id) || (this.revoked.get(id)?.revoked ?? false) });
  }

  /** Signs one session out, until its token would have run out anyway. */
  async end(sessionId: string, userId: string, expiresAt: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO revoked_sessions (jti, user_id, expires_at) VALUES ($1, $2, to_timestamp($3 / 1000.0)) ON CONFLICT DO NOTHING`,
      [sessionId, userId, expiresAt],
    );
    await this.pool.query('DELETE FROM revoked_sessions WHERE expires_at < now()');
    this.remember(this.revoked, sessionId, { at: Date.now(), revoked: true });
  }

  /** Remembers at once that these sessions ended (their device was revoked on this node). */
  forget(sessionIds: readonly (string | null)[]): void {
    for (const id of sessionIds) if (id) this.remember(this.revoked, id, { at: Date.now(), revoked: true });
  }

  /** Ends every session of an account (sign out everywhere): its epoch moves on. */
  async endAll(userId: string): Promise<void> {
    await this.pool.query('UPDATE users SET session_epoch = session_epoch + 1 WHERE id = $1', [userId]);
    this.accounts.delete(userId);
  }

  private async look(userId: string, sessionId: string | null, device: string | null) {
    const now = Date.now();
    let account = this.accounts.get(userId);
    let revoked = sessionId ? this.revoked.get(sessionId) : { at: now, revoked: false };
    // Signed out stays signed out: only a standing answer needs asking again.
    const stale = (x: { at: number } | undefined) => !x || now - x.at > this.freshMs;
    if (stale(account) || (stale(revoked) && !revoked?.revoked)) {
      const { rows } = await this.pool.query<{ epoch: number | null; roles: Role[] | null; revoked: boolean }>(
        `SELECT u.session_epoch AS epoch, u.roles,
                EXISTS (SELECT 1 FROM revoked_sessions WHERE jti = $2)
                OR EXISTS (SELECT 1 FROM signin_devices WHERE id = $3 AND revoked_at IS NOT NULL) AS revoked
           FROM (SELECT 1) AS one LEFT JOIN users u ON u.id = $1`,
        [userId, sessionId ?? '', device ?? ''],
      );
      const row = rows[0];
      account = { at: now, epoch: row?.epoch ?? null, roles: row?.roles ?? [] };
      this.remember(this.accounts, userId, account);
      if (sessionId) {
        revoked = { at: now, revoked: (revoked?.revoked ?? false) || (row?.revoked ?? false) };
        this.remember(this.revoked, sessionId, revoked);
      }
    }
    return { account: account as AccountState, revoked: revoked?.revoked ?? false };
  }

  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    if (map.size >= MAX_ENTRIES) map.clear();
    map.set(key, value);
  }
}
