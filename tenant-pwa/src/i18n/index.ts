/**
 * A tiny message catalog: Spanish (es-ES, es-EC) by default, English on request. No library: keys are
 * typed, `{name}` placeholders are replaced, plurals pick `key_one` / `key_other` with Intl.PluralRules.
 */
import { en } from './messages/en';
import { es, type Catalog, type MessageKey } from './messages/es';
import { esEC } from './messages/es-EC';
import { formatDate, formatDateTime, formatDecimal, formatMoney, parseDecimalInput, type DateStyle } from './format';

export type { MessageKey } from './messages/es';
export { formatDate, formatDateTime, formatDecimal, formatMoney, parseDecimalInput, sumDecimals } from './format';

export type AppLocale = 'es-ES' | 'es-EC' | 'en';
export type Language = 'es' | 'en';

export const DEFAULT_LOCALE: AppLocale = 'es-ES';

const catalogs: Record<AppLocale, Catalog> = {
  'es-ES': es,
  'es-EC': { ...es, ...esEC },
  en,
};

/** Keys that have `_one` / `_other` forms, named without the suffix. */
export type PluralKey = MessageKey extends infer K ? (K extends `${infer Base}_one` ? Base : never) : never;

export type Params = Record<string, string | number>;

function interpolate(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/**
 * Choose the UI locale: English if the user asked for it, else the tenant's Spanish variant
 * (es-EC for Ecuador), else es-ES.
 */
export function resolveLocale(language?: Language | null, tenantLocale?: string | null): AppLocale {
  if (language === 'en') return 'en';
  if (tenantLocale?.toLowerCase() === 'es-ec') return 'es-EC';
  return 'es-ES';
}

/** Return the BCP 47 tag used for numbers and dates (English uses en-GB: day-first dates, 24 h). */
export function formattingLocale(locale: AppLocale): string {
  return locale === 'en' ? 'en-GB' : locale;
}

export interface I18n {
  locale: AppLocale;
  language: Language;
  t(key: MessageKey, params?: Params): string;
  plural(key: PluralKey, count: number, params?: Params): string;
  money(amount: string, currency: string): string;
  date(value: string | Date, style?: DateStyle): string;
  dateTime(value: string | Date): string;
  /** Quantities and rates, exact: at least `minFraction`, at most `maxFraction` decimals. */
  decimal(value: string, minFraction?: number, maxFraction?: number): string;
  /** What the user typed in a number field, as an API decimal string (null if not a number). */
  parseDecimal(text: string): string | null;
}

/** Build the translator and formatters for a locale. */
export function createI18n(locale: AppLocale): I18n {
  const catalog = catalogs[locale];
  const format = formattingLocale(locale);
  const pluralRules = new Intl.PluralRules(format);
  return {
    locale,
    language: locale === 'en' ? 'en' : 'es',
    t: (key, params) => interpolate(catalog[key] ?? es[key] ?? key, params),
    plural: (key, count, params) => {
      const form = pluralRules.select(count) === 'one' ? 'one' : 'other';
      return interpolate(catalog[`${key}_${form}` as MessageKey], { count, ...params });
    },
    money: (amount, currency) => formatMoney(amount, currency, format),
    date: (value, style) => formatDate(value, format, style),
    dateTime: (value) => formatDateTime(value, format),
    decimal: (value, minFraction, maxFraction) => formatDecimal(value, format, minFraction, maxFraction),
    parseDecimal: (text) => parseDecimalInput(text, format),
  };
}
