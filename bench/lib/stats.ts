/** Summary statistics of the benchmark's repeated rounds. */

export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** Quantile by linear interpolation between closest ranks (the R-7 / NumPy default). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError('quantile of no values');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is outside 0..1`);
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function spread(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/**
 * Ratios of one series to another, round by round: each pair was measured minutes apart at
 * most, so machine drift (other load, thermal) cancels within a pair. The median of the per-round
 * ratios is the figure a target is checked against; min–max is how much it moved.
 */
export function pairedRatio(numerators: readonly number[], denominators: readonly number[]): Spread {
  if (numerators.length !== denominators.length || numerators.length === 0) {
    throw new RangeError(
      `paired ratio needs equally many rounds (got ${numerators.length} and ${denominators.length})`,
    );
  }
  return spread(numerators.map((value, i) => (denominators[i]! > 0 ? value / denominators[i]! : 0)));
}

/** Growth from a baseline as a fraction (0.1 = 10 %); a zero baseline reports no growth rather than infinity. */
export function growth(baseline: number, later: number): number {
  return baseline > 0 ? (later - baseline) / baseline : 0;
}
