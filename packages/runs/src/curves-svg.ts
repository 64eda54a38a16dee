import type { RunEpoch } from './run-history.js';
import { escapeXml, fmt, niceCeil, niceTicks, svgDocument } from './svg.js';

interface Series {
  readonly label: string;
  readonly color: string;
  readonly dash: string;
  readonly value: (m: RunEpoch) => number | undefined;
}

/** d2l's Animator styles: train loss '-', train acc 'm--', test acc 'g-.', plus validation accuracy 'r:'. */
const SERIES: readonly Series[] = [
  { label: 'train loss', color: '#1f77b4', dash: '', value: (m) => m.trainLoss },
  { label: 'train acc', color: '#bf00bf', dash: '8 4', value: (m) => m.trainAcc },
  { label: 'val acc', color: '#d62728', dash: '2 3', value: (m) => m.valAcc },
  { label: 'test acc', color: '#2ca02c', dash: '8 3 2 3', value: (m) => m.testAcc },
];

export interface CurvesOptions {
  /** Epochs planned: the x axis spans them from the first epoch on, so the chart fills in as training runs. */
  readonly totalEpochs: number;
  readonly title: string;
  /** Marks the epoch whose weights were kept (early stopping). */
  readonly bestEpoch?: number;
}

/** A line chart of the per-epoch metrics (d2l's Animator): axes, ticks, grid, legend, one point per epoch. */
export function curvesSvg(history: readonly RunEpoch[], options: CurvesOptions): string {
  const width = 560;
  const height = 380;
  const plot = { left: 60, right: 150, top: 40, bottom: 50 };
  const w = width - plot.left - plot.right;
  const h = height - plot.top - plot.bottom;
  const lastEpoch = Math.max(options.totalEpochs, history.at(-1)?.epoch ?? 1);
  // One epoch: centre its point instead of drawing it on the frame.
  const xMin = lastEpoch > 1 ? 1 : 0.5;
  const xMax = lastEpoch > 1 ? lastEpoch : 1.5;
  const series = SERIES.filter((s) => history.some((m) => s.value(m) !== undefined));
  const values = history.flatMap((m) => series.map((s) => s.value(m)).filter((v): v is number => v !== undefined && Number.isFinite(v)));
  const yMax = niceCeil(Math.max(1, ...values));
  const x = (epoch: number) => plot.left + ((epoch - xMin) / (xMax - xMin)) * w;
  const y = (v: number) => plot.top + h - (v / yMax) * h;

  const body: string[] = [`<text x="${plot.left + w / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(options.title)}</text>`];
  const xStep = Math.max(1, Math.ceil((xMax - xMin) / 10));
  for (let e = Math.ceil(xMin); e <= xMax; e += xStep) {
    body.push(`<line x1="${fmt(x(e))}" y1="${plot.top}" x2="${fmt(x(e))}" y2="${plot.top + h}" stroke="#e5e5e5"/>`);
    body.push(`<text x="${fmt(x(e))}" y="${plot.top + h + 16}" text-anchor="middle">${e}</text>`);
  }
  for (const t of niceTicks(0, yMax, 5)) {
    body.push(`<line x1="${plot.left}" y1="${fmt(y(t))}" x2="${plot.left + w}" y2="${fmt(y(t))}" stroke="#e5e5e5"/>`);
    body.push(`<text x="${plot.left - 6}" y="${fmt(y(t) + 4)}" text-anchor="end">${t}</text>`);
  }
  body.push(`<rect x="${plot.left}" y="${plot.top}" width="${w}" height="${h}" fill="none" stroke="#333"/>`);
  body.push(`<text x="${plot.left + w / 2}" y="${height - 12}" text-anchor="middle">epoch</text>`);
  if (options.bestEpoch !== undefined) {
    const bx = fmt(x(options.bestEpoch));
    body.push(`<line x1="${bx}" y1="${plot.top}" x2="${bx}" y2="${plot.top + h}" stroke="#999" stroke-dasharray="1 3"/>`);
    body.push(`<text x="${bx}" y="${plot.top - 4}" text-anchor="middle" fill="#666">best</text>`);
  }
  series.forEach((s, i) => {
    const points = history.flatMap((m) => {
      const v = s.value(m);
      return v !== undefined && Number.isFinite(v) ? [[x(m.epoch), y(v)] as const] : [];
    });
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    body.push(
      `<polyline class="series" data-label="${s.label}" fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${points.map(([px, py]) => `${fmt(px)},${fmt(py)}`).join(' ')}"/>`,
    );
    for (const [px, py] of points) body.push(`<circle cx="${fmt(px)}" cy="${fmt(py)}" r="2.5" fill="${s.color}"/>`);
    const ly = plot.top + 14 + i * 20;
    const lx = plot.left + w + 14;
    body.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 28}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    body.push(`<text x="${lx + 34}" y="${ly + 4}">${s.label}</text>`);
  });
  return svgDocument(width, height, body, options.title);
}
