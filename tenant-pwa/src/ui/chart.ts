/**
 * Geometry of the dashboard's 12-month sales/purchases bar chart (inline SVG, no chart library). Pixel
 * positions are display only; the amounts shown as text come from the decimal strings themselves.
 */

export interface MonthAmounts {
  month: string; // "2026-11"
  sales: string;
  purchases: string;
}

export interface Bar {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ChartGeometry {
  width: number;
  height: number;
  /** The largest amount, the top of the scale (a decimal string from the data). */
  max: string;
  months: { month: string; sales: Bar; purchases: Bar; labelX: number }[];
}

/** Bars side by side per month, scaled to the largest amount; negative amounts draw as 0. */
export function chartGeometry(monthly: readonly MonthAmounts[], width = 600, height = 200, gap = 6): ChartGeometry {
  const values = monthly.flatMap((m) => [m.sales, m.purchases]);
  let max = '0';
  for (const value of values) if (Number(value) > Number(max)) max = value;
  const top = Number(max);
  const slot = monthly.length ? width / monthly.length : width;
  const barWidth = Math.max(1, (slot - gap) / 2);
  const bar = (value: string, x: number): Bar => {
    const h = top > 0 ? Math.max(0, (Number(value) / top) * height) : 0;
    return { x: round(x), y: round(height - h), width: round(barWidth), height: round(h) };
  };
  return {
    width,
    height,
    max,
    months: monthly.map((m, index) => {
      const left = index * slot + gap / 2;
      return { month: m.month, sales: bar(m.sales, left), purchases: bar(m.purchases, left + barWidth), labelX: round(left + barWidth) };
    }),
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** "2026-11" → a short month name in the locale ("nov", "Nov"). */
export function monthLabel(month: string, locale: string): string {
  const [year, mon] = month.split('-').map(Number);
  return new Intl.DateTimeFormat(locale, { month: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(year, mon - 1, 1)));
}
