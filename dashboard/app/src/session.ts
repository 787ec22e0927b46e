/**
 * The signed-in operator. Kept in sessionStorage: it survives a reload but not closing the tab,
 * which is what a shared console in a response centre wants.
 */
import type { LoginResponse } from '@trygg/alarm-core';

export type Session = LoginResponse;

const KEY = 'trygg.session';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.token !== 'string' || !s.user || typeof s.user.userId !== 'string') return null;
    const expires = Date.parse(s.expiresAt ?? '');
    if (Number.isFinite(expires) && expires <= Date.now()) {
      sessionStorage.removeItem(KEY);
      return null;
    }
    return s as Session;
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(session));
  } catch {
    // Without storage the session lasts until reload; still usable.
  }
}

export function clearSession(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing stored, nothing to clear
  }
}

/** What the identity provider's sign-in left in the address: a Trygg session token, or why it failed. */
export type SignInReturn = { token: string; expiresAt: string } | { error: string } | null;

/**
 * Reads `#signin=…&expires=…` (or `#signin-error=CODE`) that the server's OIDC callback
 * redirects to, and removes it from the address at once so it is not bookmarked or shared.
 */
export function takeSignInReturn(): SignInReturn {
  const hash = window.location.hash.replace(/^#/, '');
  if (!hash.startsWith('signin')) return null;
  const params = new URLSearchParams(hash);
  history.replaceState(null, '', window.location.pathname + window.location.search);
  const error = params.get('signin-error');
  if (error) return { error };
  const token = params.get('signin');
  const expiresAt = params.get('expires');
  return token && expiresAt ? { token, expiresAt } : null;
}
