/**
 * Running an alarm's chain: entering a step, alerting its people, moving on when the step times
 * out or everyone at it declines, and re-alerting the response centre while nobody claims.
 */
import type { Alarm } from '../contracts/alarm.js';
import { reachOf, type Recipient } from '../contracts/escalation.js';
import type { UnreachableReason } from '../contracts/reach.js';
import { OPEN_STATES, members } from '../contracts/rules.js';
import { raisedPriority } from '../contracts/vocabulary.js';
import { journalsOnClose } from '../journal/policy.js';
import type { Draft } from './draft.js';
import { expireStep } from './expire.js';

/** Whether any channel could reach this person when the alarm opened. */
export const reachable = (r: Recipient): boolean => reachOf(r).length > 0;

/**
 * Records a person as unreachable at a step: never "alerted", no notification; the timeline says
 * who and why, so the operator sees it.
 */
function unreachable(d: Draft, r: Recipient, step: number, reason: UnreachableReason): void {
  const existing = d.esc.alerts.find((a) => a.recipient.id === r.id);
  if (existing) Object.assign(existing, { state: 'unreachable', step, at: d.at, changedAt: d.at, reason });
  else d.esc.alerts.push({ recipient: r, step, at: d.at, state: 'unreachable', changedAt: d.at, reason });
  d.entry('unreachable', { step, recipient: r.name, recipientId: r.id, reason });
}

/**
 * Alerts one person at a step (again, if they were alerted before: a repeat); a person with no
 * channel is recorded as unreachable instead. Whether they were alerted.
 */
function alert(d: Draft, r: Recipient, step: number): boolean {
  if (!reachable(r)) {
    unreachable(d, r, step, r.unreachable ?? 'no-channel');
    return false;
  }
  const existing = d.esc.alerts.find((a) => a.recipient.id === r.id);
  if (existing) {
    Object.assign(existing, { state: 'pending', step, at: d.at, changedAt: d.at });
    delete existing.reason;
  } else d.esc.alerts.push({ recipient: r, step, at: d.at, state: 'pending', changedAt: d.at });
  d.notify(r, 'alert', step);
  return true;
}

/** Tells people without asking them (relatives at a fire); once per alarm. */
function inform(d: Draft, people: Recipient[], step: number): Recipient[] {
  const told: Recipient[] = [];
  for (const r of people) {
    if (d.esc.alerts.some((a) => a.recipient.id === r.id)) continue;
    if (!reachable(r)) {
      unreachable(d, r, step, r.unreachable ?? 'no-channel');
      continue;
    }
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
        const informed = inform(d, members(d.esc.roster, s.inform ?? []), i);
        if (everyone.length === 0) {
          d.entry('skipped', { step: i, audiences: s.to, reason: 'nobody to alert' });
          d.esc.step = i + 1;
          d.esc.cursor = 0;
          continue;
        }
        let alerted: Recipient[];
        if (s.mode === 'one-by-one') {
          // The next person who can be reached; those who cannot are recorded and passed at once.
          alerted = [];
          while (d.esc.cursor < everyone.length && alerted.length === 0) {
            const r = everyone[d.esc.cursor];
            if (r && alert(d, r, i)) alerted.push(r);
            else d.esc.cursor += 1;
          }
        } else {
          alerted = everyone.filter((r) => alert(d, r, i));
        }
        if (alerted.length === 0) {
          // Nobody at this step can be reached: on to the next step now, not at the timeout.
          d.entry('skipped', { step: i, audiences: s.to, reason: 'nobody reachable' });
          d.esc.step = i + 1;
          d.esc.cursor = 0;
          continue;
        }
        const targets = alerted;
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
export function advance(d: Draft, reason: 'timeout' | 'all-declined' | 'unreachable'): void {
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

/**
 * Every channel of a notification failed (the deliverer said so): the person's alert becomes
 * unreachable (also after its step timed out and it expired), and if nobody at the running step is
 * still waiting to answer, the chain moves on.
 */
export function undeliverable(d: Draft, recipientId: string, step: number): void {
  // An alert that expired (its step timed out) still becomes unreachable: the operator should see
  // that nothing reached the person, not only that they did not answer.
  const a = d.esc.alerts.find(
    (x) => x.recipient.id === recipientId && x.step === step && (x.state === 'pending' || x.state === 'expired'),
  );
  if (!a) return; // answered, declined or withdrawn meanwhile
  unreachable(d, a.recipient, step, 'all-channels-failed');
  const waiting = d.esc.alerts.some((x) => x.step === d.esc.step && x.state === 'pending');
  if (!waiting && step === d.esc.step && d.alarm.state === 'open') advance(d, 'unreachable');
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
