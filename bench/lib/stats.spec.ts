import { describe, expect, it } from '@jest/globals';
import { growth, median, pairedRatio, quantile, spread } from './stats.js';

describe('benchmark statistics', () => {
  it('interpolates quantiles between ranks, whatever the input order', () => {
    expect(quantile([40, 10, 30, 20], 0.5)).toBe(25);
    expect(quantile([40, 10, 30, 20], 0.25)).toBe(17.5);
    expect(quantile([3, 1, 2], 0)).toBe(1);
    expect(quantile([3, 1, 2], 1)).toBe(3);
    expect(median([7])).toBe(7);
  });

  it('refuses no values and quantiles outside 0..1', () => {
    expect(() => median([])).toThrow(RangeError);
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
  });

  it('gives the median with the min and max', () => {
    expect(spread([5, 1, 9])).toEqual({ median: 5, min: 1, max: 9 });
  });

  it('pairs ratios round by round, so a drift shared by both sides cancels', () => {
    // The machine slowed down by half in round 2: both sides drop, the ratio stays 0.8.
    const ratio = pairedRatio([800, 400, 820], [1000, 500, 1000]);
    expect(ratio.median).toBeCloseTo(0.8);
    expect(ratio.min).toBeCloseTo(0.8);
    expect(ratio.max).toBeCloseTo(0.82);
  });

  it('refuses series of different lengths and reports 0 against a zero denominator', () => {
    expect(() => pairedRatio([1, 2], [1])).toThrow(RangeError);
    expect(pairedRatio([5], [0])).toEqual({ median: 0, min: 0, max: 0 });
  });

  it('measures growth from a baseline', () => {
    expect(growth(200, 220)).toBeCloseTo(0.1);
    expect(growth(200, 180)).toBeCloseTo(-0.1);
    expect(growth(0, 50)).toBe(0);
  });
});
