/**
 * Running an alarm's chain: entering a step, alerting its people, moving on when the step times
 * out or everyone at it declines, and re-alerting the response centre while nobody claims.
 */
import type { Alarm } from '../contracts/alarm.js';
import type { Recipient } from '../contracts/escalation.js';
import { OPEN_STATES, members } from '../contracts/rules.js';
import { raisedPriority } from '../contracts/vocabulary.js';
import { journalsOnClose } from '../journal/policy.js';
import type { Draft } from './draft.js';
import { expireStep } from './expire.js';

/** Alerts one person at a step (again, if they were alerted before: a repeat). */
function alert(d: Draft, r: Recipient, step: number): void {
  const existing = d.esc.alerts.find((a) => a.recipient.id === r.id);
  if (existing) Object.assign(existing, { state: 'pending', step, at: d.at, changedAt: d.at });
  else d.esc.alerts.push({ recipient: r, step, at: d.at, state: 'pending', changedAt: d.at });
  d.notify(r, 'alert', step);
}

/** Tells people without asking them (relatives at a fire); once per alarm. */
function inform(d: Draft, people: Recipient[], step: number): Recipient[] {
  const told: Recipient[] = [];
  for (const r of people) {
    if (d.esc.alerts.some((a) => a.recipient.id === r.id)) continue;
    d.esc.alerts.push({ recipient: r, step, at: d.at, state: 'informed', changedAt: d.at });
    d.notify(r, 'inform', step);
    told.push(r);
  }
  return told;
}

/** Enters the current step; repeat steps are followed, steps with nobody to alert skipped. */
export function enterStep(d: Draft): void {
  const { steps } = d.esc.chain;
  // A chain may loop only through repeat steps, each bounded; the guard is belt and braces.
  for (let guard = 0; guard < 200; guard++) {
    const i = d.esc.step;
    const s = steps[i];
    if (!s) {
      d.entry('exhausted', { step: i });
      return;
    }
    switch (s.type) {
      case 'repeat': {
        const done = d.esc.repeats[String(i)] ?? 0;
        if (done < s.times) {
          d.esc.repeats[String(i)] = done + 1;
          d.esc.step = s.fromStep;
        } else {
          d.esc.step = i + 1;
        }
        d.esc.cursor = 0;
        continue;
      }
      case 'wait': {
        const t = d.schedule('step', s.timeoutS);
        d.entry('waiting', { step: i, until: t.dueAt });
        return;
      }
      case 'notify': {
        const everyone = members(d.esc.roster, s.to);
        const targets = s.mode === 'one-by-one' ? everyone.slice(d.esc.cursor, d.esc.cursor + 1) : everyone;
        const informed = inform(d, members(d.esc.roster, s.inform ?? []), i);
        if (targets.length === 0) {
          d.entry('skipped', { step: i, audiences: s.to, reason: 'nobody to alert' });
          d.esc.step = i + 1;
          d.esc.cursor = 0;
          continue;
        }
        for (const r of targets) alert(d, r, i);
        const t = d.schedule('step', s.timeoutS);
        d.entry('notified', {
          step: i,
          audiences: s.to,
          mode: s.mode ?? 'all',
          to: targets.map((r) => r.name),
          informed: informed.map((r) => r.name),
          until: t.dueAt,
        });
        const rcAlerted = targets.some((r) => r.kind === 'response-centre');
        if (rcAlerted && d.esc.chain.realertS && !d.esc.timers.some((x) => x.kind === 'realert')) {
          d.schedule('realert', d.esc.chain.realertS);
        }
        return;
      }
    }
  }
  d.entry('exhausted', { reason: 'repeat loop' });
}

/** Leaves the current step (next person of a one-by-one step, or the next step) and enters it. */
export function advance(d: Draft, reason: 'timeout' | 'all-declined'): void {
  d.clearTimers('step');
  const from = d.esc.step;
  const expired = reason === 'timeout' ? expireStep(d, from) : [];
  const s = d.esc.chain.steps[from];
  if (s?.type === 'notify' && s.mode === 'one-by-one' && d.esc.cursor + 1 < members(d.esc.roster, s.to).length) {
    d.esc.cursor += 1;
  } else {
    d.esc.step = from + 1;
    d.esc.cursor = 0;
  }
  d.entry('escalated', { from, to: d.esc.step, reason, ...(expired.length > 0 ? { expired } : {}) });
  enterStep(d);
}

/** Re-alerts the response centre (still unclaimed) and raises the priority one notch. */
export function realert(d: Draft): void {
  const rc = d.esc.alerts.filter((a) => a.recipient.kind === 'response-centre' && a.state === 'pending');
  if (rc.length === 0) return;
  d.esc.realerts += 1;
  d.alarm.priority = raisedPriority(d.alarm.priority);
  for (const a of rc) {
    a.changedAt = d.at;
    d.notify(a.recipient, 'alert', a.step);
  }
  d.entry('realerted', { count: d.esc.realerts, priority: d.alarm.priority });
  if (d.esc.chain.realertS) d.schedule('realert', d.esc.chain.realertS);
}

export const isOpen = (a: Alarm | null): a is Alarm => a !== null && OPEN_STATES.includes(a.state);

/** Closes the alarm: pending alerts are withdrawn (and their people told), timers dropped. */
export function close(d: Draft, state: 'resolved' | 'cancelled'): void {
  d.alarm.state = state;
  d.alarm.closedAt = d.at;
  d.clearTimers();
  if (journalsOnClose(d.alarm)) d.effects.push({ type: 'journal' });
  for (const a of d.esc.alerts) {
    if (a.state === 'pending') {
      a.state = 'withdrawn';
      a.changedAt = d.at;
      d.notify(a.recipient, 'closed', a.step);
    }
  }
}
