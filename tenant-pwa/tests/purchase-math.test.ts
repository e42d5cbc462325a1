import { describe, expect, it } from 'vitest';
import { estimateSubtotal, lineBase } from '../src/purchase-math';

describe('lineBase', () => {
  it('multiplies quantity by price exactly', () => {
    expect(lineBase({ quantity: '3', unit_price: '19.99' })).toBe('59.97');
    expect(lineBase({ quantity: '0.1', unit_price: '0.2' })).toBe('0.02'); // 0.1 * 0.2 is 0.020000000000000004 in floats
  });

  it('applies the discount and rounds half away from zero to cents', () => {
    expect(lineBase({ quantity: '1', unit_price: '10.005' })).toBe('10.01');
    expect(lineBase({ quantity: '1', unit_price: '-10.005' })).toBe('-10.01');
    expect(lineBase({ quantity: '2', unit_price: '12.50', discount_percent: '10' })).toBe('22.50');
    expect(lineBase({ quantity: '3', unit_price: '3.33', discount_percent: '12.5' })).toBe('8.74'); // 8.74125
    expect(lineBase({ quantity: '1', unit_price: '100', discount_percent: '' })).toBe('100.00');
  });

  it('stays exact beyond float precision', () => {
    expect(lineBase({ quantity: '1000000', unit_price: '123456789012.34' })).toBe('123456789012340000.00');
  });

  it('is null for what is not a decimal', () => {
    expect(lineBase({ quantity: '', unit_price: '1' })).toBeNull();
    expect(lineBase({ quantity: '1', unit_price: '1,5' })).toBeNull();
    expect(lineBase({ quantity: '1', unit_price: '2', discount_percent: 'x' })).toBeNull();
  });
});

describe('estimateSubtotal', () => {
  it('adds the rounded line bases', () => {
    expect(estimateSubtotal([{ quantity: '1', unit_price: '0.005' }, { quantity: '1', unit_price: '0.005' }])).toBe('0.02');
    expect(estimateSubtotal([{ quantity: '2', unit_price: '50' }, { quantity: '1.5', unit_price: '10', discount_percent: '50' }])).toBe('107.50');
  });

  it('is zero without lines and null while a line is incomplete', () => {
    expect(estimateSubtotal([])).toBe('0.00');
    expect(estimateSubtotal([{ quantity: '1', unit_price: '5' }, { quantity: '1', unit_price: '' }])).toBeNull();
  });
});
