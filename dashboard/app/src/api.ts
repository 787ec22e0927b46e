/**
 * Talking to the REST API. Every failure becomes an ApiError carrying the server's error code
 * and message; a 401 on an authenticated call also tells the app to go back to sign-in.
 */
import { msg } from '@lit/localize';
import type { ErrorEnvelope } from '@trygg/alarm-core';

export const UNAUTHORIZED_EVENT = 'trygg:unauthorized';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** The session is no longer accepted: whoever listens (the app) returns to sign-in. */
export function signalUnauthorized(): void {
  window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
}

export interface RequestOptions {
  token?: string | null;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
}

function isEnvelope(value: unknown): value is ErrorEnvelope {
  const v = value as Partial<ErrorEnvelope> | null;
  return typeof v === 'object' && v !== null && v.status === 'error' && typeof v.message === 'string';
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';

  let res: Response;
  try {
    res = await fetch(path, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(
      0,
      'TRYGG_ERR_NETWORK',
      msg('Could not reach the server. Check the network and try again.', { id: 'error.network' }),
    );
  }

  const payload: unknown = await res.json().catch(() => null);
  if (res.ok) return payload as T;

  const code = isEnvelope(payload) ? payload.code : `HTTP_${res.status}`;
  const message = isEnvelope(payload) ? payload.message : msg('The server could not handle the request.', { id: 'error.server' });
  // A failed sign-in is also a 401, but that one belongs on the sign-in form.
  if (res.status === 401 && options.token) signalUnauthorized();
  throw new ApiError(res.status, code, message);
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return msg('Something went wrong.', { id: 'error.unknown' });
}
