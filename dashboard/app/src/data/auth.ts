/**
 * Signing in and out: a local account's sign-in, the session's end, who is signed in, the ways
 * to sign in, and the address that starts a sign-in through the identity provider (a browser
 * navigation, not a fetch, so it is a URL from the route table rather than a call).
 */
import type { Api, QueryOf } from '@trygg/alarm-core';
import { call, urlOf } from './call.js';
import { ROUTES } from './routes.js';

export const signIn = (username: string, password: string) => call('login', { body: { username, password } });

/** Ends this session at the server (`everywhere`: every session of the person). */
export const signOut = (token: string, everywhere = false) =>
  call('logout', { token, query: everywhere ? { everywhere: 'true' } : {} });

export const fetchMe = (token: string) => call('me', { token });

/** Whether the municipality's identity provider is offered beside local accounts (no sign-in needed). */
export const fetchSignInMethods = () => call('signInMethods', {});

/** Where the browser goes to sign in through the identity provider, with this tab's own state. */
export const providerSignInUrl = (appState?: string): string =>
  urlOf(ROUTES.oidcLogin.path, {}, appState === undefined ? {} : ({ app_state: appState } satisfies QueryOf<Api['oidcLogin']>));
