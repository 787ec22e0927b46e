/**
 * Which closed alarms go into the patient journal. A care alarm always does: it is part of the
 * person's care. A technical alarm (battery, mains, tamper, dispenser fault or refill, a device
 * gone offline) is about a device, not about the person's health, so it is journaled only when
 * the alarm's escalation policy says so (`journalTechnical: true` on the chain it was opened
 * with). Pure, so the reducer decides it with everything else about the close.
 */
import type { Alarm } from '../contracts/alarm.js';

export function journalsOnClose(alarm: Pick<Alarm, 'class' | 'escalation'>): boolean {
  return alarm.class === 'care' || alarm.escalation.chain.journalTechnical === true;
}
