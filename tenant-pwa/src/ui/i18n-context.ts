import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { createI18n, DEFAULT_LOCALE, type I18n } from '../i18n';

export const I18nContext = createContext<I18n>(createI18n(DEFAULT_LOCALE));

/** Return the translator and formatters of the current locale. */
export function useI18n(): I18n {
  return useContext(I18nContext);
}
