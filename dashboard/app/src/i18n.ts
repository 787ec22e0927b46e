/**
 * Language: @lit/localize in runtime mode. English is the source text in the code; bokmål is
 * the default shown, Swedish the other target. The last choice is remembered per device and,
 * once someone has signed in, per user, so a shared console follows whoever is at it.
 */
import { configureLocalization } from '@lit/localize';
import type { LocaleModule } from '@lit/localize';

export const LOCALES = ['nb', 'sv', 'en'] as const;
export type AppLocale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: AppLocale = 'nb';

/** Each language named in itself, so anyone can find their own in the picker. */
export const LOCALE_NAMES: Readonly<Record<AppLocale, string>> = {
  nb: 'Norsk (bokmål)',
  sv: 'Svenska',
  en: 'English',
};

// Listed one by one rather than as import(`./locales/${l}.js`): the files are .ts, which a
// dynamic-import glob on .js would not find, and this way each chunk is still loaded lazily.
const loaders: Readonly<Record<Exclude<AppLocale, 'en'>, () => Promise<LocaleModule>>> = {
  nb: () => import('./locales/nb.js'),
  sv: () => import('./locales/sv.js'),
};

const { getLocale, setLocale } = configureLocalization({
  sourceLocale: 'en',
  targetLocales: ['nb', 'sv'],
  loadLocale: (locale) => {
    const load = loaders[locale as keyof typeof loaders];
    return load ? load() : Promise.reject(new Error(`no locale ${locale}`));
  },
});

const DEVICE_KEY = 'trygg.locale';
const userKey = (userId: string): string => `trygg.locale.${userId}`;

export function isAppLocale(value: unknown): value is AppLocale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** Turns "nb-NO", "no", "sv-SE" into a supported locale, or null. */
export function normaliseLocale(value: string | null | undefined): AppLocale | null {
  if (!value) return null;
  const base = value.toLowerCase().split(/[-_]/)[0];
  if (base === 'no' || base === 'nn') return 'nb';
  return isAppLocale(base) ? base : null;
}

function readStored(key: string): AppLocale | null {
  try {
    return normaliseLocale(localStorage.getItem(key));
  } catch {
    return null; // storage can be blocked; the default is good enough
  }
}

function store(key: string, locale: AppLocale): void {
  try {
    localStorage.setItem(key, locale);
  } catch {
    // Not remembering the language is no reason to fail the switch.
  }
}

export function currentLocale(): AppLocale {
  const l = getLocale();
  return isAppLocale(l) ? l : DEFAULT_LOCALE;
}

async function apply(locale: AppLocale): Promise<void> {
  document.documentElement.lang = locale;
  await setLocale(locale);
}

/** The language before anyone signs in: this device's last choice, else bokmål. */
export function startLocale(): Promise<void> {
  return apply(readStored(DEVICE_KEY) ?? DEFAULT_LOCALE);
}

/** On sign-in: what this user last picked here, else the locale of their account. */
export function localeForUser(userId: string, accountLocale: string): Promise<void> {
  const locale = readStored(userKey(userId)) ?? normaliseLocale(accountLocale) ?? DEFAULT_LOCALE;
  store(DEVICE_KEY, locale);
  return apply(locale);
}

/** The language picker. */
export function chooseLocale(locale: AppLocale, userId: string | null): Promise<void> {
  store(DEVICE_KEY, locale);
  if (userId) store(userKey(userId), locale);
  return apply(locale);
}
