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
