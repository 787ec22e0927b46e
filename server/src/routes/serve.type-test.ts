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
  // @ts-expect-error a device's health is one of the card's, not any text
  serve(app, API.residentCard, {}, async () => ({
    resident: { id: 'r', name: 'R', address: null, mapUrl: null, notes: null, language: 'nb', hasKeySafe: false },
    relatives: [],
    devices: [{ id: 'd', kind: 'k', status: 'active', lastSeenAt: null, battery: null, rssi: null, health: 'tired' }],
    recent: [],
  }));
  // @ts-expect-error a policy's scope is one of three
  serve(app, API.listPolicies, {}, async () => ({
    policies: [{ id: '1', scope: 'floor', scopeId: 'x', alarmType: null, chain: { source: 'x', steps: [] }, updatedAt: '' }],
  }));
  // @ts-expect-error OAuth's token type is Bearer
  serve(app, API.oauthToken, {}, async () => ({ access_token: 't', token_type: 'MAC', expires_in: 1, scope: '' }));
  // A redirect (no JSON answer) resolves with the reply.
  serve(app, API.oidcCallback, {}, async (_req, reply) => reply.redirect('/', 302));
}
