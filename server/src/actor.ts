/** The role a person acts in when they give an alarm a command (the timeline and audit show it). */
import type { Principal } from '@trygg/alarm-core';

export function actorRole(p: Principal): 'operator' | 'staff' | 'relative' | 'technician' | 'unknown' {
  return (['operator', 'staff', 'relative', 'technician'] as const).find((r) => p.roles.includes(r)) ?? 'unknown';
}
