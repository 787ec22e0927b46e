/**
 * The words on a push notification, in the person's language (nb, sv, en). The service worker
 * shows what the message carries, so the server chooses the language from the user's setting.
 */
import type { Notification } from '@trygg/alarm-core';

export type Lang = 'nb' | 'sv' | 'en';
type Summary = Notification['summary'];

const TYPE: Record<Lang, Record<string, string>> = {
  nb: {
    'alarm.button': 'Trygghetsalarm',
    'alarm.pull-cord': 'Snortrekk',
    'alarm.fall': 'Fall',
    'alarm.smoke': 'Brannalarm',
    'alarm.co': 'CO-alarm',
    'alarm.door': 'Dør',
    'alarm.bed-exit': 'Ute av seng',
    'alarm.inactivity': 'Inaktivitet',
    'alarm.water': 'Vannlekkasje',
    'dispenser.missed-dose': 'Medisin ikke tatt',
    'dispenser.refill-needed': 'Medisindispenser må fylles',
  },
  sv: {
    'alarm.button': 'Trygghetslarm',
    'alarm.pull-cord': 'Draglarm',
    'alarm.fall': 'Fall',
    'alarm.smoke': 'Brandlarm',
    'alarm.co': 'CO-larm',
    'alarm.door': 'Dörr',
    'alarm.bed-exit': 'Ur sängen',
    'alarm.inactivity': 'Inaktivitet',
    'alarm.water': 'Vattenläcka',
    'dispenser.missed-dose': 'Missad medicin',
    'dispenser.refill-needed': 'Läkemedelsautomat behöver fyllas på',
  },
  en: {
    'alarm.button': 'Safety alarm',
    'alarm.pull-cord': 'Pull cord',
    'alarm.fall': 'Fall',
    'alarm.smoke': 'Fire alarm',
    'alarm.co': 'CO alarm',
    'alarm.door': 'Door',
    'alarm.bed-exit': 'Out of bed',
    'alarm.inactivity': 'Inactivity',
    'alarm.water': 'Water leak',
    'dispenser.missed-dose': 'Missed medication',
    'dispenser.refill-needed': 'Dispenser needs refill',
  },
};

const WORDS = {
  nb: {
    technical: 'Teknisk alarm',
    alert: 'Kan du ta den?',
    inform: 'Til orientering.',
    taken: (by: string) => `${by} tar den.`,
    closed: 'Alarmen er avsluttet.',
    check: 'Ingen har meldt at de er fremme.',
    accept: 'Jeg drar',
    decline: 'Kan ikke',
    accepted: 'Du har tatt alarmen.',
    declined: 'Du har sagt nei. Andre blir varslet.',
    failed: 'Svaret kom ikke fram. Åpne Trygg.',
  },
  sv: {
    technical: 'Tekniskt larm',
    alert: 'Kan du ta det?',
    inform: 'För kännedom.',
    taken: (by: string) => `${by} tar det.`,
    closed: 'Larmet är avslutat.',
    check: 'Ingen har meddelat att de är framme.',
    accept: 'Jag åker',
    decline: 'Kan inte',
    accepted: 'Du har tagit larmet.',
    declined: 'Du har tackat nej. Andra larmas.',
    failed: 'Svaret kom inte fram. Öppna Trygg.',
  },
  en: {
    technical: 'Technical alarm',
    alert: 'Can you take it?',
    inform: 'For your information.',
    taken: (by: string) => `${by} is taking it.`,
    closed: 'The alarm is closed.',
    check: 'Nobody has reported arriving.',
    accept: "I'm going",
    decline: "Can't",
    accepted: 'You took the alarm.',
    declined: 'You declined. Others are alerted.',
    failed: 'Your answer did not get through. Open Trygg.',
  },
} as const;

export function langOf(locale: string): Lang {
  return locale === 'sv' || locale === 'en' ? locale : 'nb';
}

/** The alarm type in words ("Fall", "Brannalarm"), in the person's language; the SMS texts use it too. */
export function alarmTypeName(locale: string, type: string): string {
  const lang = langOf(locale);
  return TYPE[lang][type] ?? WORDS[lang].technical;
}

export function pushText(locale: string, kind: Notification['kind'], s: Summary) {
  const lang = langOf(locale);
  const w = WORDS[lang];
  const what = TYPE[lang][s.type] ?? w.technical;
  const where = [s.residentName, s.room ?? s.address].filter(Boolean).join(', ');
  const title = where ? `${what}: ${where}` : what;
  let body: string;
  switch (kind) {
    case 'alert':
      body = w.alert;
      break;
    case 'inform':
      body = w.inform;
      break;
    case 'taken':
      body = w.taken(s.takenBy ?? '?');
      break;
    case 'closed':
      body = w.closed;
      break;
    case 'check':
      body = w.check;
      break;
  }
  return {
    title,
    body,
    actions: { accept: w.accept, decline: w.decline },
    done: { accept: w.accepted, decline: w.declined, failed: w.failed },
  };
}

const BACKLOG = {
  nb: {
    title: 'Pasientjournalen henger etter',
    raised: (m: number) => `Eldste journalpost har ventet i ${m} min.`,
    cleared: 'Journalkøen er tømt.',
  },
  sv: {
    title: 'Patientjournalen släpar efter',
    raised: (m: number) => `Äldsta journalposten har väntat i ${m} min.`,
    cleared: 'Journalkön är tömd.',
  },
  en: {
    title: 'The patient journal is behind',
    raised: (m: number) => `The oldest entry has waited ${m} min.`,
    cleared: 'The journal backlog has cleared.',
  },
} as const;

/** The journal backlog alert to administrators, in their language. */
export function backlogText(locale: string, alerting: boolean, oldestS: number | null): { title: string; body: string } {
  const w = BACKLOG[langOf(locale)];
  return { title: w.title, body: alerting ? w.raised(Math.round((oldestS ?? 0) / 60)) : w.cleared };
}

const CHAIN = {
  nb: {
    title: 'Alarmkjeden svikter',
    failing: (which: string) => `En testalarm kom ikke fram i tide (${which}). Ekte alarmer kan være forsinket eller tapt.`,
    restoredTitle: 'Alarmkjeden virker igjen',
    restored: 'Testalarmene kommer fram igjen.',
  },
  sv: {
    title: 'Larmkedjan sviktar',
    failing: (which: string) => `Ett testlarm kom inte fram i tid (${which}). Riktiga larm kan vara försenade eller förlorade.`,
    restoredTitle: 'Larmkedjan fungerar igen',
    restored: 'Testlarmen kommer fram igen.',
  },
  en: {
    title: 'The alarm chain is failing',
    failing: (which: string) => `A test alarm did not arrive in time (${which}). Real alarms may be delayed or lost.`,
    restoredTitle: 'The alarm chain works again',
    restored: 'Test alarms arrive again.',
  },
} as const;

/** The self-test's system alarm (raised or restored) to administrators, in their language; `which` names the ingresses. */
export function chainText(locale: string, failing: boolean, which: readonly string[]): { title: string; body: string } {
  const w = CHAIN[langOf(locale)];
  return failing ? { title: w.title, body: w.failing(which.join(', ')) } : { title: w.restoredTitle, body: w.restored };
}
