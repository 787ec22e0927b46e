/**
 * Words for the wire's codes: event types, alarm states, ages, times. Each is a msg()
 * call with a fixed id so the locale modules can translate it; call these during render so a
 * language switch takes effect at once.
 */
import { msg, str } from '@lit/localize';
import type { Alarm, DeviceEventType } from '@trygg/alarm-core';
import { currentLocale } from './i18n.js';

const TYPE_LABELS: Readonly<Record<DeviceEventType, () => string>> = {
  'alarm.button': () => msg('Alarm button', { id: 'type.alarm.button' }),
  'alarm.pull-cord': () => msg('Pull cord', { id: 'type.alarm.pull-cord' }),
  'alarm.fall': () => msg('Fall', { id: 'type.alarm.fall' }),
  'alarm.smoke': () => msg('Smoke', { id: 'type.alarm.smoke' }),
  'alarm.co': () => msg('Carbon monoxide', { id: 'type.alarm.co' }),
  'alarm.door': () => msg('Door opened', { id: 'type.alarm.door' }),
  'alarm.bed-exit': () => msg('Left bed', { id: 'type.alarm.bed-exit' }),
  'alarm.inactivity': () => msg('Inactivity', { id: 'type.alarm.inactivity' }),
  'alarm.water': () => msg('Water leak', { id: 'type.alarm.water' }),
  cancel: () => msg('Cancelled by device', { id: 'type.cancel' }),
  test: () => msg('Test', { id: 'type.test' }),
  heartbeat: () => msg('Heartbeat', { id: 'type.heartbeat' }),
  'dispenser.dispensed': () => msg('Dose dispensed', { id: 'type.dispenser.dispensed' }),
  'dispenser.missed-dose': () => msg('Missed dose', { id: 'type.dispenser.missed-dose' }),
  'dispenser.fault': () => msg('Dispenser fault', { id: 'type.dispenser.fault' }),
  'dispenser.refill-needed': () => msg('Dispenser needs refill', { id: 'type.dispenser.refill-needed' }),
  'technical.battery-low': () => msg('Low battery', { id: 'type.technical.battery-low' }),
  'technical.mains-failure': () => msg('Power failure', { id: 'type.technical.mains-failure' }),
  'technical.tamper': () => msg('Tampering', { id: 'type.technical.tamper' }),
  'technical.offline': () => msg('Device offline', { id: 'type.technical.offline' }),
};

export function typeLabel(type: string): string {
  const label = TYPE_LABELS[type as DeviceEventType];
  return label ? label() : type; // a type newer than this app still shows something
}

export function stateLabel(alarm: Alarm): string {
  switch (alarm.state) {
    case 'open':
      return msg('New', { id: 'state.open' });
    case 'claimed': {
      const name = alarm.claimedBy?.name ?? '?';
      return msg(str`Claimed by ${name}`, { id: 'state.claimed' });
    }
    case 'arrived': {
      const name = alarm.claimedBy?.name ?? '?';
      return msg(str`On site – ${name}`, { id: 'state.arrived' });
    }
    case 'resolved':
      return msg('Resolved', { id: 'state.resolved' });
    case 'cancelled':
      return msg('Cancelled', { id: 'state.cancelled' });
  }
}

export type PriorityClass = 'fire' | 'fall' | 'call' | 'other';

/** Bands match alarm-core's PRIORITY table: fire 60, fall 50, call 40. */
export function priorityClass(priority: number): PriorityClass {
  if (priority >= 60) return 'fire';
  if (priority >= 50) return 'fall';
  if (priority >= 40) return 'call';
  return 'other';
}

/** "3 min", "1 h 5 min": coarse on purpose, it only has to say how long someone has waited. */
export function formatAge(openedAt: string, now: number): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(openedAt)) / 60_000));
  if (!Number.isFinite(minutes) || minutes < 1) return msg('under 1 min', { id: 'age.now' });
  if (minutes < 60) return msg(str`${minutes} min`, { id: 'age.minutes' });
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return msg(str`${hours} h ${rest} min`, { id: 'age.hours' });
}

/** Full date and time, for tooltips and anything that needs the exact moment. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(currentLocale(), { dateStyle: 'short', timeStyle: 'medium' }).format(date);
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/**
 * "03:02", 24-hour, whatever the language: what a clock on the wall says. A moment on another
 * day gets its weekday in front ("tir. 09:00"), so a deadline tomorrow does not read as today.
 */
export function formatClock(iso: string, now = Date.now()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const options: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  if (!sameDay(date, new Date(now))) options.weekday = 'short';
  return new Intl.DateTimeFormat(currentLocale(), options).format(date);
}

/** "45 s", "2 min", "8 h": how long a step gives people to answer. */
export function formatDuration(seconds: number): string {
  if (seconds < 60 || (seconds < 600 && seconds % 60 !== 0)) return msg(str`${seconds} s`, { id: 'duration.seconds' });
  if (seconds >= 3600 && seconds % 3600 === 0) {
    const hours = seconds / 3600;
    return msg(str`${hours} h`, { id: 'duration.hours' });
  }
  const minutes = Math.round(seconds / 60);
  return msg(str`${minutes} min`, { id: 'duration.minutes' });
}

/** "Ola og Liv", "Ola, Liv och Per": a list the way the language writes one. */
export function formatList(items: readonly string[]): string {
  return new Intl.ListFormat(currentLocale(), { style: 'long', type: 'conjunction' }).format(items);
}

/** Who the alarm is about: the resident, or the device when nobody is registered to it. */
export function subjectName(alarm: Alarm): string {
  // A supervision incident (docs/supervision.md): Trygg itself, the count of silent devices in `location`.
  if (alarm.subject.deviceId === 'trygg-system') {
    return msg(str`${alarm.subject.location ?? '?'} devices silent at once`, { id: 'subject.incident' });
  }
  return alarm.subject.residentName ?? alarm.subject.deviceId;
}

/** Address, floor, room and where in the home on one line, whichever are known. */
export function subjectPlace(alarm: Alarm): string {
  // An incident's place is its sites (`siteName`); its `location` is the count, in its name.
  if (alarm.subject.deviceId === 'trygg-system') return alarm.subject.siteName ?? '';
  const { address, room, floor, location } = alarm.subject;
  // The registry names rooms ("Rom 101"); a bare number gets the word in front.
  const roomText = room ? (/^\d/.test(room) ? msg(str`Room ${room}`, { id: 'subject.room' }) : room) : null;
  return [address, floor, roomText, location].filter((part): part is string => Boolean(part)).join(' · ');
}
