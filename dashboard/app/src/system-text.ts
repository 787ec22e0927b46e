/**
 * Words for the service's own state, as a response centre reads it: an integration that does
 * not work ("Journal: not reachable since 02:14; 37 records waiting") and responders on duty
 * ("Response centre: only 1 signed in (at least 2) since 22:10"). Pure functions over what the
 * live channel sent, so the banner and its tests agree.
 */
import { msg, str } from '@lit/localize';
import type { DutyGap, IntegrationHealth, IntegrationName } from '@trygg/alarm-core';
import { formatClock } from './labels.js';

const NAMES: Readonly<Record<IntegrationName, () => string>> = {
  database: () => msg('Database', { id: 'sys.database' }),
  'event-store': () => msg('Storing alarms', { id: 'sys.event-store' }),
  mqtt: () => msg('Alarm reception (MQTT)', { id: 'sys.mqtt' }),
  sip: () => msg('Alarm reception (SIP)', { id: 'sys.sip' }),
  journal: () => msg('Journal', { id: 'sys.journal' }),
  push: () => msg('Alerts to phones', { id: 'sys.push' }),
  sms: () => msg('SMS', { id: 'sys.sms' }),
  redis: () => msg('Live updates between servers', { id: 'sys.redis' }),
  'identity-provider': () => msg('Municipal sign-in', { id: 'sys.identity-provider' }),
  'synthetic-chain': () => msg('Alarm chain self-test', { id: 'sys.synthetic-chain' }),
};

/** Services Trygg reaches out to are "not reachable"; its own listeners and stores "not working". */
const REACHED: ReadonlySet<IntegrationName> = new Set(['journal', 'push', 'sms', 'redis', 'identity-provider', 'database']);

export function integrationName(name: IntegrationName): string {
  const n = NAMES[name];
  return n ? n() : name;
}

/** The integrations a centre must hear about: down or degraded, the ones that stop alarms first. */
export function troubled(list: readonly IntegrationHealth[]): IntegrationHealth[] {
  return list
    .filter((i) => i.state === 'down' || i.state === 'degraded')
    .sort((a, b) => Number(b.fatal) - Number(a.fatal) || Number(b.state === 'down') - Number(a.state === 'down'));
}

/** "Journal: not reachable since 02:14; 37 records waiting". */
export function integrationText(i: IntegrationHealth, now = Date.now()): string {
  const name = integrationName(i.name);
  const time = i.since ? formatClock(i.since, now) : null;
  let head: string;
  if (i.state === 'down') {
    if (REACHED.has(i.name)) {
      head = time
        ? msg(str`${name}: not reachable since ${time}`, { id: 'sys.unreachable-since' })
        : msg(str`${name}: not reachable`, { id: 'sys.unreachable' });
    } else {
      head = time
        ? msg(str`${name}: not working since ${time}`, { id: 'sys.down-since' })
        : msg(str`${name}: not working`, { id: 'sys.down' });
    }
  } else {
    head = time
      ? msg(str`${name}: problems since ${time}`, { id: 'sys.degraded-since' })
      : msg(str`${name}: problems`, { id: 'sys.degraded' });
  }
  const parts = [head];
  const waiting = i.waiting ?? 0;
  if (waiting > 0) parts.push(msg(str`${waiting} records waiting`, { id: 'sys.waiting' }));
  const failures = i.recentFailures ?? 0;
  if (failures > 0) parts.push(msg(str`${failures} failed in the last 15 minutes`, { id: 'sys.failures' }));
  if (i.fatal && i.state === 'down') parts.push(msg('alarms may not arrive', { id: 'sys.fatal' }));
  return parts.join('; ');
}

/** "Response centre: nobody signed in since 22:10", "Solbakken, 1. etasje: nobody on shift since 22:10". */
export function dutyText(g: DutyGap, now = Date.now()): string {
  const time = formatClock(g.since, now);
  if (g.kind === 'floor') {
    const place = g.siteName ?? g.siteId ?? '';
    return msg(str`${place}: nobody on shift since ${time}`, { id: 'sys.floor-nobody' });
  }
  if (g.onDuty === 0) return msg(str`Response centre: nobody signed in since ${time}`, { id: 'sys.rc-nobody' });
  const n = g.onDuty;
  const min = g.minimum;
  return msg(str`Response centre: only ${n} signed in (at least ${min}) since ${time}`, { id: 'sys.rc-few' });
}
