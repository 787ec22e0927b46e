/** Norsk bokmål. Keys are the message ids used in msg(); ${n} is the n-th value of the source. */
import { str, type TemplateLike } from '@lit/localize';

export const templates = {
  'app.skip': 'Hopp til innhold',
  'app.signed-in-as': 'Logget inn som',
  'app.sign-out': 'Logg ut',
  'app.language': 'Språk',

  'login.title': 'Logg inn',
  'login.username': 'Brukernavn',
  'login.password': 'Passord',
  'login.submit': 'Logg inn',
  'login.busy': 'Logger inn …',
  'login.missing': 'Skriv inn både brukernavn og passord.',

  'queue.title': 'Åpne alarmer',
  'queue.loading': 'Henter alarmer …',
  'queue.empty': 'Ingen åpne alarmer',
  'queue.connection-lost': 'Forbindelsen er brutt – kobler til igjen …',
  'queue.announce-new': str`Ny alarm: ${0}`,
  'queue.dismiss': 'Lukk',

  'card.claim': 'Ta alarmen',
  'card.resolve': 'Avslutt',
  'card.details': 'Detaljer',
  'card.note': 'Hva ble gjort? (notat til journalen)',
  'card.confirm-resolve': 'Bekreft avsluttet',
  'card.cancel': 'Avbryt',
  'card.event-count': str`${0} signaler`,

  'details.title': 'Alarmdetaljer',
  'details.close': 'Lukk',
  'details.note': 'Notat',
  'details.history': 'Historikk',

  'state.open': 'Ny',
  'state.claimed': str`Tatt av ${0}`,
  'state.resolved': 'Løst',
  'state.cancelled': 'Avbrutt',

  'age.now': 'under 1 min',
  'age.minutes': str`${0} min`,
  'age.hours': str`${0} t ${1} min`,

  'subject.room': str`Rom ${0}`,

  'type.alarm.button': 'Alarmknapp',
  'type.alarm.pull-cord': 'Snortrekk',
  'type.alarm.fall': 'Fall',
  'type.alarm.smoke': 'Røykvarsler',
  'type.alarm.co': 'Kullos (CO)',
  'type.alarm.door': 'Dør åpnet',
  'type.alarm.bed-exit': 'Forlatt sengen',
  'type.alarm.inactivity': 'Inaktivitet',
  'type.alarm.water': 'Vannlekkasje',
  'type.cancel': 'Avbrutt fra enheten',
  'type.test': 'Test',
  'type.heartbeat': 'Livstegn',
  'type.dispenser.dispensed': 'Dose utlevert',
  'type.dispenser.missed-dose': 'Dose ikke tatt ut',
  'type.dispenser.fault': 'Feil på medisindispenser',
  'type.technical.battery-low': 'Lavt batteri',
  'type.technical.mains-failure': 'Strømbrudd',
  'type.technical.tamper': 'Sabotasje',

  'timeline.opened': 'Alarm utløst',
  'timeline.event-joined': 'Enheten varslet igjen',
  'timeline.notified': 'Personale varslet',
  'timeline.claimed': 'Tatt',
  'timeline.resolved': 'Løst',
  'timeline.cancelled': 'Avbrutt',
  'timeline.cancel-ignored': 'Avbrudd fra enheten ignorert',

  'error.network': 'Får ikke kontakt med serveren. Sjekk nettverket og prøv igjen.',
  'error.server': 'Serveren kunne ikke behandle forespørselen.',
  'error.unknown': 'Noe gikk galt.',
} satisfies Record<string, TemplateLike>;
