/**
 * Words for an alarm's escalation — audiences, people, alert answers, chain steps — and the
 * one-line summary a queue row shows: who is alerted, who said no, who comes next and when.
 * Pure functions over the alarm the server sent, so the queue and the details panel agree.
 */
import { msg, str } from '@lit/localize';
import type { Alarm, Alert, Audience, ChainStep, Escalation, Recipient } from '@trygg/alarm-core';
import { members } from '@trygg/alarm-core/rules';
import { formatClock, formatDuration, formatList } from './labels.js';

const AUDIENCE_LABELS: Readonly<Record<Audience, () => string>> = {
  relatives: () => msg('Relatives', { id: 'audience.relatives' }),
  'floor-staff': () => msg('Floor staff', { id: 'audience.floor-staff' }),
  'site-staff': () => msg('All staff on site', { id: 'audience.site-staff' }),
  'response-centre': () => msg('Response centre', { id: 'audience.response-centre' }),
  technicians: () => msg('Technicians', { id: 'audience.technicians' }),
};

export function audienceLabel(audience: string): string {
  const label = AUDIENCE_LABELS[audience as Audience];
  return label ? label() : audience;
}

/** "Pårørende og Responssenteret". */
export function audienceList(audiences: readonly string[]): string {
  return formatList(audiences.map(audienceLabel));
}

type RecipientKind = Recipient['kind'];

const KIND_LABELS: Readonly<Record<RecipientKind, () => string>> = {
  relative: () => msg('Relative', { id: 'recipient.relative' }),
  staff: () => msg('Staff', { id: 'recipient.staff' }),
  technician: () => msg('Technician', { id: 'recipient.technician' }),
  'response-centre': () => msg('Response centre', { id: 'audience.response-centre' }),
};

export function recipientKindLabel(kind: string): string {
  const label = KIND_LABELS[kind as RecipientKind];
  return label ? label() : kind;
}

type AlertState = Alert['state'];

const ALERT_STATE_LABELS: Readonly<Record<AlertState, () => string>> = {
  pending: () => msg('Waiting', { id: 'alert.pending' }),
  accepted: () => msg('Accepted', { id: 'alert.accepted' }),
  declined: () => msg('Declined', { id: 'alert.declined' }),
  withdrawn: () => msg('Withdrawn', { id: 'alert.withdrawn' }),
  informed: () => msg('Informed', { id: 'alert.informed' }),
  expired: () => msg('Expired', { id: 'alert.expired' }),
  unreachable: () => msg('Unreachable', { id: 'alert.unreachable' }),
};

export function alertStateLabel(state: string): string {
  const label = ALERT_STATE_LABELS[state as AlertState];
  return label ? label() : state;
}

/**
 * The response centre is one recipient whose name the server writes in bokmål; it is shown in
 * the operator's language instead. People keep their own names.
 */
export function recipientName(r: Pick<Recipient, 'kind' | 'name'>): string {
  return r.kind === 'response-centre' ? audienceLabel('response-centre') : r.name;
}

/** A name from a timeline entry (entries carry names only), in the operator's language. */
export function personName(name: string, alarm: Alarm | null): string {
  const rc = alarm?.escalation.roster['response-centre'] ?? [];
  return rc.some((r) => r.name === name) ? audienceLabel('response-centre') : name;
}

/** One step of the chain in plain words: "Pårørende (Ola, Liv) – 2 min til å svare". */
export function stepText(esc: Escalation, step: ChainStep): string {
  switch (step.type) {
    case 'notify': {
      const everyone = members(esc.roster, step.to);
      // The response centre is already named by its audience; people are listed by name.
      const people = everyone.filter((r) => r.kind !== 'response-centre').map((r) => r.name);
      const who =
        everyone.length === 0
          ? ` (${msg('nobody registered', { id: 'esc.nobody-registered' })})`
          : people.length > 0
            ? ` (${people.join(', ')})`
            : '';
      const time = formatDuration(step.timeoutS);
      const answer =
        step.mode === 'one-by-one'
          ? msg(str`one at a time, ${time} each`, { id: 'esc.one-by-one' })
          : msg(str`${time} to answer`, { id: 'esc.answer-within' });
      const parts = [`${audienceList(step.to)}${who}`, answer];
      const informed = step.inform ?? [];
      if (informed.length > 0) {
        const list = audienceList(informed);
        parts.push(msg(str`informed: ${list}`, { id: 'esc.inform' }));
      }
      return parts.join(' – ');
    }
    case 'wait': {
      const time = formatDuration(step.timeoutS);
      return msg(str`Wait ${time}`, { id: 'esc.wait' });
    }
    case 'repeat': {
      const from = step.fromStep + 1;
      const times = step.times;
      return msg(str`Start again from step ${from} (up to ${times} times)`, { id: 'esc.repeat' });
    }
  }
}

export interface NextUp {
  /** Audiences of the next step, or the next person of a one-by-one step. */
  who: string;
  /** When they will be alerted, if nobody accepts first; null when no timer says. */
  at: string | null;
}

/**
 * Who the chain alerts next if nobody accepts, and when: walks on from the running step the
 * way the engine will (repeats followed while they have rounds left, waits added to the time,
 * steps with nobody to alert skipped). Null when the chain has nothing more.
 */
export function nextUp(esc: Escalation): NextUp | null {
  const { steps } = esc.chain;
  const timer = esc.timers.find((t) => t.kind === 'step');
  let at = timer ? Date.parse(timer.dueAt) : Number.NaN;
  const when = (): string | null => (Number.isFinite(at) ? new Date(at).toISOString() : null);

  const running = steps[esc.step];
  if (running?.type === 'notify' && running.mode === 'one-by-one') {
    const person = members(esc.roster, running.to)[esc.cursor + 1];
    if (person) return { who: recipientName(person), at: when() };
  }

  const repeats: Record<string, number> = { ...esc.repeats };
  let i = esc.step + 1;
  for (let guard = 0; guard < 200; guard++) {
    const s = steps[i];
    if (!s) return null;
    switch (s.type) {
      case 'repeat': {
        const done = repeats[String(i)] ?? 0;
        if (done < s.times) {
          repeats[String(i)] = done + 1;
          i = s.fromStep;
        } else {
          i += 1;
        }
        break;
      }
      case 'wait':
        at += s.timeoutS * 1000;
        i += 1;
        break;
      case 'notify': {
        const people = members(esc.roster, s.to);
        if (people.length === 0) {
          i += 1;
          break;
        }
        const first = people[0];
        const who = s.mode === 'one-by-one' && first ? recipientName(first) : audienceList(s.to);
        return { who, at: when() };
      }
    }
  }
  return null;
}

export interface SummaryPart {
  text: string;
  /** Needs the operator now (a follow-up is overdue): shown with a warning sign, not colour only. */
  urgent: boolean;
}

const MAX_NAMES = 4;

function alertedPart(esc: Escalation): SummaryPart | null {
  const alerts = esc.alerts.filter((a) => a.state === 'pending' || a.state === 'declined');
  if (alerts.length === 0) return null;
  const names = alerts.slice(0, MAX_NAMES).map((a) => {
    const name = recipientName(a.recipient);
    return a.state === 'declined' ? msg(str`${name} (declined)`, { id: 'esc.declined-name' }) : name;
  });
  const rest = alerts.length - MAX_NAMES;
  if (rest > 0) names.push(msg(str`+${rest} more`, { id: 'esc.more' }));
  const list = names.join(', ');
  return { text: msg(str`Alerted: ${list}`, { id: 'esc.alerted' }), urgent: false };
}

/**
 * Steps the alarm has passed that found nobody to alert (the reducer's `skipped … nobody to
 * alert`: a notify step whose audiences had nobody in the roster copied at opening). Urgent: an
 * alarm that went past a floor with nobody on shift needs the operator to know.
 */
export function skippedPart(esc: Escalation): SummaryPart | null {
  const passed = esc.chain.steps.slice(0, Math.min(esc.step, esc.chain.steps.length));
  const audiences = new Set<string>();
  for (const s of passed) {
    if (s.type === 'notify' && members(esc.roster, s.to).length === 0) for (const a of s.to) audiences.add(a);
  }
  if (audiences.size === 0) return null;
  const list = audienceList([...audiences]);
  return { text: msg(str`Nobody to alert: ${list}`, { id: 'esc.skipped' }), urgent: true };
}

function openParts(esc: Escalation, now: number): SummaryPart[] {
  const parts: SummaryPart[] = [];
  const skipped = skippedPart(esc);
  if (skipped) parts.push(skipped);
  const alerted = alertedPart(esc);
  if (alerted) parts.push(alerted);
  const next = nextUp(esc);
  const realert = esc.timers.find((t) => t.kind === 'realert');
  if (next) {
    const { who } = next;
    if (next.at) {
      const time = formatClock(next.at, now);
      parts.push({ text: msg(str`next: ${who} at ${time}`, { id: 'esc.next-at' }), urgent: false });
    } else {
      parts.push({ text: msg(str`next: ${who}`, { id: 'esc.next' }), urgent: false });
    }
  } else if (realert) {
    const rc = audienceLabel('response-centre');
    const time = formatClock(realert.dueAt, now);
    parts.push({ text: msg(str`${rc} alerted again at ${time}`, { id: 'esc.realert-at' }), urgent: false });
  } else if (esc.step >= esc.chain.steps.length) {
    parts.push({ text: msg('Nobody else to alert', { id: 'esc.exhausted' }), urgent: true });
  }
  return parts;
}

function claimedParts(alarm: Alarm, now: number): SummaryPart[] {
  const esc = alarm.escalation;
  const followUp = esc.timers.find((t) => t.kind === 'follow-up');
  if (followUp) {
    const time = formatClock(followUp.dueAt, now);
    return [{ text: msg(str`Must report on site by ${time}`, { id: 'esc.report-by' }), urgent: false }];
  }
  // Taken by a relative or staff member, the follow-up timer has fired and nobody reported in.
  const taker = esc.alerts.find((a) => a.state === 'accepted');
  if (taker && taker.recipient.kind !== 'response-centre' && esc.chain.followUpS) {
    return [{ text: msg('Has not reported on site – check that all is well', { id: 'esc.follow-up-overdue' }), urgent: true }];
  }
  return [];
}

function capitalise(text: string): string {
  return text.charAt(0).toLocaleUpperCase() + text.slice(1);
}

/**
 * The queue row's line, in parts to be joined with " · ": "Varslet: Ola Nordmann, Liv Hansen
 * (avslo) · neste: Responssenteret kl. 03:02". Empty when there is nothing to add.
 */
export function escalationSummary(alarm: Alarm, now = Date.now()): SummaryPart[] {
  let parts: SummaryPart[];
  switch (alarm.state) {
    case 'open':
      parts = openParts(alarm.escalation, now);
      break;
    case 'claimed':
      parts = claimedParts(alarm, now);
      break;
    case 'arrived': {
      const time = alarm.arrivedAt ? formatClock(alarm.arrivedAt, now) : null;
      parts = time ? [{ text: msg(str`On site since ${time}`, { id: 'esc.arrived-at' }), urgent: false }] : [];
      break;
    }
    case 'resolved':
    case 'cancelled':
      parts = [];
      break;
  }
  const [first, ...rest] = parts;
  return first ? [{ ...first, text: capitalise(first.text) }, ...rest] : [];
}

const CHANNEL_LABELS: Readonly<Record<string, () => string>> = {
  push: () => msg('App', { id: 'channel.push' }),
  sms: () => msg('SMS', { id: 'channel.sms' }),
  call: () => msg('Call', { id: 'channel.call' }),
  console: () => msg('Console', { id: 'channel.console' }),
};

/** "SMS delivered 13:35:02": one channel's latest delivery fact for a person. */
export function deliveryLine(channel: string, state: string, time: string): string {
  const ch = CHANNEL_LABELS[channel]?.() ?? channel;
  switch (state) {
    case 'sent':
      return msg(str`${ch} sent ${time}`, { id: 'delivery.sent' });
    case 'delivered':
      return msg(str`${ch} delivered ${time}`, { id: 'delivery.delivered' });
    case 'seen':
      return msg(str`${ch} seen ${time}`, { id: 'delivery.seen' });
    case 'answered':
      return msg(str`${ch} answered ${time}`, { id: 'delivery.answered' });
    default:
      return msg(str`${ch} failed ${time}`, { id: 'delivery.failed' });
  }
}

/** Why a person could not be reached, for the operator. */
export function unreachableReasonLabel(reason: string): string {
  switch (reason) {
    case 'no-consent':
      return msg('unreachable: no consent on record', { id: 'unreachable.no-consent' });
    case 'all-channels-failed':
      return msg('unreachable: every channel failed', { id: 'unreachable.all-channels-failed' });
    default:
      return msg('unreachable: no app and no phone number', { id: 'unreachable.no-channel' });
  }
}
