/** Words for device statuses, attention reasons and kinds, in the current language. */
import { msg, str } from '@lit/localize';
import type { Device, DeviceStatus } from '@trygg/alarm-core';

export function statusLabel(s: DeviceStatus): string {
  switch (s) {
    case 'in_stock':
      return msg('In stock', { id: 'device.status.in_stock' });
    case 'installed':
      return msg('Installed, not tested', { id: 'device.status.installed' });
    case 'active':
      return msg('Active', { id: 'device.status.active' });
    case 'faulty':
      return msg('Faulty', { id: 'device.status.faulty' });
    case 'returned':
      return msg('Returned', { id: 'device.status.returned' });
  }
}

export function attentionLabel(a: NonNullable<Device['attention']>): string {
  switch (a) {
    case 'faulty':
      return msg('Faulty: swap it', { id: 'device.attention.faulty' });
    case 'silent':
      return msg('Silent: no heartbeat', { id: 'device.attention.silent' });
    case 'never-heard':
      return msg('Never heard from', { id: 'device.attention.never-heard' });
    case 'battery-low':
      return msg('Battery low', { id: 'device.attention.battery-low' });
    case 'weak-signal':
      return msg('Weak signal', { id: 'device.attention.weak-signal' });
    case 'untested':
      return msg('Not tested yet', { id: 'device.attention.untested' });
  }
}

/** Device kinds a technician picks from when registering. */
export const DEVICE_KINDS = [
  'alarm-button',
  'pull-cord',
  'fall-sensor',
  'smoke-detector',
  'bed-sensor',
  'door-sensor',
  'medication-dispenser',
] as const;

export function kindLabel(kind: string): string {
  switch (kind) {
    case 'alarm-button':
      return msg('Alarm button', { id: 'device.kind.alarm-button' });
    case 'pull-cord':
      return msg('Pull cord', { id: 'device.kind.pull-cord' });
    case 'fall-sensor':
      return msg('Fall sensor', { id: 'device.kind.fall-sensor' });
    case 'smoke-detector':
      return msg('Smoke detector', { id: 'device.kind.smoke-detector' });
    case 'bed-sensor':
      return msg('Bed sensor', { id: 'device.kind.bed-sensor' });
    case 'door-sensor':
      return msg('Door sensor', { id: 'device.kind.door-sensor' });
    case 'medication-dispenser':
      return msg('Medication dispenser', { id: 'device.kind.medication-dispenser' });
    default:
      return kind;
  }
}

/** "3 min ago" style, in the current language. */
export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return msg('never', { id: 'device.never' });
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 90) return msg(str`${s} s ago`, { id: 'device.ago-s' });
  const m = Math.round(s / 60);
  if (m < 90) return msg(str`${m} min ago`, { id: 'device.ago-min' });
  return msg(str`${Math.round(m / 60)} h ago`, { id: 'device.ago-h' });
}
