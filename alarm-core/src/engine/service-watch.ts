/**
 * The service's own life as recorded facts (docs/supervision.md): `service_events` (started,
 * stopped, ingress lost and restored) and `service_ingress` (per node and device protocol: up or
 * not, since when, last known when). Supervision reads `service_ingress`, so a device is never
 * declared offline for silence Trygg caused: while ingress is down, and for one heartbeat interval
 * after it is back.
 *
 * Durable by construction: the mark is refreshed every few seconds while the node runs, so after
 * a kill -9 the last mark says when the node was last known up; a node that finds its own mark
 * stale at start records the outage (`started` with `since`) and starts a new grace.
 */
import type { Queryable } from '../db/pool.js';
import type { Logger } from '../ports.js';

export type IngressProtocol = 'mqtt' | 'scaip';

/** One device ingress of this node and whether it takes devices' messages now. */
export interface IngressProbe {
  protocol: IngressProtocol;
  ready(): boolean;
}

export interface ServiceWatchOptions {
  pool: Queryable;
  /** This node's name (stable across restarts: its marks are found again after a crash). */
  node: string;
  probes: readonly IngressProbe[];
  logger: Logger;
  /** How often the marks are refreshed (default 10 s); a mark older than `staleS` means the node is gone. */
  everyMs?: number;
  /** Seconds after which a mark is stale (default 30; supervision uses the same). */
  staleS?: number;
}

export class ServiceWatch {
  private readonly opts: ServiceWatchOptions;
  private readonly up = new Map<IngressProtocol, boolean>();
  private loop: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;

  constructor(opts: ServiceWatchOptions) {
    this.opts = opts;
  }

  /** Records the start (and the outage before it), marks ingress now, then every `everyMs`. */
  async start(): Promise<void> {
    const { pool, node, logger } = this.opts;
    const { rows } = await pool.query<{ since: Date | null; clean: boolean | null }>(
      `SELECT (SELECT max(alive_at) FROM service_ingress WHERE node = $1) AS since,
              (SELECT kind = 'stopped' FROM service_events WHERE node = $1 ORDER BY id DESC LIMIT 1) AS clean`,
      [node],
    );
    const since = rows[0]?.since ?? null;
    const clean = rows[0]?.clean ?? null;
    await pool.query(`INSERT INTO service_events (node, kind, since, detail) VALUES ($1, 'started', $2, $3)`, [
      node,
      since,
      { clean: clean === true, downS: since ? Math.round((Date.now() - since.getTime()) / 1000) : null },
    ]);
    if (since) {
      logger.info(
        { node, downSince: since.toISOString(), clean: clean === true },
        `Trygg was ${clean ? 'stopped' : 'not running (no clean stop)'} since ${since.toISOString()}: devices get a heartbeat interval to reconnect before any is declared offline`,
      );
    }
    await this.tick();
    this.loop = setInterval(() => void this.tick(), this.opts.everyMs ?? 10_000);
    this.loop.unref();
  }

  /** Records the stop and marks this node's ingress down (supervision then waits for another node or the next start). */
  async stop(): Promise<void> {
    if (this.loop) clearInterval(this.loop);
    this.loop = null;
    await this.ticking;
    const { pool, node } = this.opts;
    await pool.query(`UPDATE service_ingress SET up = false, up_since = NULL, alive_at = now() WHERE node = $1`, [node]);
    await pool.query(`INSERT INTO service_events (node, kind) VALUES ($1, 'stopped')`, [node]);
  }

  /** Refreshes the marks now (the loop does it periodically). */
  tick(): Promise<void> {
    this.ticking ??= this.mark()
      .catch((err: unknown) =>
        this.opts.logger.warn({ err, code: 'TRYGG_ERR_STORE_UNAVAILABLE' }, 'ingress mark failed; will retry'),
      )
      .finally(() => {
        this.ticking = null;
      });
    return this.ticking;
  }

  private async mark(): Promise<void> {
    const { pool, node, logger } = this.opts;
    // One protocol may have several listeners (MQTT and MQTTS, SIP over UDP and TCP): up when all are.
    const state = new Map<IngressProtocol, boolean>();
    for (const p of this.opts.probes) state.set(p.protocol, (state.get(p.protocol) ?? true) && p.ready());
    for (const [protocol, up] of state) {
      await pool.query(
        `INSERT INTO service_ingress AS s (node, protocol, up, up_since, alive_at)
         VALUES ($1, $2, $3, CASE WHEN $3 THEN now() END, now())
         ON CONFLICT (node, protocol) DO UPDATE SET
           up = EXCLUDED.up,
           up_since = CASE WHEN NOT EXCLUDED.up THEN NULL
                           WHEN s.up AND s.up_since IS NOT NULL AND s.alive_at >= now() - $4 * interval '1 second' THEN s.up_since
                           ELSE now() END,
           alive_at = now()`,
        [node, protocol, up, this.opts.staleS ?? 30],
      );
      const was = this.up.get(protocol);
      this.up.set(protocol, up);
      if (was === undefined || was === up) continue;
      if (up) {
        const { rows: lost } = await pool.query<{ at: Date }>(
          `SELECT at FROM service_events WHERE node = $1 AND kind = 'ingress-lost' AND ingress = $2 ORDER BY id DESC LIMIT 1`,
          [node, protocol],
        );
        await pool.query(`INSERT INTO service_events (node, kind, ingress, since) VALUES ($1, 'ingress-restored', $2, $3)`, [
          node,
          protocol,
          lost[0]?.at ?? null,
        ]);
        logger.info(
          { node, ingress: protocol },
          `${protocol} ingress restored: its devices get a heartbeat interval to reconnect`,
        );
      } else {
        await pool.query(`INSERT INTO service_events (node, kind, ingress, since) VALUES ($1, 'ingress-lost', $2, now())`, [
          node,
          protocol,
        ]);
        logger.warn({ node, ingress: protocol }, `${protocol} ingress lost: its devices are not judged offline until it is back`);
      }
    }
  }
}

/** A page of the service's own events, newest first. */
export async function listServiceEvents(
  db: Queryable,
  limit = 100,
): Promise<{ at: string; node: string; kind: string; ingress: string | null; since: string | null }[]> {
  const { rows } = await db.query<{ at: Date; node: string; kind: string; ingress: string | null; since: Date | null }>(
    `SELECT at, node, kind, ingress, since FROM service_events ORDER BY id DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    at: r.at.toISOString(),
    node: r.node,
    kind: r.kind,
    ingress: r.ingress,
    since: r.since?.toISOString() ?? null,
  }));
}
