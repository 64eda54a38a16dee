/** Chart helpers of the bench's own; the basic SVG ones come from the CLI's. */
export { escapeXml, fmt, niceCeil, svgDocument } from '@xbackend/cli';

export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export function color(i: number): string {
  return PALETTE[i % PALETTE.length] as string;
}

/** About `count` round ticks (1, 2 or 5 × 10^k apart) from 0 to `max`. */
export function linearTicks(max: number, count = 5): number[] {
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let t = 0; t <= max * (1 + 1e-9); t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** The 1-2-5 × 10^k values just below `low` and just above `high`: a logarithmic axis range with round ends. */
export function logRange(low: number, high: number): [number, number] {
  const steps = (v: number) => {
    const k = Math.floor(Math.log10(v));
    return [1, 2, 5, 10].map((m) => Number((m * 10 ** k).toPrecision(12)));
  };
  const min =
    steps(low)
      .filter((t) => t <= low * (1 + 1e-9))
      .at(-1) ?? low;
  const max = steps(high).find((t) => t >= high * (1 - 1e-9)) ?? high;
  return max > min ? [min, max] : [min, min * 2];
}

/** Ticks at 1, 2, 5 × 10^k within [min, max], for a logarithmic axis. */
export function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let k = Math.floor(Math.log10(min)); k <= Math.ceil(Math.log10(max)); k++) {
    for (const m of [1, 2, 5]) {
      const t = Number((m * 10 ** k).toPrecision(12));
      if (t >= min * (1 - 1e-9) && t <= max * (1 + 1e-9)) ticks.push(t);
    }
  }
  return ticks;
}
