/**
 * PostgreSQL refusals as catalogue errors: a unique or foreign-key violation, or the site-level
 * trigger, becomes a clear code for the caller instead of a 500. The database is the last word
 * (two technicians registering one serial at once), the checks before it give nicer messages.
 */
import { TryggError } from '@trygg/alarm-core';

interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
  message?: string;
}

const UNIQUE: Record<string, ConstructorParameters<typeof TryggError>[0]> = {
  devices_serial_key: 'TRYGG_ERR_SERIAL_TAKEN',
  residents_national_id_key: 'TRYGG_ERR_NATIONAL_ID_TAKEN',
  installation_tests_one_running: 'TRYGG_ERR_TEST_RUNNING',
  installations_one_current: 'TRYGG_ERR_DEVICE_STATE',
};

/** Rethrows a database refusal as a TryggError; anything else unchanged. */
export function refusal(err: unknown): never {
  const e = err as PgError;
  if (err instanceof TryggError || typeof e?.code !== 'string') throw err;
  if (e.code === '23505') {
    const code = (e.constraint ? UNIQUE[e.constraint] : undefined) ?? 'TRYGG_ERR_ID_TAKEN';
    throw new TryggError(code, e.detail ?? undefined, { cause: err });
  }
  if (e.code === '23503') throw new TryggError('TRYGG_ERR_REFERENCE_UNKNOWN', e.detail ?? undefined, { cause: err });
  if (e.code === '23514' && e.constraint === 'sites_parent_level') {
    throw new TryggError('TRYGG_ERR_SITE_PARENT_INVALID', e.message, { cause: err });
  }
  if (e.code === '23514' || e.code === '22007' || e.code === '22P02') {
    throw new TryggError('TRYGG_ERR_VALIDATION', e.message, { cause: err });
  }
  throw err;
}

/** Runs a query-producing function and translates refusals. */
export async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    refusal(err);
  }
}
