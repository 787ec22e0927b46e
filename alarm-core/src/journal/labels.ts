/**
 * Norwegian wording for the journal: the note is read by nurses in the patient record, so
 * Trygg's English vocabulary (event types, causes, actions, roles) is shown in Norwegian.
 */
import type { ACTIONS, CAUSES } from '../contracts/commands.js';
import type { DeviceEventType } from '../contracts/vocabulary.js';

/** What happened, more specific than the national alert code (which is "Trygghetsalarm" for every technical alarm). */
export const TYPE_LABEL: Readonly<Record<DeviceEventType, string>> = {
  'alarm.button': 'Knappetrykk',
  'alarm.pull-cord': 'Snortrekk',
  'alarm.fall': 'Fall',
  'alarm.smoke': 'Brannalarm',
  'alarm.co': 'CO-alarm',
  'alarm.door': 'Dør åpnet',
  'alarm.bed-exit': 'Forlatt sengen',
  'alarm.inactivity': 'Inaktivitet',
  'alarm.water': 'Vannalarm',
  cancel: 'Avbrutt',
  test: 'Testalarm',
  heartbeat: 'Livstegn',
  'dispenser.dispensed': 'Medisin utlevert',
  'dispenser.missed-dose': 'Medisin ikke tatt ut',
  'dispenser.fault': 'Teknisk feil på medisindispenser',
  'dispenser.refill-needed': 'Snart tomt for medisin i dispenseren',
  'technical.battery-low': 'Lavt batteri',
  'technical.mains-failure': 'Strømbrudd',
  'technical.tamper': 'Sabotasje/manipulering',
  'technical.offline': 'Ingen kontakt med enheten',
};

/** The generic kind of device that sends an event type (VKP encounterDevice `type`: "Trykknapp, Snortrekk, …"). */
export const DEVICE_LABEL: Readonly<Record<DeviceEventType, string>> = {
  'alarm.button': 'Trykknapp',
  'alarm.pull-cord': 'Snortrekk',
  'alarm.fall': 'Fallsensor',
  'alarm.smoke': 'Røykvarsler',
  'alarm.co': 'CO-varsler',
  'alarm.door': 'Dørsensor',
  'alarm.bed-exit': 'Sengesensor',
  'alarm.inactivity': 'Bevegelsessensor',
  'alarm.water': 'Vannsensor',
  cancel: 'Trygghetsalarm',
  test: 'Trygghetsalarm',
  heartbeat: 'Trygghetsalarm',
  'dispenser.dispensed': 'Medisindispenser',
  'dispenser.missed-dose': 'Medisindispenser',
  'dispenser.fault': 'Medisindispenser',
  'dispenser.refill-needed': 'Medisindispenser',
  'technical.battery-low': 'Trygghetsalarm',
  'technical.mains-failure': 'Trygghetsalarm',
  'technical.tamper': 'Trygghetsalarm',
  'technical.offline': 'Trygghetsalarm',
};

export const CAUSE_LABEL: Readonly<Record<(typeof CAUSES)[number], string>> = {
  fall: 'Fall',
  illness: 'Sykdom',
  anxiety: 'Utrygghet/angst',
  assistance: 'Behov for hjelp',
  accidental: 'Utløst ved et uhell',
  technical: 'Teknisk årsak',
  fire: 'Brann',
  other: 'Annet',
};

export const ACTION_LABEL: Readonly<Record<(typeof ACTIONS)[number], string>> = {
  'phone-call': 'Telefonsamtale',
  'home-visit': 'Hjemmebesøk',
  'home-care-dispatched': 'Hjemmetjenesten rykket ut',
  ambulance: 'Ambulanse tilkalt',
  'relative-handled': 'Pårørende håndterte',
  'no-action': 'Ingen tiltak',
  other: 'Annet',
};

const ROLE_LABEL: Readonly<Record<string, string>> = {
  operator: 'operatør',
  staff: 'helsepersonell',
  technician: 'tekniker',
  relative: 'pårørende',
  admin: 'administrator',
};

/** Norwegian label of a cause; an unknown value (stored before the list grew) is shown as is. */
export const causeLabel = (cause: string): string => (CAUSE_LABEL as Readonly<Record<string, string>>)[cause] ?? cause;
/** Norwegian label of an action; an unknown value is shown as is. */
export const actionLabel = (action: string): string => (ACTION_LABEL as Readonly<Record<string, string>>)[action] ?? action;
/** Norwegian label of a role; an unknown role is shown as is. */
export const roleLabel = (role: string): string => ROLE_LABEL[role] ?? role;

/** The device's name in the journal, e.g. "Trykknapp dev-1". */
export const deviceDisplay = (type: DeviceEventType, deviceId: string): string => `${DEVICE_LABEL[type]} ${deviceId}`;

const OSLO = new Intl.DateTimeFormat('nb-NO', {
  timeZone: 'Europe/Oslo',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** A timestamp as Norwegian local time, for the narrative (the coded elements keep ISO 8601). */
export const osloTime = (iso: string): string => OSLO.format(new Date(iso));
