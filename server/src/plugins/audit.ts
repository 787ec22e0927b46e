/**
 * Every access to personal data leaves one audit event (IHE BALP shape, see docs/identity.md): a route
 * that touches personal data says so in its config (`audit: { entity, subtype }`), its handler
 * names the residents whose data it returned (`req.audit.patients(…)`), and this plugin writes
 * the event before the answer leaves — if the trail cannot be written, the data is not sent.
 * Changes to alarms are audited by the engine in the transaction that makes them.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Pool } from '@trygg/alarm-core';

export type AuditSubtype = 'read' | 'search' | 'create' | 'update' | 'delete' | 'operation';

export interface AuditSpec {
  /** What kind of data: `alarm`, `resident`, `journal`, `telemetry`, … */
  entity: string;
  subtype: AuditSubtype;
}

export interface AuditTrail {
  /** Residents whose personal data the answer holds. */
  patients(ids: Iterable<string | null | undefined>): void;
  /** The record touched, when the route has no `:id` (or another one). */
  entity(id: string): void;
  /** Purpose of use other than the role's usual (`ETREAT`: emergency access, broken glass). */
  purpose(code: string): void;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    audit?: AuditSpec;
  }
  interface FastifyRequest {
    audit: AuditTrail;
  }
}

interface Collected {
  patients: Set<string>;
  entityId: string | null;
  purpose: string | null;
}

const collected = new WeakMap<FastifyRequest, Collected>();

/** Purpose of use (HL7 v3 ActReason): care for the resident, or running the service. */
function purposeOf(req: FastifyRequest): string {
  const roles = req.principal?.roles ?? [];
  return roles.includes('admin') && !roles.some((r) => r === 'operator' || r === 'staff') ? 'HOPERAT' : 'TREAT';
}

/** As the engine writes it: `success`, or what went wrong (here the HTTP status). */
function outcomeOf(status: number): string {
  return status < 400 ? 'success' : `http-${status}`;
}

/** One person opening many residents' records in a short time: the leader should look. */
export interface UnusualAccess {
  userId: string;
  residents: number;
  windowS: number;
}

export interface AuditOptions {
  pool: Pool;
  /** Records of more than `residents` different residents opened within `windowS` is unusual. */
  unusual: { residents: number; windowS: number };
  onUnusual: (alert: UnusualAccess) => void;
}

export default fp<AuditOptions>(
  async (app: FastifyInstance, { pool, unusual, onUnusual }) => {
    /** When each user was last reported, so one burst raises one alert, not one per record. */
    const reported = new Map<string, number>();
    const checkUnusual = async (req: FastifyRequest) => {
      const userId = req.principal?.userId;
      if (!userId) return;
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(DISTINCT p)::int AS n FROM audit_events, unnest(patient_ids) AS p
          WHERE actor_user_id = $1 AND subtype = 'read' AND at > now() - $2 * interval '1 second'`,
        [userId, unusual.windowS],
      );
      const n = rows[0]?.n ?? 0;
      const last = reported.get(userId) ?? 0;
      if (n > unusual.residents && Date.now() - last > unusual.windowS * 1000) {
        reported.set(userId, Date.now());
        const alert = { userId, residents: n, windowS: unusual.windowS };
        req.log.error({ code: 'TRYGG_ERR_UNUSUAL_ACCESS', ...alert }, "one user opened many residents' records in a short time");
        onUnusual(alert);
      }
    };
    const noop: AuditTrail = { patients: () => undefined, entity: () => undefined, purpose: () => undefined };
    app.decorateRequest('audit', {
      getter(this: FastifyRequest) {
        const c = collected.get(this);
        if (!c) return noop;
        return {
          patients: (ids: Iterable<string | null | undefined>) => {
            for (const id of ids) if (id) c.patients.add(id);
          },
          entity: (id: string) => {
            c.entityId = id;
          },
          purpose: (code: string) => {
            c.purpose = code;
          },
        };
      },
    });
    app.addHook('preHandler', async (req) => {
      if (req.routeOptions.config.audit) collected.set(req, { patients: new Set(), entityId: null, purpose: null });
    });
    app.addHook('onSend', async (req, reply, payload) => {
      const spec = req.routeOptions.config.audit;
      const c = collected.get(req);
      // Refused before the handler ran (not signed in, wrong role): no data left, nothing to audit.
      if (!spec || !c) return payload;
      const params = req.params as Record<string, unknown> | undefined;
      const paramId = typeof params?.id === 'string' ? params.id : null;
      const principal = req.principal;
      const query = spec.subtype === 'search' ? (req.url.split('?')[1] ?? '') : null;
      await pool.query(
        `INSERT INTO audit_events (actor_user_id, actor_role, action, entity_type, entity_id, resident_id, outcome, detail,
                                   subtype, purpose, source_ip, request_id, client_id, query, patient_ids)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
        [
          principal?.userId ?? null,
          principal ? (principal.kind === 'client' ? 'client' : principal.roles.join(',')) : null,
          `${spec.entity}.${spec.subtype}`,
          spec.entity,
          c.entityId ?? paramId,
          c.patients.size === 1 ? [...c.patients][0] : null,
          outcomeOf(reply.statusCode),
          { route: req.routeOptions.url, method: req.method, status: reply.statusCode },
          spec.subtype,
          c.purpose ?? purposeOf(req),
          req.ip,
          req.id,
          principal?.kind === 'client' ? principal.userId : 'trygg-web',
          query,
          [...c.patients],
        ],
      );
      // Searches list many people by nature (the queue); opening records one by one is what is watched.
      if (spec.subtype === 'read' && c.patients.size > 0) await checkUnusual(req);
      return payload;
    });
  },
  { name: 'trygg-audit', dependencies: ['trygg-auth'] },
);
