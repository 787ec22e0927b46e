/**
 * People's commands: claim (an operator, for the response centre), accept and decline (anyone
 * alerted), arrived and resolve. First claim or accept wins; everyone else alerted is told who
 * has it and their pending alerts are withdrawn.
 */
import type { Actor, Alarm } from '../contracts/alarm.js';
import type { AlarmCommand } from '../contracts/commands.js';
import { actingId } from '../contracts/acting.js';
import type { Alert, Recipient } from '../contracts/escalation.js';
import { Draft, refuse, type StepResult } from './draft.js';
import { advance, close, isOpen } from './escalate.js';

const RESPONSE_CENTRE: Recipient = { id: 'response-centre', name: 'Responssenteret', kind: 'response-centre', userId: null };

export function onCommand(alarm: Alarm | null, command: AlarmCommand, actor: Actor, now: Date): StepResult {
  if (alarm === null) return refuse(alarm, 'TRYGG_ERR_ALARM_NOT_FOUND');
  if (!isOpen(alarm)) return refuse(alarm, 'TRYGG_ERR_ALARM_CLOSED');
  const mine = alarm.claimedBy?.userId === actor.userId;
  const operator = actor.role === 'operator';
  // Technicians act on devices: technical and offline alarms, never on a person's care alarm.
  if (actor.role === 'technician' && alarm.class !== 'technical') return refuse(alarm, 'TRYGG_ERR_FORBIDDEN');

  switch (command.type) {
    case 'claim':
    case 'accept': {
      if (alarm.state !== 'open') return mine ? { alarm, entries: [], effects: [] } : refuse(alarm, 'TRYGG_ERR_ALARM_CLAIMED');
      const d = new Draft(alarm, now);
      let alert: Alert | undefined;
      if (command.type === 'claim') {
        if (!operator) return refuse(alarm, 'TRYGG_ERR_FORBIDDEN');
        alert = d.esc.alerts.find((a) => a.recipient.kind === 'response-centre');
      } else {
        // Whoever was asked may still go: after saying no, after their time ran out, and someone no
        // channel reached who still saw it (opened the app).
        alert = d.esc.alerts.find(
          (a) =>
            actingId(a.recipient) === actor.userId &&
            (a.state === 'pending' ||
              a.state === 'declined' ||
              a.state === 'expired' ||
              (a.state === 'unreachable' && a.reason === 'all-channels-failed')),
        );
        if (!alert) return refuse(alarm, 'TRYGG_ERR_NOT_ALERTED');
      }
      take(d, actor, alert?.recipient ?? RESPONSE_CENTRE, alert, command.type);
      return d.result();
    }
    case 'decline': {
      if (alarm.state !== 'open') return refuse(alarm, 'TRYGG_ERR_ALARM_CLAIMED');
      const d = new Draft(alarm, now);
      const alert = d.esc.alerts.find(
        (a) => actingId(a.recipient) === actor.userId && (a.state === 'pending' || a.state === 'expired'),
      );
      if (!alert) return refuse(alarm, 'TRYGG_ERR_NOT_ALERTED');
      alert.state = 'declined';
      alert.changedAt = d.at;
      d.entry('declined', { recipient: alert.recipient.name, step: alert.step }, actor);
      // Everyone asked at the running step has said no: move on now, not at the timeout.
      const waiting = d.esc.alerts.some((a) => a.step === d.esc.step && a.state === 'pending');
      if (!waiting && alert.step === d.esc.step) advance(d, 'all-declined');
      return d.result();
    }
    case 'arrived': {
      if (alarm.state === 'open') return refuse(alarm, 'TRYGG_ERR_ALARM_NOT_CLAIMED_BY_YOU');
      if (!mine) return refuse(alarm, 'TRYGG_ERR_ALARM_NOT_CLAIMED_BY_YOU');
      if (alarm.state === 'arrived') return { alarm, entries: [], effects: [] };
      const d = new Draft(alarm, now);
      d.alarm.state = 'arrived';
      d.alarm.arrivedAt = d.at;
      d.clearTimers('follow-up');
      d.entry('arrived', {}, actor);
      return d.result();
    }
    case 'dispatch': {
      // Only the operator holding the alarm sends someone out; again is fine (a second team).
      if (!operator) return refuse(alarm, 'TRYGG_ERR_FORBIDDEN');
      if (alarm.state === 'open' || !mine) return refuse(alarm, 'TRYGG_ERR_ALARM_NOT_CLAIMED_BY_YOU');
      const d = new Draft(alarm, now);
      d.entry('dispatched', { to: command.to, note: command.note ?? null }, actor);
      return d.result();
    }
    case 'resolve': {
      // The one who took it resolves; an operator may close any taken alarm (after a follow-up).
      if (alarm.state === 'open' || !(mine || operator)) return refuse(alarm, 'TRYGG_ERR_ALARM_NOT_CLAIMED_BY_YOU');
      const d = new Draft(alarm, now);
      close(d, 'resolved');
      const resolution = { note: command.note, cause: command.cause ?? null, action: command.action ?? null };
      d.alarm.resolution = resolution;
      d.entry('resolved', resolution, actor);
      d.feedback({ type: 'resolved', alarmId: alarm.id });
      return d.result();
    }
  }
}

/** First claim or accept wins: the others alerted are told who has it; pending alerts withdrawn. */
function take(d: Draft, actor: Actor, recipient: Recipient, alert: Alert | undefined, via: 'claim' | 'accept'): void {
  d.alarm.state = 'claimed';
  d.alarm.claimedBy = actor;
  d.clearTimers();
  if (alert) {
    alert.state = 'accepted';
    alert.changedAt = d.at;
  }
  d.entry('claimed', { via, recipient: recipient.name }, actor);
  const withdrawn: string[] = [];
  for (const a of d.esc.alerts) {
    if (a === alert) continue;
    if (a.state === 'pending') {
      a.state = 'withdrawn';
      a.changedAt = d.at;
      withdrawn.push(a.recipient.name);
    }
    // Expired alerts too: their person may still have it on the phone with "I'm going". Not
    // the unreachable: nothing reached them to take back.
    if (a.state !== 'unreachable') d.notify(a.recipient, 'taken', a.step);
  }
  if (withdrawn.length > 0) d.entry('withdrawn', { recipients: withdrawn, takenBy: actor.name });
  // A relative or staff member who went must report back, or the response centre checks.
  if (recipient.kind !== 'response-centre' && d.esc.chain.followUpS) d.schedule('follow-up', d.esc.chain.followUpS);
  d.feedback({ type: 'accepted', alarmId: d.alarm.id, by: actor.name });
}
