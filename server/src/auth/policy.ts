/**
 * The one place that decides permissions. Every REST route names an action in its config and
 * every socket event maps to one; both are checked here.
 */
import type { Principal, Role } from '@trygg/alarm-core';

export const ACTIONS = {
  'me:read': ['operator', 'staff', 'technician', 'relative', 'admin'],
  'alarm:list': ['operator', 'admin'],
  'alarm:read': ['operator', 'admin'],
  // Claim is the response centre's; accept / decline / arrived / resolve belong to whoever was
  // alerted or took the alarm, which the reducer checks against the alarm itself.
  'alarm:command': ['operator', 'staff', 'relative'],
  'live:operators': ['operator', 'admin'],
  'alarm:export': ['operator', 'admin'],
  'journal:admin': ['admin'],
  'policy:read': ['admin', 'operator'],
  'policy:write': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof ACTIONS;

export function can(principal: Principal, action: Action): boolean {
  const allowed: readonly Role[] = ACTIONS[action];
  return principal.roles.some((r) => allowed.includes(r));
}
