import { describe, expect, it } from 'vitest';
import { createI18n, resolveLocale } from '../../src/i18n';
import { en } from '../../src/i18n/messages/en';
import { es } from '../../src/i18n/messages/es';
import { esEC } from '../../src/i18n/messages/es-EC';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('catalogs', () => {
  it('have the same keys and placeholders in every language', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(es).sort());
    for (const [key, text] of Object.entries(es)) {
      const english = en[key as keyof typeof en];
      expect(english, key).not.toBe('');
      expect(placeholders(english), key).toEqual(placeholders(text));
      const ecuador = esEC[key as keyof typeof esEC];
      if (ecuador !== undefined) expect(placeholders(ecuador), key).toEqual(placeholders(text));
    }
  });
});

describe('translator', () => {
  it('defaults to Spanish and uses the tenant variant', () => {
    expect(resolveLocale(null, null)).toBe('es-ES');
    expect(resolveLocale(undefined, 'es-EC')).toBe('es-EC');
    expect(resolveLocale('es', 'es-ES')).toBe('es-ES');
    expect(resolveLocale('en', 'es-EC')).toBe('en');
  });

  it('translates with placeholders, variants and plurals', () => {
    const spain = createI18n('es-ES');
    const ecuador = createI18n('es-EC');
    const english = createI18n('en');
    expect(spain.t('page.underConstruction')).toBe('En construcción');
    expect(spain.t('nav.settings')).toBe('Ajustes');
    expect(ecuador.t('nav.settings')).toBe('Configuración');
    expect(ecuador.t('nav.customers')).toBe('Clientes');
    expect(english.t('nav.customers')).toBe('Customers');
    expect(spain.t('error.reference', { id: 'abc' })).toBe('Referencia: abc');
    expect(spain.plural('outbox.badge', 1)).toBe('1 pendiente');
    expect(spain.plural('outbox.badge', 3)).toBe('3 pendientes');
    expect(english.plural('user.logoutUnsent', 2)).toBe(
      '2 changes have not reached the server. Logging out will lose them. Log out anyway?',
    );
  });

  it('formats money and dates for the locale', () => {
    expect(createI18n('es-ES').money('1234.50', 'EUR')).toBe('1.234,50\u00a0€');
    expect(createI18n('es-EC').money('1234.50', 'USD')).toBe('$1.234,50');
    expect(createI18n('en').money('1234.50', 'EUR')).toBe('€1,234.50');
    expect(createI18n('en').date('2026-11-29')).toBe('29/11/2026');
  });
});
