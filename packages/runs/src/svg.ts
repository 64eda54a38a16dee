/** Small helpers shared by the hand-written SVG charts of the CLI and the bench. */

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string);
}

/** Coordinates with two decimals: enough for the eye, short in the file. */
export function fmt(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** "Nice" tick values (1, 2 or 5 × 10^k apart) covering [min, max], about `count` of them. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step - 1e-9) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** Upper end of an axis starting at 0 that shows `max` with a nice round top. */
export function niceCeil(max: number): number {
  if (!(max > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  return ([1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((m) => m * magnitude >= max) ?? 10) * magnitude;
}

export function svgDocument(width: number, height: number, body: readonly string[], title: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/** Series colours (matplotlib's tab10), so every chart of a report uses the same colour for the same series. */
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export function color(i: number): string {
  return PALETTE[i % PALETTE.length] as string;
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
