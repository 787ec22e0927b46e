/**
 * The one place that decides permissions. Every REST route names an action in its config and
 * every socket event maps to one; both are checked here.
 */
import type { Principal, Role } from '@trygg/alarm-core';

export const ACTIONS = {
  'me:read': ['operator', 'staff', 'technician', 'relative', 'admin'],
  'alarm:list': ['operator', 'admin'],
  'alarm:read': ['operator', 'admin'],
  'alarm:command': ['operator'],
  'live:operators': ['operator', 'admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof ACTIONS;

export function can(principal: Principal, action: Action): boolean {
  const allowed: readonly Role[] = ACTIONS[action];
  return principal.roles.some((r) => allowed.includes(r));
}
