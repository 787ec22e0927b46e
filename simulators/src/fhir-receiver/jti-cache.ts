/**
 * Remembers the `jti` of every client assertion and DPoP proof until it could no longer be
 * accepted anyway, so a replayed JWT is caught.
 */
export class JtiCache {
  private readonly seen = new Map<string, number>();

  /** True when `jti` was already used; otherwise remembers it until `untilMs`. */
  replayed(jti: string, untilMs: number): boolean {
    const now = Date.now();
    for (const [id, until] of this.seen) if (until < now) this.seen.delete(id);
    if (this.seen.has(jti)) return true;
    this.seen.set(jti, untilMs);
    return false;
  }
}
