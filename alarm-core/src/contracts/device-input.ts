/**
 * What every ingress does to a device's values before they are stored, MQTT and SCAIP alike, so
 * that no value a device can send makes the database refuse its event. A fall alarm whose text
 * carries a NUL byte or a lone surrogate is still a fall alarm: the text is cleaned, the alarm is
 * stored. PostgreSQL refuses U+0000 in `text` and `jsonb` (22P05) and an unpaired surrogate in
 * `jsonb` (22P02); both used to lose the whole event.
 *
 * Device times are read strictly (RFC 3339, the profile of ISO 8601 the contract promises), and a
 * time that cannot be read is not a reason to refuse an alarm: the caller stores Trygg's receive
 * time and keeps what the device sent beside it.
 */
import type { DeviceEvent } from './device-event.js';

/** C0 controls but TAB, LF and CR; DEL; C1 controls. NUL is dropped, the rest become a space. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0001-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/**
 * The text a person can read, safe for every store: NUL removed, other control characters made
 * spaces, unpaired surrogates replaced by U+FFFD (`String.prototype.toWellFormed`).
 */
export function cleanText(s: string): string {
  // eslint-disable-next-line no-control-regex -- NUL is what PostgreSQL refuses
  const noNul = s.includes('\u0000') ? s.replace(/\u0000/g, '') : s;
  return noNul.replace(CONTROLS, ' ').toWellFormed();
}

/** True when `cleanText` would change `s` (for a log line saying a value was cleaned). */
export function needsCleaning(s: string): boolean {
  // eslint-disable-next-line no-control-regex -- see CONTROLS
  return !s.isWellFormed() || /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/.test(s);
}

/**
 * RFC 3339 `date-time`: date, `T` (or `t` / space), time with optional fraction, `Z` or an
 * offset. An RFC 9557 suffix (`[Europe/Oslo]`) names a zone the offset already fixed; it is
 * accepted and ignored. A leap second (`:60`) is the last instant of its minute.
 */
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})(?:\[[!A-Za-z0-9/_+:.-]{1,64}\])*$/;

/** The instant a device's `ts` names, or null when it names none (wrong form, impossible date). */
export function readDeviceTime(ts: string): Date | null {
  const m = RFC3339.exec(ts);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return null;
  const monthDays = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > monthDays || year < 1900) return null;
  let offsetMin = 0;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return null;
    offsetMin = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  const ms = frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
  // A leap second is clamped to the last millisecond of its minute: PostgreSQL has no :60 either.
  const leap = second === 60;
  const t = Date.UTC(year, month - 1, day, hour, minute, leap ? 59 : second, leap ? 999 : ms) - offsetMin * 60_000;
  return Number.isFinite(t) ? new Date(t) : null;
}

/** The form PostgreSQL and every reader take as it is: RFC 3339 with `T`, `Z` or an offset, at most microseconds. */
const PLAIN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:[0-5]\d(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A device's `ts` as Trygg stores it: the same text when it is plain RFC 3339; the instant it
 * names in UTC when it is readable but unusual (a zone suffix, a leap second, nanoseconds), with
 * the device's text kept as `deviceTs`; null when it names no instant at all.
 */
export function normaliseDeviceTime(ts: string): { ts: string; deviceTs?: string } | null {
  const at = readDeviceTime(ts);
  if (!at) return null;
  return PLAIN.test(ts) ? { ts } : { ts: at.toISOString(), deviceTs: ts };
}

/** Every string of a device event, cleaned (see `cleanText`); the same object when nothing needed it. */
export function cleanDeviceEvent(event: DeviceEvent): { event: DeviceEvent; cleaned: string[] } {
  const cleaned: string[] = [];
  const fix = (field: string, v: string): string => {
    if (!needsCleaning(v)) return v;
    cleaned.push(field);
    return cleanText(v);
  };
  const out: DeviceEvent = { ...event };
  for (const k of ['location', 'text', 'subDevice', 'component', 'deviceTs'] as const) {
    const v = out[k];
    if (v !== undefined) out[k] = fix(k, v);
  }
  if (out.callbacks) out.callbacks = out.callbacks.map((c, i) => fix(`callbacks/${i}`, c));
  if (out.extensions) {
    out.extensions = Object.fromEntries(
      Object.entries(out.extensions).map(([k, v]) => [cleanText(k), fix(`extensions/${k}`, v)]),
    );
  }
  return cleaned.length === 0 ? { event, cleaned } : { event: out, cleaned };
}
