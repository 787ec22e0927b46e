/** Svenska. Must have exactly the ids bokmål has: the type below makes a missing one an error. */
import { str, type TemplateLike } from '@lit/localize';
import type { templates as nb } from './nb.js';

export const templates: Record<keyof typeof nb, TemplateLike> = {
  'app.skip': 'Hoppa till innehåll',
  'app.signed-in-as': 'Inloggad som',
  'app.sign-out': 'Logga ut',
  'app.language': 'Språk',

  'login.title': 'Logga in',
  'login.username': 'Användarnamn',
  'login.password': 'Lösenord',
  'login.submit': 'Logga in',
  'login.busy': 'Loggar in …',
  'login.missing': 'Ange både användarnamn och lösenord.',

  'queue.title': 'Öppna larm',
  'queue.loading': 'Hämtar larm …',
  'queue.empty': 'Inga öppna larm',
  'queue.connection-lost': 'Anslutningen bröts – ansluter igen …',
  'queue.announce-new': str`Nytt larm: ${0}`,
  'queue.dismiss': 'Stäng',

  'card.claim': 'Ta larmet',
  'card.resolve': 'Avsluta',
  'card.details': 'Detaljer',
  'card.note': 'Vad gjordes? (anteckning till journalen)',
  'card.confirm-resolve': 'Bekräfta avslutat',
  'card.cancel': 'Avbryt',
  'card.event-count': str`${0} signaler`,

  'details.title': 'Larmdetaljer',
  'details.close': 'Stäng',
  'details.note': 'Anteckning',
  'details.history': 'Historik',

  'state.open': 'Ny',
  'state.claimed': str`Tagen av ${0}`,
  'state.resolved': 'Löst',
  'state.cancelled': 'Avbrutet',

  'age.now': 'under 1 min',
  'age.minutes': str`${0} min`,
  'age.hours': str`${0} tim ${1} min`,

  'subject.room': str`Rum ${0}`,

  'type.alarm.button': 'Larmknapp',
  'type.alarm.pull-cord': 'Dragsnöre',
  'type.alarm.fall': 'Fall',
  'type.alarm.smoke': 'Brandlarm',
  'type.alarm.co': 'Kolmonoxid (CO)',
  'type.alarm.door': 'Dörr öppnad',
  'type.alarm.bed-exit': 'Lämnat sängen',
  'type.alarm.inactivity': 'Inaktivitet',
  'type.alarm.water': 'Vattenläcka',
  'type.cancel': 'Avbrutet från enheten',
  'type.test': 'Test',
  'type.heartbeat': 'Livstecken',
  'type.dispenser.dispensed': 'Dos utlämnad',
  'type.dispenser.missed-dose': 'Dos ej uttagen',
  'type.dispenser.fault': 'Fel på läkemedelsautomat',
  'type.technical.battery-low': 'Lågt batteri',
  'type.technical.mains-failure': 'Strömavbrott',
  'type.technical.tamper': 'Sabotage',

  'timeline.opened': 'Larm utlöst',
  'timeline.event-joined': 'Enheten larmade igen',
  'timeline.notified': 'Personal larmad',
  'timeline.claimed': 'Tagen',
  'timeline.resolved': 'Löst',
  'timeline.cancelled': 'Avbrutet',
  'timeline.cancel-ignored': 'Avbrott från enheten ignorerat',

  'error.network': 'Får ingen kontakt med servern. Kontrollera nätverket och försök igen.',
  'error.server': 'Servern kunde inte hantera begäran.',
  'error.unknown': 'Något gick fel.',
};
