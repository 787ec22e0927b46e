/**
 * The one place that decides permissions. Every REST route names an action in its config and
 * every socket event maps to one; both are checked here.
 */
import type { Principal, Resident, Role } from '@trygg/alarm-core';

export const ACTIONS = {
  'me:read': ['operator', 'staff', 'technician', 'relative', 'admin'],
  // Signing out (one session, or every session of oneself).
  'session:end': ['operator', 'staff', 'technician', 'relative', 'admin'],
  // An administrator lists and signs out the phones where a person stays signed in.
  'signin:admin': ['admin'],
  'alarm:list': ['operator', 'admin'],
  'alarm:read': ['operator', 'admin'],
  // Claim is the response centre's; accept / decline / arrived / resolve belong to whoever was
  // alerted or took the alarm, which the reducer checks against the alarm itself (technicians:
  // only technical and offline alarms).
  'alarm:command': ['operator', 'staff', 'relative', 'technician'],
  'live:operators': ['operator', 'admin'],
  'alarm:export': ['operator', 'admin'],
  // The code itself: only an operator, and the route checks it is the one who claimed the alarm.
  'alarm:key-safe': ['operator'],
  'stats:read': ['operator', 'admin'],
  'journal:admin': ['admin'],
  'audit:read': ['admin'],
  // Data ownership: everything out in open formats; a resident's personal data erased.
  'data:export': ['admin'],
  'resident:erase': ['admin'],
  // Time-limited access to one resident's whole record, with a reason, announced to administrators.
  'resident:break-glass': ['operator'],
  'policy:read': ['admin', 'operator'],
  'policy:write': ['admin'],
  // The registry. Reads of residents and relatives are personal data and are audited.
  'resident:read': ['operator', 'technician', 'admin'],
  'resident:write': ['admin'],
  'relative:write': ['admin'],
  'site:read': ['operator', 'technician', 'admin'],
  'site:write': ['admin'],
  'staff:read': ['admin'],
  'staff:write': ['admin'],
  'device:read': ['operator', 'technician', 'admin'],
  'device:write': ['technician', 'admin'],
  'installation:write': ['technician', 'admin'],
  'registry:import': ['admin'],
  'live:technicians': ['technician', 'admin'],
  'relative:invite': ['admin'],
  'relative:read': ['relative'],
  'staff:overview': ['staff'],
  // The technical and offline alarms a technician was alerted for (their app).
  'technician:alarms': ['technician'],
  // Staff, relatives and technicians hear on the live socket's people namespace that one of their alarms changed.
  'live:own': ['staff', 'relative', 'technician'],
  // Who nobody can reach now (no app, no phone, no consent): administrators fix it before it matters.
  'reach:read': ['admin'],
  // Every person who can be alerted registers their phones for push.
  'push:subscribe': ['operator', 'staff', 'technician', 'relative', 'admin'],
  // Battery, signal and temperature curves: the response centre and technicians (not relatives).
  'telemetry:read': ['operator', 'technician', 'admin'],
  // Supervision quality (the flaky list), overdue user tests; marking an alarm as the user test.
  'supervision:read': ['operator', 'technician', 'admin'],
  'user-test:write': ['operator', 'admin'],
  // The service's own starts, stops and ingress outages.
  'service:read': ['technician', 'admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof ACTIONS;

/**
 * What an API client (OAuth 2.0 client credentials, no person behind it) may do: each scope
 * opens the actions listed. An action in no scope is closed to every client; scopes are granted
 * per client by an administrator, and a token only carries those it asked for.
 */
export const SCOPES = {
  'trygg.alarms.read': ['alarm:list', 'alarm:read'],
  'trygg.journal.export': ['alarm:export'],
  'trygg.journal.admin': ['journal:admin'],
  'trygg.policies.read': ['policy:read'],
  'trygg.audit.read': ['audit:read'],
  // Municipal systems (e.g. the care record's resident register) keeping the registry in step.
  'trygg.registry.read': ['resident:read', 'site:read', 'device:read'],
  'trygg.registry.write': ['resident:write', 'relative:write', 'site:write', 'registry:import'],
} as const satisfies Record<string, readonly Action[]>;

export type Scope = keyof typeof SCOPES;
export const SCOPE_NAMES = Object.keys(SCOPES) as Scope[];

export function can(principal: Principal, action: Action): boolean {
  if (principal.kind === 'client') {
    return (principal.scopes ?? []).some((s) => (SCOPES[s as Scope] as readonly Action[] | undefined)?.includes(action) ?? false);
  }
  const allowed: readonly Role[] = ACTIONS[action];
  return principal.roles.some((r) => allowed.includes(r));
}

/**
 * What of a resident a reader sees in the registry. How to get in (key safe, digital lock):
 * administrators, and technicians, who go into homes to install; the response centre gets it
 * with an alarm it has claimed, not from the registry. Health (notes for responders) and the
 * national id: the response centre and administrators, not technicians. A hidden field reads as
 * null. API clients see what their scope was granted for (the municipality's own systems).
 * Under a break-the-glass grant for this resident the reader sees the whole record.
 */
export function residentView(principal: Principal, r: Resident, opts: { brokenGlass?: boolean } = {}): Resident {
  if (principal.kind === 'client' || opts.brokenGlass) return r;
  const has = (...roles: Role[]) => principal.roles.some((x) => roles.includes(x));
  const entry = has('admin', 'technician');
  const care = has('admin', 'operator');
  return {
    ...r,
    keySafe: entry ? r.keySafe : null,
    digitalLock: entry ? r.digitalLock : null,
    notes: care ? r.notes : null,
    nationalId: care ? r.nationalId : null,
  };
}
