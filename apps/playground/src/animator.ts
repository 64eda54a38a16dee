import { svg } from './dom.ts';

/** A round tick spacing (1, 2, 2.5 or 5 times a power of ten) giving about five ticks over `range`. */
function tickStep(range: number): number {
  const rough = range / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  return ([1, 2, 2.5, 5, 10].find((m) => m * power >= rough) ?? 10) * power;
}

/** One curve of the chart: d2l's `fmts` ('-', 'm--', 'g-.') as SVG strokes. */
interface Series {
  readonly label: string;
  readonly color: string;
  readonly dash: string;
  /** A running average that restarts every epoch: each epoch is its own stroke. */
  readonly perEpoch: boolean;
  readonly points: [number, number][];
  readonly path: SVGPathElement;
}

const WIDTH = 520;
const HEIGHT = 300;
const MARGIN = { left: 46, right: 16, top: 12, bottom: 40 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;

function series(label: string, color: string, dash: string, perEpoch: boolean): Series {
  const path = svg('path', { fill: 'none', stroke: color, 'stroke-width': 2, 'stroke-dasharray': dash || undefined, 'data-series': label });
  return { label, color, dash, perEpoch, points: [], path };
}

/**
 * d2l's `Animator` for `train_ch3`: train loss, train acc and test acc against epochs. Train curves get a point per
 * reported batch (at fractional epochs), test accuracy one per epoch. Points arrive often, so the chart redraws at
 * most once per animation frame, and redraws its axes only when their range changes.
 */
export class Animator {
  readonly element: SVGSVGElement;
  private readonly series = [
    series('train loss', '#1f77b4', '', true),
    series('train acc', '#bf00bf', '7 4', true),
    series('test acc', '#008000', '7 3 2 3', false),
  ];
  private readonly axes = svg('g', { class: 'axis' });
  private axesKey = '';
  private frame: number | undefined;

  constructor(private epochs: number) {
    const legend = svg('g', { class: 'legend' });
    this.series.forEach((s, i) => {
      const x = WIDTH - MARGIN.right - 110;
      // Top right: the loss has fallen and the accuracies sit lower by the time the curves get there.
      const y = MARGIN.top + 14 + 16 * i;
      legend.append(
        svg('line', { x1: x, x2: x + 26, y1: y, y2: y, stroke: s.color, 'stroke-width': 2, 'stroke-dasharray': s.dash || undefined }),
      );
      legend.append(svg('text', { x: x + 32, y: y + 4 }, s.label));
    });
    this.element = svg(
      'svg',
      { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': 'training curves', class: 'animator' },
      this.axes,
      ...this.series.map((s) => s.path),
      legend,
    );
    this.draw();
  }

  reset(epochs: number): void {
    this.epochs = epochs;
    for (const s of this.series) s.points.length = 0;
    this.draw();
  }

  /** Running train loss and accuracy after `batch` of `numBatches` in 1-based `epoch`. */
  addBatch(epoch: number, batch: number, numBatches: number, trainLoss: number, trainAcc: number): void {
    const x = epoch - 1 + batch / numBatches;
    this.series[0]?.points.push([x, trainLoss]);
    this.series[1]?.points.push([x, trainAcc]);
    this.schedule();
  }

  addEpoch(epoch: number, testAcc: number): void {
    this.series[2]?.points.push([epoch, testAcc]);
    this.schedule();
  }

  private schedule(): void {
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      this.draw();
    });
  }

  private draw(): void {
    const values = this.series.flatMap((s) => s.points.map(([, y]) => y)).filter(Number.isFinite);
    // d2l's ylim is [0.3, 0.9]; it grows to show an early loss above it (up to ln 10 ≈ 2.3 at the start).
    const low = Math.min(0.3, ...values);
    const high = Math.min(2.5, Math.max(0.9, ...values));
    const step = tickStep(high - low);
    const yMin = Math.floor(low / step) * step;
    const yMax = Math.ceil(high / step) * step;
    const xOf = (x: number) => MARGIN.left + (x / this.epochs) * PLOT_W;
    const yOf = (y: number) => HEIGHT - MARGIN.bottom - ((y - yMin) / (yMax - yMin)) * PLOT_H;
    const key = `${this.epochs}|${yMin}|${yMax}`;
    if (key !== this.axesKey) {
      this.axesKey = key;
      this.drawAxes(xOf, yOf, yMin, yMax, step);
    }
    for (const s of this.series) {
      const newEpoch = (i: number) => s.perEpoch && Math.ceil(s.points[i]?.[0] ?? 0) !== Math.ceil(s.points[i - 1]?.[0] ?? 0);
      const d = s.points.map(([x, y], i) => `${i === 0 || newEpoch(i) ? 'M' : 'L'}${xOf(x).toFixed(1)},${yOf(y).toFixed(1)}`).join('');
      s.path.setAttribute('d', d);
    }
  }

  private drawAxes(xOf: (x: number) => number, yOf: (y: number) => number, yMin: number, yMax: number, step: number): void {
    const parts: SVGElement[] = [
      svg('rect', { x: MARGIN.left, y: MARGIN.top, width: PLOT_W, height: PLOT_H, fill: 'none', stroke: '#999' }),
    ];
    const xStep = Math.max(1, Math.ceil(this.epochs / 10));
    for (let e = 0; e <= this.epochs; e += xStep) {
      parts.push(svg('line', { x1: xOf(e), x2: xOf(e), y1: HEIGHT - MARGIN.bottom, y2: HEIGHT - MARGIN.bottom + 4, stroke: '#999' }));
      parts.push(svg('text', { x: xOf(e), y: HEIGHT - MARGIN.bottom + 16, 'text-anchor': 'middle' }, String(e)));
    }
    for (let y = yMin; y <= yMax + step / 2; y += step) {
      parts.push(svg('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: yOf(y), y2: yOf(y), stroke: '#eee' }));
      parts.push(svg('text', { x: MARGIN.left - 6, y: yOf(y) + 4, 'text-anchor': 'end' }, y.toFixed(step < 0.1 ? 2 : 1)));
    }
    parts.push(svg('text', { x: (WIDTH + MARGIN.left) / 2, y: HEIGHT - 6, 'text-anchor': 'middle' }, 'epoch'));
    this.axes.replaceChildren(...parts);
  }
}
