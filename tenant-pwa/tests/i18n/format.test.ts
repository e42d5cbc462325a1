import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatDecimal, formatMoney, parseDecimalInput, sumDecimals } from '../../src/i18n/format';

const NBSP = '\u00a0';

describe('formatMoney', () => {
  it('prints the agreed strings for Spain and Ecuador', () => {
    expect(formatMoney('1234.50', 'EUR', 'es-ES')).toBe(`1.234,50${NBSP}€`);
    expect(formatMoney('1234.50', 'USD', 'es-EC')).toBe('$1.234,50');
    expect(formatMoney('1234.50', 'EUR', 'en-GB')).toBe('€1,234.50');
    expect(formatMoney('1234.50', 'USD', 'en-GB')).toBe('US$1,234.50');
  });

  it('groups 4-digit amounts in es-ES although CLDR (and so plain Intl in Node 20) does not', () => {
    // The fact that made us choose useGrouping 'always' (see src/i18n/format.ts).
    const plain = new Intl.NumberFormat('es-ES', { style: 'currency', currency: 'EUR' });
    expect(plain.format(1234.5)).toBe(`1234,50${NBSP}€`);
    expect(formatMoney('1234.50', 'EUR', 'es-ES')).toBe(`1.234,50${NBSP}€`);
    expect(formatMoney('12345.50', 'EUR', 'es-ES')).toBe(`12.345,50${NBSP}€`);
  });

  it('handles signs, zero and short fractions', () => {
    expect(formatMoney('-1234.50', 'EUR', 'es-ES')).toBe(`-1.234,50${NBSP}€`);
    expect(formatMoney('-0.50', 'EUR', 'es-ES')).toBe(`-0,50${NBSP}€`);
    expect(formatMoney('-0.50', 'USD', 'es-EC')).toBe('$-0,50');
    expect(formatMoney('-0.50', 'EUR', 'en-GB')).toBe('-€0.50');
    expect(formatMoney('-0.00', 'EUR', 'es-ES')).toBe(`0,00${NBSP}€`);
    expect(formatMoney('0', 'USD', 'es-EC')).toBe('$0,00');
    expect(formatMoney('+7.5', 'USD', 'es-EC')).toBe('$7,50');
    expect(formatMoney(' 12 ', 'EUR', 'es-ES')).toBe(`12,00${NBSP}€`);
  });

  it('rounds extra decimals half away from zero without floating point', () => {
    expect(formatMoney('1.005', 'EUR', 'es-ES')).toBe(`1,01${NBSP}€`); // 1.005 as a float is 1.00499…
    expect(formatMoney('2.994', 'EUR', 'es-ES')).toBe(`2,99${NBSP}€`);
    expect(formatMoney('9.995', 'EUR', 'es-ES')).toBe(`10,00${NBSP}€`);
    expect(formatMoney('-1.005', 'EUR', 'es-ES')).toBe(`-1,01${NBSP}€`);
    expect(formatMoney('1234.5', 'JPY', 'es-ES')).toBe(`1.235${NBSP}JPY`);
  });

  it('is exact beyond what a float can hold', () => {
    const amount = '98765432109876543210.99';
    expect(formatMoney(amount, 'EUR', 'es-ES')).toBe(`98.765.432.109.876.543.210,99${NBSP}€`);
    // Through Number the same amount is wrong, which is why we never go through float.
    const viaFloat = new Intl.NumberFormat('es-ES', { style: 'currency', currency: 'EUR' }).format(Number(amount));
    expect(viaFloat).not.toBe(`98.765.432.109.876.543.210,99${NBSP}€`);
  });

  it('agrees with Intl on Numbers for 2-decimal amounts up to 1e13', () => {
    const viaNumber = new Intl.NumberFormat('es-EC', { style: 'currency', currency: 'USD' });
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    const samples = ['0.01', '0.10', '1.00', '999.99', '9999999999999.99', '10000000000000.00'];
    for (let i = 0; i < 500; i += 1) {
      const cents = BigInt(random()) * BigInt(random()) % 1_000_000_000_000_000n;
      samples.push(`${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`);
    }
    for (const amount of samples) {
      expect(formatMoney(amount, 'USD', 'es-EC')).toBe(viaNumber.format(Number(amount)));
    }
  });

  it('rejects anything that is not a plain decimal string', () => {
    for (const bad of ['1,234.50', '1.234,50', 'abc', '', '1e3', '.5', '--1']) {
      expect(() => formatMoney(bad, 'EUR', 'es-ES')).toThrow(RangeError);
    }
  });
});

describe('formatDate', () => {
  it('formats calendar days the same in every time zone', () => {
    expect(formatDate('2026-11-29', 'es-ES')).toBe('29/11/2026');
    expect(formatDate('2026-01-05', 'es-EC')).toBe('05/01/2026');
    expect(formatDate('2026-11-29', 'en-GB')).toBe('29/11/2026');
    expect(formatDate('2026-11-29', 'es-ES', 'medium')).toBe('29 nov 2026');
    expect(formatDate('2026-11-29', 'es-ES', 'long')).toBe('29 de noviembre de 2026');
    expect(formatDate('2026-11-29', 'en-GB', 'long')).toBe('29 November 2026');
  });

  it('formats timestamps in the given time zone', () => {
    const lateEvening = '2026-11-29T23:30:00Z';
    expect(formatDate(lateEvening, 'es-ES', 'short', 'Europe/Madrid')).toBe('30/11/2026');
    expect(formatDate(lateEvening, 'es-EC', 'short', 'America/Guayaquil')).toBe('29/11/2026');
    expect(formatDateTime('2026-11-29T13:05:00Z', 'es-ES', 'Europe/Madrid')).toBe('29/11/2026, 14:05');
    expect(formatDateTime('2026-11-29T13:05:00Z', 'es-EC', 'America/Guayaquil')).toBe('29/11/2026, 08:05 a. m.');
    expect(formatDateTime(new Date('2026-11-29T13:05:00Z'), 'en-GB', 'UTC')).toBe('29/11/2026, 13:05');
  });

  it('rejects invalid dates', () => {
    expect(() => formatDate('not a date', 'es-ES')).toThrow(RangeError);
    expect(() => formatDateTime('2026-13-45T99:00:00Z', 'es-ES')).toThrow(RangeError);
  });
});

describe('decimals', () => {
  it('adds decimal strings exactly, beyond float precision', () => {
    expect(sumDecimals(['0.10', '0.20'])).toBe('0.30');
    expect(sumDecimals(['90071992547409.93', '0.01', '-1.00'])).toBe('90071992547408.94');
    expect(sumDecimals(['-12.50', '2.25'])).toBe('-10.25');
    expect(sumDecimals([])).toBe('0.00');
    expect(sumDecimals(['1.005'])).toBe('1.01');
  });

  it('reads what users type in each locale', () => {
    expect(parseDecimalInput('12,5', 'es-ES')).toBe('12.5');
    expect(parseDecimalInput('1.234,50', 'es-ES')).toBe('1234.50');
    expect(parseDecimalInput(' 1 234,5 ', 'es-EC')).toBe('1234.5');
    expect(parseDecimalInput('12.5', 'es-ES')).toBe('12.5');
    expect(parseDecimalInput('1,234.50', 'en-GB')).toBe('1234.50');
    expect(parseDecimalInput('007', 'en-GB')).toBe('7');
    expect(parseDecimalInput('abc', 'es-ES')).toBeNull();
    expect(parseDecimalInput('', 'es-ES')).toBeNull();
  });

  it('formats quantities and rates exactly with the locale separators', () => {
    expect(formatDecimal('1234.500', 'es-ES', 0, 3)).toBe('1.234,5');
    expect(formatDecimal('21.0000', 'es-ES', 0, 2)).toBe('21');
    expect(formatDecimal('12.5', 'es-ES', 2, 4)).toBe('12,50');
    expect(formatDecimal('1234.5', 'en-GB', 2, 4)).toBe('1,234.50');
    expect(formatDecimal('-0.5', 'es-EC', 0, 3)).toBe('-0,5');
    expect(formatDecimal('3', 'es-ES', 0, 0)).toBe('3');
  });
});
