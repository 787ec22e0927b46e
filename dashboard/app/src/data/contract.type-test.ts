/**
 * A type test (compiled by `npm run typecheck`, never run): the web app cannot read an answer
 * other than the contract's, nor send a body or parameters it does not take. Each
 * `@ts-expect-error` fails the build the day the compiler would let the mistake through, so a
 * changed response shape breaks the client at compile time.
 */
import { call } from './call.js';

export async function contractHoldsTheClient(token: string): Promise<void> {
  const list = await call('listAlarms', { token });
  const head: number = list.head;
  // @ts-expect-error the queue's answer has no `total`
  void list.total;
  // @ts-expect-error `head` is a number, not a string
  const wrong: string = list.head;
  // @ts-expect-error an alarm needs its id in the path
  await call('getAlarm', { token });
  // @ts-expect-error a command is not any object
  await call('alarmCommand', { token, params: { id: 'a' }, body: { type: 'teleport', id: 'x' } });
  // @ts-expect-error the queue takes no body
  await call('listAlarms', { token, body: {} });
  void head;
  void wrong;

  const card = await call('residentCard', { token, params: { id: 'a' } });
  // @ts-expect-error a relative's state in an alarm is one of the card's
  void (card.relatives[0]?.state === 'maybe');
  // @ts-expect-error statistics take their days as query text, as the wire carries them
  await call('statistics', { token, query: { days: 7 } });
  // @ts-expect-error a sign-in needs its password
  await call('login', { body: { username: 'a' } });
  // @ts-expect-error the invitation's sign-in answers a session, which has no `relatives`
  void (await call('signInByInvitation', { body: { token: 'x' } })).relatives;
}
