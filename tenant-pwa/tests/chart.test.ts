import { describe, expect, it } from 'vitest';
import { chartGeometry, monthLabel } from '../src/ui/chart';

describe('chartGeometry', () => {
  it('scales the bars to the largest amount, side by side per month', () => {
    const chart = chartGeometry(
      [
        { month: '2026-10', sales: '1000.00', purchases: '250.00' },
        { month: '2026-11', sales: '500.00', purchases: '0.00' },
      ],
      200,
      100,
      0,
    );
    expect(chart.max).toBe('1000.00');
    expect(chart.months[0].sales).toEqual({ x: 0, y: 0, width: 50, height: 100 });
    expect(chart.months[0].purchases).toEqual({ x: 50, y: 75, width: 50, height: 25 });
    expect(chart.months[1].sales).toEqual({ x: 100, y: 50, width: 50, height: 50 });
    expect(chart.months[1].purchases).toEqual({ x: 150, y: 100, width: 50, height: 0 });
    expect(chart.months.map((m) => m.labelX)).toEqual([50, 150]);
  });

  it('draws nothing for an empty year and clamps negative months to zero', () => {
    const empty = chartGeometry([{ month: '2026-01', sales: '0', purchases: '0' }], 100, 50, 0);
    expect(empty.months[0].sales.height).toBe(0);
    const credit = chartGeometry([{ month: '2026-01', sales: '-20', purchases: '10' }], 100, 50, 0);
    expect(credit.months[0].sales).toEqual({ x: 0, y: 50, width: 50, height: 0 });
    expect(credit.months[0].purchases.height).toBe(50);
  });
});

describe('monthLabel', () => {
  it('names the month in the locale, whatever the time zone', () => {
    expect(monthLabel('2026-11', 'es-ES')).toBe('nov');
    expect(monthLabel('2026-01', 'en-GB')).toBe('Jan');
  });
});
