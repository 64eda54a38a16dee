/** Order statistics of timing samples. Medians, not means: one scheduler hiccup should not move the headline number. */

export interface Summary {
  readonly count: number;
  readonly min: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
  readonly mean: number;
}

function sorted(values: readonly number[], what: string): number[] {
  if (values.length === 0) throw new RangeError(`${what} of no values`);
  if (values.some((v) => !Number.isFinite(v))) throw new RangeError(`${what} of non-finite values`);
  return [...values].sort((a, b) => a - b);
}

/** Percentile with linear interpolation between closest ranks (numpy's default), `p` in [0, 100]. */
export function percentile(values: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must lie in [0, 100], got ${p}`);
  const s = sorted(values, 'percentile');
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = s[lo] as number;
  const b = s[hi] as number;
  return a + (b - a) * (rank - lo);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function summarize(values: readonly number[]): Summary {
  const s = sorted(values, 'summary');
  return {
    count: s.length,
    min: s[0] as number,
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    max: s[s.length - 1] as number,
    mean: s.reduce((a, b) => a + b, 0) / s.length,
  };
}
