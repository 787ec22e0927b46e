/**
 * One plain sentence per timeline entry ("Ingen svarte innen fristen – går videre til
 * Responssenteret"), so an operator can read an alarm's history at 3 am without knowing the
 * engine's vocabulary. Entry data is read defensively: it is loosely typed on the wire.
 */
import { msg, str } from '@lit/localize';
import type { Alarm, TimelineEntry } from '@trygg/alarm-core';
import { audienceLabel, audienceList, personName, unreachableReasonLabel } from './escalation-text.js';
import { formatClock, typeLabel } from './labels.js';
import { actionLabel, causeLabel } from './resolution-codes.js';

type Data = TimelineEntry['data'];

function text(data: Data, key: string): string | null {
  const v = data[key];
  return typeof v === 'string' ? v : null;
}

function num(data: Data, key: string): number | null {
  const v = data[key];
  return typeof v === 'number' ? v : null;
}

function texts(data: Data, key: string): string[] {
  const v = data[key];
  return Array.isArray(v) ? v.filter((x: unknown): x is string => typeof x === 'string') : [];
}

/** What an escalation moved on to: the next step's audiences, the next person, or a step number. */
function target(alarm: Alarm | null, from: number | null, to: number): string {
  if (from === to) return msg('the next person on the list', { id: 'timeline.next-person' });
  const step = alarm?.escalation.chain.steps[to];
  if (step?.type === 'notify') return audienceList(step.to);
  const n = to + 1;
  return msg(str`step ${n}`, { id: 'timeline.step' });
}

function escalated(entry: TimelineEntry, alarm: Alarm | null): string {
  const from = num(entry.data, 'from');
  const to = num(entry.data, 'to');
  const steps = alarm?.escalation.chain.steps.length ?? Number.POSITIVE_INFINITY;
  const end = to === null || to >= steps;
  if (text(entry.data, 'reason') === 'all-declined') {
    if (end) return msg('Everyone declined', { id: 'timeline.escalated.declined-end' });
    const next = target(alarm, from, to);
    return msg(str`Everyone declined – moving on to ${next}`, { id: 'timeline.escalated.declined' });
  }
  if (end) return msg('No one answered in time', { id: 'timeline.escalated.timeout-end' });
  const next = target(alarm, from, to);
  return msg(str`No one answered in time – moving on to ${next}`, { id: 'timeline.escalated.timeout' });
}

function notified(entry: TimelineEntry, alarm: Alarm | null, now: number): string {
  const names = texts(entry.data, 'to').map((n) => personName(n, alarm));
  const who = names.length > 0 ? names.join(', ') : audienceList(texts(entry.data, 'audiences'));
  const until = text(entry.data, 'until');
  const parts: string[] = [];
  if (until) {
    const time = formatClock(until, now);
    parts.push(msg(str`Alerted ${who} – answer by ${time}`, { id: 'timeline.notified-until' }));
  } else {
    parts.push(msg(str`Alerted ${who}`, { id: 'timeline.notified' }));
  }
  const informed = texts(entry.data, 'informed');
  if (informed.length > 0) {
    const list = informed.join(', ');
    parts.push(msg(str`Informed (no answer needed): ${list}`, { id: 'timeline.informed' }));
  }
  return parts.join(' · ');
}

function resolved(entry: TimelineEntry): string {
  const name = entry.actor?.name ?? '?';
  const parts = [msg(str`Resolved by ${name}`, { id: 'timeline.resolved-by' })];
  const cause = text(entry.data, 'cause');
  const action = text(entry.data, 'action');
  if (cause) {
    const label = causeLabel(cause);
    parts.push(msg(str`Cause: ${label}`, { id: 'resolution.cause' }));
  }
  if (action) {
    const label = actionLabel(action);
    parts.push(msg(str`Action: ${label}`, { id: 'resolution.action' }));
  }
  return parts.join(' · ');
}

/** The sentence for one entry of `alarm`'s timeline (the alarm gives names and steps context). */
export function timelineSentence(entry: TimelineEntry, alarm: Alarm | null, now = Date.now()): string {
  const d = entry.data;
  const actor = entry.actor?.name ?? null;
  const shown: string = entry.kind;
  switch (entry.kind) {
    case 'opened': {
      const opened = msg('Alarm raised', { id: 'timeline.opened' });
      const lastSeen = text(d, 'lastSeenAt');
      if (!lastSeen) return opened;
      const time = formatClock(lastSeen, now);
      return `${opened} · ${msg(str`Device silent since ${time}`, { id: 'timeline.silent-since' })}`;
    }
    case 'event-joined': {
      const again = msg('Device signalled again', { id: 'timeline.event-joined' });
      const type = text(d, 'type');
      return type && type !== alarm?.type ? `${again}: ${typeLabel(type)}` : again;
    }
    case 'notified':
      return notified(entry, alarm, now);
    case 'skipped': {
      const list = audienceList(texts(d, 'audiences'));
      return msg(str`Nobody registered for ${list} – step skipped`, { id: 'timeline.skipped' });
    }
    case 'unreachable': {
      const name = personName(text(d, 'recipient') ?? '?', alarm);
      const why = unreachableReasonLabel(text(d, 'reason') ?? 'no-channel');
      return `${msg(str`${name} cannot be reached – skipped`, { id: 'timeline.unreachable' })} (${why})`;
    }
    case 'waiting': {
      const until = text(d, 'until');
      const time = until ? formatClock(until, now) : '?';
      return msg(str`Waiting until ${time}`, { id: 'timeline.waiting' });
    }
    case 'escalated':
      return escalated(entry, alarm);
    case 'exhausted':
      return msg('Nobody else to alert', { id: 'esc.exhausted' });
    case 'declined': {
      const name = personName(text(d, 'recipient') ?? actor ?? '?', alarm);
      return msg(str`${name} declined`, { id: 'timeline.declined' });
    }
    case 'claimed': {
      const name = actor ?? text(d, 'recipient') ?? '?';
      return text(d, 'via') === 'accept'
        ? msg(str`${name} accepted and is on the way`, { id: 'timeline.claimed.accept' })
        : msg(str`${name} took the alarm`, { id: 'timeline.claimed.claim' });
    }
    case 'withdrawn': {
      const names = texts(d, 'recipients')
        .map((n) => personName(n, alarm))
        .join(', ');
      const takenBy = text(d, 'takenBy') ?? '?';
      return msg(str`Alert withdrawn for ${names} – ${takenBy} has the alarm`, { id: 'timeline.withdrawn' });
    }
    case 'realerted': {
      const rc = audienceLabel('response-centre');
      const count = num(d, 'count') ?? 1;
      return msg(str`${rc} alerted again (reminder ${count})`, { id: 'timeline.realerted' });
    }
    case 'follow-up-due': {
      const name = text(d, 'claimedBy') ?? alarm?.claimedBy?.name ?? '?';
      return msg(str`${name} has not reported on site – check that all is well`, { id: 'timeline.follow-up-due' });
    }
    case 'arrived': {
      const name = actor ?? alarm?.claimedBy?.name ?? '?';
      return msg(str`${name} is on site`, { id: 'timeline.arrived' });
    }
    case 'dispatched': {
      const name = actor ?? '?';
      const to = text(d, 'to') ?? '?';
      return msg(str`${name} dispatched ${to}`, { id: 'timeline.dispatched' });
    }
    case 'resolved':
      return resolved(entry);
    case 'cancelled':
      return msg('Cancelled from the device before anyone took the alarm', { id: 'timeline.cancelled' });
    case 'cancel-ignored':
      return msg('Cancel from the device ignored – someone has already taken the alarm', { id: 'timeline.cancel-ignored' });
    case 'cleared':
      return msg('The device is back online – the alarm was closed automatically', { id: 'timeline.cleared' });
    default:
      return shown; // a kind newer than this app still shows something
  }
}
