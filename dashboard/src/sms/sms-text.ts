/**
 * The words of every SMS Trygg sends, in the person's language (nb, sv, en): the alert (what,
 * who, where, how to answer, the alarm's short code, the sign-in link when there is one), the
 * updates (for your information, taken by, closed) and the answers to a reply. The alarm type in
 * words is the push notification's (push-text.ts), so the app and the SMS say the same.
 *
 * An alert is kept within one GSM 7-bit SMS (160 characters; æøå are GSM) when it can be: the
 * question, then the address beside a room, then the address after its first part, then the
 * "Trygg:" prefix give way, in that order. What, who, how to answer, the code and the link stay.
 * Only the quotation mark `"` is used (“”, «» and – are not in the GSM alphabet).
 */
import type { Notification } from '@trygg/alarm-core';
import { alarmTypeName, langOf, type Lang } from '../push/push-text.js';
import { fitsOneSms } from './sms-length.js';

type Summary = Notification['summary'];

const W = {
  nb: {
    at: 'hos',
    ask: 'Kan du dra dit?',
    answer: (code: string) => `Svar 1 (JA) eller 2 (NEI). Kode ${code}.`,
    inform: 'Til orientering, du trenger ikke svare.',
    taken: (by: string) => `${by} har tatt alarmen`,
    closed: 'Alarmen er avsluttet',
    check: 'Ingen har meldt at de er fremme',
    accepted: 'Takk, du er registrert som den som drar.',
    declined: 'Takk, du er registrert med NEI. Andre blir varslet.',
    takenBy: (by: string) => `Alarmen er allerede tatt av ${by}. Takk for svaret.`,
    alreadyClosed: 'Alarmen er allerede avsluttet. Takk for svaret.',
    notAsked: 'Du blir ikke lenger spurt om denne alarmen. Takk for svaret.',
    help: (code: string) => `Svar 1 for JA (jeg drar) eller 2 for NEI, gjerne med koden: "1 ${code}".`,
    unknownCode: (code: string) => `Koden ${code} er ukjent.`,
    retry: 'Svaret ditt kom ikke fram. Prøv igjen om litt.',
  },
  sv: {
    at: 'hos',
    ask: 'Kan du åka dit?',
    answer: (code: string) => `Svara 1 (JA) eller 2 (NEJ). Kod ${code}.`,
    inform: 'För kännedom, du behöver inte svara.',
    taken: (by: string) => `${by} har tagit larmet`,
    closed: 'Larmet är avslutat',
    check: 'Ingen har meddelat att de är framme',
    accepted: 'Tack, du är registrerad som den som åker.',
    declined: 'Tack, du är registrerad med NEJ. Andra larmas.',
    takenBy: (by: string) => `Larmet är redan taget av ${by}. Tack för svaret.`,
    alreadyClosed: 'Larmet är redan avslutat. Tack för svaret.',
    notAsked: 'Du tillfrågas inte längre om detta larm. Tack för svaret.',
    help: (code: string) => `Svara 1 för JA (jag åker) eller 2 för NEJ, gärna med koden: "1 ${code}".`,
    unknownCode: (code: string) => `Koden ${code} är okänd.`,
    retry: 'Ditt svar kom inte fram. Försök igen om en stund.',
  },
  en: {
    at: 'for',
    ask: 'Can you go?',
    answer: (code: string) => `Reply 1 (YES) or 2 (NO). Code ${code}.`,
    inform: 'For your information, no need to reply.',
    taken: (by: string) => `${by} has taken the alarm`,
    closed: 'The alarm is closed',
    check: 'Nobody has reported arriving',
    accepted: 'Thank you, you are registered as the one going.',
    declined: 'Thank you, you are registered as not going. Others are alerted.',
    takenBy: (by: string) => `The alarm has already been taken by ${by}. Thank you.`,
    alreadyClosed: 'The alarm is already closed. Thank you.',
    notAsked: 'You are no longer asked about this alarm. Thank you.',
    help: (code: string) => `Reply 1 for YES (I am going) or 2 for NO, with the code if you like: "1 ${code}".`,
    unknownCode: (code: string) => `The code ${code} is unknown.`,
    retry: 'Your answer did not get through. Please try again shortly.',
  },
} as const satisfies Record<Lang, unknown>;

/** What the alarm is and whose: "Fall hos Per Hansen". */
function whatWho(lang: Lang, s: Summary): string {
  const what = alarmTypeName(lang, s.type);
  return s.residentName ? `${what} ${W[lang].at} ${s.residentName}` : what;
}

/** Where, most precise first; `short` keeps the room alone, or the address up to its first comma. */
function where(s: Summary, short: boolean): string {
  if (short) return s.room ?? (s.address ?? '').split(',')[0]?.trim() ?? '';
  return [s.room, s.address].filter(Boolean).join(', ');
}

const sentence = (...parts: (string | null | false)[]) => parts.filter(Boolean).join(' ');

/**
 * The alert: what, who, where, the question, how to answer with the code, and the link.
 * Shortened (see the file's header) until it fits one SMS, if it can.
 */
export function alertText(locale: string, s: Summary, code: string, link: string | null): string {
  const lang = langOf(locale);
  const w = W[lang];
  const compose = (o: { prefix: boolean; ask: boolean; short: boolean }) => {
    const place = where(s, o.short);
    const head = `${o.prefix ? 'Trygg: ' : ''}${whatWho(lang, s)}${place ? `, ${place}` : ''}.`;
    return sentence(head, o.ask && w.ask, w.answer(code), link);
  };
  const tries = [
    { prefix: true, ask: true, short: false },
    { prefix: true, ask: false, short: false },
    { prefix: true, ask: false, short: true },
    { prefix: false, ask: false, short: true },
  ];
  for (const t of tries) {
    const text = compose(t);
    if (fitsOneSms(text)) return text;
  }
  // A name or address outside the GSM alphabet (UCS-2: 70 a message): the shortest, in parts.
  return compose({ prefix: false, ask: false, short: true });
}

/** An update about an alarm the person was told of: for your information, taken, closed, no arrival. */
export function updateText(locale: string, kind: Exclude<Notification['kind'], 'alert'>, s: Summary): string {
  const lang = langOf(locale);
  const w = W[lang];
  const about = whatWho(lang, s);
  switch (kind) {
    case 'inform': {
      const place = where(s, false);
      return sentence(`Trygg: ${about}${place ? `, ${place}` : ''}.`, w.inform);
    }
    case 'taken':
      return `Trygg: ${w.taken(s.takenBy ?? '?')} (${about}).`;
    case 'closed':
      return `Trygg: ${w.closed} (${about}).`;
    case 'check':
      return `Trygg: ${w.check} (${about}).`;
  }
}

/** What Trygg answers to a reply. */
export type ReplyAnswer =
  | { kind: 'accepted' | 'declined' | 'already-closed' | 'not-asked' | 'retry' }
  | { kind: 'taken-by'; by: string }
  | { kind: 'help'; code: string; unknownCode?: string };

export function replyText(locale: string, a: ReplyAnswer): string {
  const w = W[langOf(locale)];
  switch (a.kind) {
    case 'accepted':
      return w.accepted;
    case 'declined':
      return w.declined;
    case 'already-closed':
      return w.alreadyClosed;
    case 'not-asked':
      return w.notAsked;
    case 'retry':
      return w.retry;
    case 'taken-by':
      return w.takenBy(a.by);
    case 'help':
      return sentence(a.unknownCode ? w.unknownCode(a.unknownCode) : null, w.help(a.code));
  }
}
