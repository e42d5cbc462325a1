/**
 * Money and date formatting.
 *
 * Money arrives from the API as decimal strings ("1234.50"). `formatMoney` never turns the amount into a
 * float: the integer part goes to Intl as a BigInt (exact at any size) and the fraction digits are put
 * back as the string had them (rounded half away from zero, in BigInt, if there are more digits than the
 * currency has). Intl only supplies the locale's symbols, grouping and layout. This is exact for any
 * amount, not just below 2^53 / 100, and it needs no Intl.NumberFormat v3 string-decimal support.
 *
 * Grouping is 'always': CLDR says Spanish does not group 4-digit numbers (Node 20 prints
 * "1234,50 €" for es-ES), but in invoice columns "1.234,50 €" next to "12.345,50 €" reads better and is
 * what Spanish accounting software shows. Runtimes without useGrouping 'always' fall back to CLDR's rule.
 */

const MONEY_PATTERN = /^([+-])?(\d+)(?:\.(\d+))?$/;
const DATE_ONLY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

const moneyFormatters = new Map<string, Intl.NumberFormat>();

function moneyFormatter(locale: string, currency: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let formatter = moneyFormatters.get(key);
  if (!formatter) {
    // 'always' is ES2023 (Intl.NumberFormat v3); the cast keeps the ES2022 lib types happy.
    const options = { style: 'currency', currency, useGrouping: 'always' } as unknown as Intl.NumberFormatOptions;
    formatter = new Intl.NumberFormat(locale, options);
    moneyFormatters.set(key, formatter);
  }
  return formatter;
}

/** Format a decimal-string amount as currency in a locale, exactly ("1234.50", "EUR", "es-ES" -> "1.234,50 €"). */
export function formatMoney(amount: string, currency: string, locale: string): string {
  const match = MONEY_PATTERN.exec(amount.trim());
  if (!match) throw new RangeError(`Not a decimal amount: ${JSON.stringify(amount)}`);
  const [, sign, integerDigits, fractionDigits = ''] = match;
  const formatter = moneyFormatter(locale, currency);
  const scale = formatter.resolvedOptions().maximumFractionDigits ?? 2;

  let minorUnits = BigInt(integerDigits + fractionDigits.padEnd(scale, '0').slice(0, scale));
  if (fractionDigits.length > scale && fractionDigits[scale] >= '5') minorUnits += 1n;
  const isNegative = sign === '-' && minorUnits !== 0n;
  const base = 10n ** BigInt(scale);
  const integerPart = minorUnits / base;
  const fractionPart = scale ? (minorUnits % base).toString().padStart(scale, '0') : '';

  // Format a number with the same sign and integer part; for "-0.xx" Intl needs a non-zero stand-in.
  const template = isNegative ? -(integerPart === 0n ? 1n : integerPart) : integerPart;
  return formatter
    .formatToParts(template)
    .map((part) => {
      if (part.type === 'fraction') return fractionPart;
      if (part.type === 'integer' && integerPart === 0n) return '0';
      return part.value;
    })
    .join('');
}

export type DateStyle = 'short' | 'medium' | 'long';

/**
 * Format a date. A date-only string ("2026-11-29", as the API sends issue dates) is a calendar day and is
 * formatted as such in every time zone; timestamps are shown in `timeZone` (default: the device's).
 */
export function formatDate(value: string | Date, locale: string, style: DateStyle = 'short', timeZone?: string): string {
  const dateOnly = typeof value === 'string' ? DATE_ONLY_PATTERN.exec(value) : null;
  if (dateOnly) {
    const [, year, month, day] = dateOnly;
    const utc = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
    return new Intl.DateTimeFormat(locale, { ...dateStyleOptions(style), timeZone: 'UTC' }).format(utc);
  }
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new RangeError(`Not a date: ${String(value)}`);
  return new Intl.DateTimeFormat(locale, { ...dateStyleOptions(style), ...(timeZone ? { timeZone } : {}) }).format(date);
}

/** Format a timestamp with date and time (e.g. "29/11/2026, 13:05"). */
export function formatDateTime(value: string | Date, locale: string, timeZone?: string): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new RangeError(`Not a date: ${String(value)}`);
  return new Intl.DateTimeFormat(locale, {
    ...dateStyleOptions('short'),
    hour: '2-digit',
    minute: '2-digit',
    ...(timeZone ? { timeZone } : {}),
  }).format(date);
}

function dateStyleOptions(style: DateStyle): Intl.DateTimeFormatOptions {
  // 'short' is spelled out so the year has four digits (dateStyle 'short' gives "29/11/26" in es-ES).
  if (style === 'short') return { day: '2-digit', month: '2-digit', year: 'numeric' };
  return { dateStyle: style };
}

const DECIMAL_PATTERN = /^([+-])?(\d+)(?:\.(\d+))?$/;

function toScaled(amount: string, scale: number): bigint {
  const match = DECIMAL_PATTERN.exec(amount.trim());
  if (!match) throw new RangeError(`Not a decimal amount: ${JSON.stringify(amount)}`);
  const [, sign, integerDigits, fractionDigits = ''] = match;
  let units = BigInt(integerDigits + fractionDigits.padEnd(scale, '0').slice(0, scale));
  if (fractionDigits.length > scale && fractionDigits[scale] >= '5') units += 1n;
  return sign === '-' ? -units : units;
}

function fromScaled(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return negative ? `-${text}` : text;
}

/** Add decimal-string amounts exactly (no floats), rounded half away from zero to `scale` digits. */
export function sumDecimals(amounts: readonly string[], scale = 2): string {
  return fromScaled(amounts.reduce((total, amount) => total + toScaled(amount, scale), 0n), scale);
}

/**
 * Turn what a user typed into a decimal string the API accepts: "1.234,5" (es) or "1,234.5" (en) or
 * "12,5" -> "1234.5" / "12.5". Returns null when it is not a number.
 */
export function parseDecimalInput(text: string, locale: string): string | null {
  let value = text.trim().replace(/[\s\u00a0\u202f]/g, '');
  if (!value) return null;
  const decimalComma = !locale.startsWith('en');
  if (decimalComma) value = value.replace(/\.(?=\d{3}(\D|$))/g, '').replace(',', '.');
  else value = value.replace(/,(?=\d{3}(\D|$))/g, '');
  return /^-?\d+(\.\d+)?$/.test(value) ? value.replace(/^(-?)0+(?=\d)/, '$1') : null;
}

/** Format a decimal string (quantities, rates) exactly, keeping at least `minFraction` and at most `maxFraction` digits. */
export function formatDecimal(amount: string, locale: string, minFraction = 0, maxFraction = 3): string {
  const units = toScaled(amount, maxFraction);
  let text = fromScaled(units < 0n ? -units : units, maxFraction);
  if (maxFraction) {
    let [integer, fraction] = text.split('.') as [string, string];
    fraction = fraction.replace(/0+$/, '').padEnd(minFraction, '0');
    const grouped = new Intl.NumberFormat(locale, { useGrouping: true }).format(BigInt(integer));
    const separator = new Intl.NumberFormat(locale).formatToParts(1.5).find((p) => p.type === 'decimal')?.value ?? '.';
    text = fraction ? `${grouped}${separator}${fraction}` : grouped;
  } else {
    text = new Intl.NumberFormat(locale).format(BigInt(text));
  }
  return units < 0n ? `-${text}` : text;
}
