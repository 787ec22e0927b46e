/**
 * The documentation codes an alarm can be closed with — why it happened (cause) and what was
 * done (action) — and their words. The codes are alarm-core's CAUSES and ACTIONS; the browser
 * imports types only, so the lists are written out here, and the Record types make a code
 * added there a compile error here until it has a label.
 */
import { msg } from '@lit/localize';
import type { AlarmCommand } from '@trygg/alarm-core';

type Resolve = Extract<AlarmCommand, { type: 'resolve' }>;
export type Cause = NonNullable<Resolve['cause']>;
export type Action = NonNullable<Resolve['action']>;

// Key order is the order of the choices in the resolve form.
const CAUSE_LABELS: Readonly<Record<Cause, () => string>> = {
  fall: () => msg('Fall', { id: 'cause.fall' }),
  illness: () => msg('Illness', { id: 'cause.illness' }),
  anxiety: () => msg('Anxiety or feeling unsafe', { id: 'cause.anxiety' }),
  assistance: () => msg('Needed help', { id: 'cause.assistance' }),
  accidental: () => msg('Pressed by mistake', { id: 'cause.accidental' }),
  technical: () => msg('Technical fault', { id: 'cause.technical' }),
  fire: () => msg('Fire or smoke', { id: 'cause.fire' }),
  other: () => msg('Other', { id: 'cause.other' }),
};

const ACTION_LABELS: Readonly<Record<Action, () => string>> = {
  'phone-call': () => msg('Phone call', { id: 'action.phone-call' }),
  'home-visit': () => msg('Home visit', { id: 'action.home-visit' }),
  'home-care-dispatched': () => msg('Home care sent', { id: 'action.home-care-dispatched' }),
  ambulance: () => msg('Ambulance', { id: 'action.ambulance' }),
  'relative-handled': () => msg('A relative took care of it', { id: 'action.relative-handled' }),
  'no-action': () => msg('Nothing needed', { id: 'action.no-action' }),
  other: () => msg('Other', { id: 'action.other' }),
};

export const CAUSE_CODES = Object.keys(CAUSE_LABELS) as Cause[];
export const ACTION_CODES = Object.keys(ACTION_LABELS) as Action[];

export function isCause(value: string): value is Cause {
  return Object.hasOwn(CAUSE_LABELS, value);
}

export function isAction(value: string): value is Action {
  return Object.hasOwn(ACTION_LABELS, value);
}

/** The words for a cause; a code newer than this app is shown as it is. */
export function causeLabel(code: string): string {
  return isCause(code) ? CAUSE_LABELS[code]() : code;
}

export function actionLabel(code: string): string {
  return isAction(code) ? ACTION_LABELS[code]() : code;
}
