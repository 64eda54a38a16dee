import type { ParameterTensor } from '@xbackend/core';

/** `‖a − b‖₂ / ‖b‖₂` over every parameter: how far two runs' weights are apart, relative to their size. */
export function relativeDistance(a: readonly ParameterTensor[], b: readonly ParameterTensor[]): number {
  if (a.length !== b.length) return Number.NaN;
  let diff = 0;
  let norm = 0;
  for (const [i, p] of a.entries()) {
    const q = b[i];
    if (!q || q.data.length !== p.data.length) return Number.NaN;
    for (let k = 0; k < p.data.length; k++) {
      const d = (p.data[k] as number) - (q.data[k] as number);
      diff += d * d;
      norm += (q.data[k] as number) ** 2;
    }
  }
  return Math.sqrt(diff) / Math.sqrt(norm);
}
