/**
 * Staying signed in and getting back in: renewing a lasting sign-in, sign-in links (redeeming
 * one, asking for a new one by SMS), and the person's signed-in devices.
 */
import { call } from './call.js';

/** The next session of a lasting sign-in (the refresh token is used up). */
export const refreshSession = (refreshToken: string) => call('refreshSession', { body: { refreshToken } });

/** The session a sign-in link's token opens (once). */
export const signInByLink = (token: string) => call('signInByLink', { body: { token } });

/** Asks for a new sign-in link by SMS to this number (the answer is the same whether or not it is known). */
export const requestSignInLink = (phone: string) => call('requestSignInLink', { body: { phone } });

/** Where the signed-in person stays signed in. */
export const fetchMyDevices = (token: string) => call('myDevices', { token });

/** Signs one of the person's devices out. */
export const revokeMyDevice = (token: string, id: string) => call('revokeMyDevice', { token, params: { id } });
