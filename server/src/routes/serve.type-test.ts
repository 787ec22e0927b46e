/**
 * A type test (compiled by `npm run typecheck`, never run): a handler must answer what its
 * contract says, and reads its parameters as the contract types them. Each `@ts-expect-error`
 * fails the build the day the compiler would let the mistake through.
 */
import { API } from '@trygg/alarm-core';
import { serve, type App } from './serve.js';

export function contractHoldsTheServer(app: App): void {
  // @ts-expect-error `head` must be a number
  serve(app, API.listAlarms, {}, async () => ({ head: 'now', alarms: [] }));
  // @ts-expect-error an answer without its timeline is not the contract's
  serve(app, API.getAlarm, {}, async () => ({ alarm: null }));
  serve(app, API.alarmCommand, {}, async (req) => {
    // @ts-expect-error the path's id is a string
    const id: number = req.params.id;
    void id;
    throw new Error(req.body.type);
  });
}
