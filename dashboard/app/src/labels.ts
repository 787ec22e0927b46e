/**
 * Words for the wire's codes: event types, alarm states, timeline kinds, ages. Each is a msg()
 * call with a fixed id so the locale modules can translate it; call these during render so a
 * language switch takes effect at once.
 */
import { msg, str } from '@lit/localize';
import type { Alarm, DeviceEventType, TimelineKind } from '@trygg/alarm-core';
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
  'technical.battery-low': () => msg('Low battery', { id: 'type.technical.battery-low' }),
  'technical.mains-failure': () => msg('Power failure', { id: 'type.technical.mains-failure' }),
  'technical.tamper': () => msg('Tampering', { id: 'type.technical.tamper' }),
};

export function typeLabel(type: string): string {
  const label = TYPE_LABELS[type as DeviceEventType];
  return label ? label() : type; // a type newer than this app still shows something
}

const KIND_LABELS: Readonly<Record<TimelineKind, () => string>> = {
  opened: () => msg('Alarm raised', { id: 'timeline.opened' }),
  'event-joined': () => msg('Device signalled again', { id: 'timeline.event-joined' }),
  notified: () => msg('Staff notified', { id: 'timeline.notified' }),
  claimed: () => msg('Claimed', { id: 'timeline.claimed' }),
  resolved: () => msg('Resolved', { id: 'timeline.resolved' }),
  cancelled: () => msg('Cancelled', { id: 'timeline.cancelled' }),
  'cancel-ignored': () => msg('Cancel from device ignored', { id: 'timeline.cancel-ignored' }),
};

export function timelineKindLabel(kind: string): string {
  const label = KIND_LABELS[kind as TimelineKind];
  return label ? label() : kind;
}

export function stateLabel(alarm: Alarm): string {
  switch (alarm.state) {
    case 'open':
      return msg('New', { id: 'state.open' });
    case 'claimed': {
      const name = alarm.claimedBy?.name ?? '?';
      return msg(str`Claimed by ${name}`, { id: 'state.claimed' });
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

export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(currentLocale(), { dateStyle: 'short', timeStyle: 'medium' }).format(date);
}

/** Who the alarm is about: the resident, or the device when nobody is registered to it. */
export function subjectName(alarm: Alarm): string {
  return alarm.subject.residentName ?? alarm.subject.deviceId;
}

/** Address and room on one line, whichever are known. */
export function subjectPlace(alarm: Alarm): string {
  const { address, room } = alarm.subject;
  const roomText = room ? msg(str`Room ${room}`, { id: 'subject.room' }) : null;
  return [address, roomText].filter((part): part is string => Boolean(part)).join(' · ');
}
