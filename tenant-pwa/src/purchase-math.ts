/**
 * Exact (BigInt, no float) estimate of a supplier invoice's taxable base while it is being typed: the
 * purchases API has no preview endpoint, so the editor shows the sum of the line bases and says that taxes
 * and withholdings are computed by the server on saving. Rounding: half away from zero, to cents, per line
 * (as the server rounds each line's base).
 */

interface Scaled {
  units: bigint;
  scale: number;
}

function parse(text: string): Scaled | null {
  const match = /^([+-])?(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return null;
  const [, sign, whole, fraction = ''] = match;
  const units = BigInt(whole + fraction);
  return { units: sign === '-' ? -units : units, scale: fraction.length };
}

function roundTo(value: Scaled, scale: number): bigint {
  if (value.scale <= scale) return value.units * 10n ** BigInt(scale - value.scale);
  const divisor = 10n ** BigInt(value.scale - scale);
  const negative = value.units < 0n;
  const magnitude = negative ? -value.units : value.units;
  let quotient = magnitude / divisor;
  if ((magnitude % divisor) * 2n >= divisor) quotient += 1n;
  return negative ? -quotient : quotient;
}

function format(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

export interface LineAmounts {
  quantity: string;
  unit_price: string;
  discount_percent?: string | null | undefined;
}

/** quantity × unit price × (1 − discount/100), to cents; null when a value is not a decimal. */
export function lineBase(line: LineAmounts): string | null {
  const quantity = parse(line.quantity);
  const price = parse(line.unit_price);
  const discount = parse(line.discount_percent || '0');
  if (!quantity || !price || !discount) return null;
  const factor = 100n * 10n ** BigInt(discount.scale) - discount.units; // (100 − d) at scale d.scale
  const product = { units: quantity.units * price.units * factor, scale: quantity.scale + price.scale + discount.scale + 2 };
  return format(roundTo(product, 2), 2);
}

/** Sum of the line bases; null while any line is incomplete or not a number. */
export function estimateSubtotal(lines: readonly LineAmounts[]): string | null {
  let total = 0n;
  for (const line of lines) {
    const value = lineBase(line);
    if (value === null) return null;
    total += roundTo(parse(value)!, 2);
  }
  return format(total, 2);
}
