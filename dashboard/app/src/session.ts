/**
 * The signed-in person. At the response centre's shared console the session lives in
 * sessionStorage: it survives a reload but not closing the tab. On a personal phone (night staff,
 * relatives) it lives in localStorage, so the installed app opened from a notification is still
 * signed in, and it is a lasting sign-in: the short access session is renewed with the refresh
 * token before it runs out (renewSession), each renewal handing out the next refresh token.
 */
import type { LoginResponse } from '@trygg/alarm-core';
import { providerSignInUrl, signOut } from './data/auth.js';
import { refreshSession } from './data/signin.js';

export type Session = LoginResponse;

const KEY = 'trygg.session';

/** A phone app's person: staff or relative, and not someone who also works at the console. */
function onPersonalPhone(s: Session): boolean {
  const r = s.user.roles;
  return !r.includes('operator') && !r.includes('admin') && (r.includes('staff') || r.includes('relative'));
}

function read(store: Storage): Session | null {
  const raw = store.getItem(KEY);
  if (!raw) return null;
  const s = JSON.parse(raw) as Partial<Session>;
  if (typeof s.token !== 'string' || !s.user || typeof s.user.userId !== 'string') return null;
  const expires = Date.parse(s.expiresAt ?? '');
  // A lasting sign-in outlives its access session: it is renewed, not dropped.
  const lastsUntil = typeof s.refreshToken === 'string' ? Date.parse(s.refreshExpiresAt ?? '') : Number.NaN;
  if (Number.isFinite(expires) && expires <= Date.now() && !(lastsUntil > Date.now())) {
    store.removeItem(KEY);
    return null;
  }
  return s as Session;
}

export function loadSession(): Session | null {
  try {
    return read(sessionStorage) ?? read(localStorage);
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  try {
    (onPersonalPhone(session) ? localStorage : sessionStorage).setItem(KEY, JSON.stringify(session));
  } catch {
    // Without storage the session lasts until reload; still usable.
  }
}

export function clearSession(): void {
  try {
    sessionStorage.removeItem(KEY);
    localStorage.removeItem(KEY);
  } catch {
    // nothing stored, nothing to clear
  }
}

/** Whether the access session runs out within `marginMs` (and so should be renewed first). */
export function needsRenewal(s: Session, marginMs = 60_000): boolean {
  const expires = Date.parse(s.expiresAt);
  return !Number.isFinite(expires) || expires - Date.now() <= marginMs;
}

/** One renewal at a time in this tab. */
let renewing: Promise<Session | null> | null = null;

/**
 * Renews a lasting sign-in: the refresh token is used up and the next one stored. Tabs of the
 * same app share one session, so the renewal holds a lock across them and first looks whether
 * another tab has renewed meanwhile (presenting a used token again would sign this phone out).
 * Resolves with the new session, or null when the sign-in has ended (the app returns to sign-in).
 */
export function renewSession(current: Session): Promise<Session | null> {
  if (!current.refreshToken) return Promise.resolve(null);
  renewing ??= withLock(async () => {
    const stored = loadSession();
    if (stored?.refreshToken && stored.refreshToken !== current.refreshToken && !needsRenewal(stored)) return stored;
    const refreshToken = stored?.refreshToken ?? current.refreshToken;
    if (!refreshToken) return null;
    try {
      const next = await refreshSession(refreshToken);
      saveSession(next);
      return next;
    } catch (err) {
      // Offline: keep the sign-in and try again later; refused: it has ended.
      if ((err as { status?: number }).status === 0) return current;
      clearSession();
      return null;
    }
  }).finally(() => (renewing = null));
  return renewing;
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  return locks ? (locks.request('trygg.session.renew', fn) as Promise<T>) : fn();
}

/**
 * Signs the session out at the server, so its token opens nothing any more (not only forgotten
 * here: a copied token stops working too), and with it this phone's lasting sign-in. Best
 * effort: the session is cleared here either way.
 */
export async function endSession(session: Session | string): Promise<void> {
  try {
    let s: Session | string | null = session;
    if (typeof s !== 'string' && needsRenewal(s, 5_000)) s = await renewSession(s);
    if (s) await signOut(typeof s === 'string' ? s : s.token);
  } catch {
    // Already ended, or the server is away: the token still runs out by itself.
  }
}

/** What the identity provider's sign-in left in the address: a Trygg session token, or why it failed. */
export type SignInReturn = { token: string; expiresAt: string } | { error: string } | null;

/** The state of the sign-in this tab started, until the identity provider sends it back. */
const STATE_KEY = 'trygg.signin-state';

/**
 * Starts a sign-in through the municipality's identity provider: a random state for this tab,
 * kept here and sent along; the session that comes back must carry it (see takeSignInReturn).
 */
export function startProviderSignIn(): void {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  const state = btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  try {
    sessionStorage.setItem(STATE_KEY, state);
  } catch {
    // Without storage the returning session cannot be matched, and is refused: sign in locally.
  }
  window.location.assign(providerSignInUrl(state));
}

/** The error code for a session in the address that this tab did not ask for (login CSRF). */
export const UNASKED_SIGN_IN = 'TRYGG_ERR_UNAUTHENTICATED';

/**
 * Reads `#signin=…&expires=…&state=…` (or `#signin-error=CODE`) that the server's OIDC callback
 * redirects to, and removes it from the address at once so it is not bookmarked or shared. A
 * session is taken only when its state is the one this tab sent when it started the sign-in:
 * a link made by someone else with their own session signs nobody in as them.
 */
export function takeSignInReturn(): SignInReturn {
  const hash = window.location.hash.replace(/^#/, '');
  if (!hash.startsWith('signin')) return null;
  const params = new URLSearchParams(hash);
  history.replaceState(null, '', window.location.pathname + window.location.search);
  let expected: string | null = null;
  try {
    expected = sessionStorage.getItem(STATE_KEY);
    sessionStorage.removeItem(STATE_KEY);
  } catch {
    // no storage: nothing was asked for
  }
  const error = params.get('signin-error');
  if (error) return { error };
  const token = params.get('signin');
  const expiresAt = params.get('expires');
  if (!token || !expiresAt) return null;
  if (!expected || params.get('state') !== expected) return { error: UNASKED_SIGN_IN };
  return { token, expiresAt };
}
