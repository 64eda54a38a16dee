import type { ModelPreset } from '@xbackend/core';
import { escapeXml, fmt, niceCeil, niceTicks, svgDocument } from '@xbackend/runs';

/** One cell of the sweep grid: final metrics after `epochs` epochs, or why it has none. */
export interface SweepResult {
  readonly backend: string;
  /** The engine that ran (or the one asked for, when the backend was unavailable). */
  readonly engine?: string;
  readonly batchSize: number;
  readonly lr: number;
  readonly epochs: number;
  readonly status: 'ok' | 'unavailable' | 'diverged' | 'failed';
  readonly trainLoss?: number;
  readonly trainAcc?: number;
  readonly testAcc?: number;
  /** Training + test evaluation time of those epochs (backend setup and data loading excluded). */
  readonly seconds?: number;
  /** The engine as it reported itself (versions, threads, provider), for rows that trained. */
  readonly details?: Readonly<Record<string, string | number | boolean>>;
  readonly error?: string;
}

export interface SweepReport {
  readonly format: 'xbackend-sweep';
  readonly version: 1;
  readonly createdAt: string;
  readonly seed: number;
  readonly grid: {
    /** The book's model every cell trains (reports written before LeNet lack it: softmax). */
    readonly model?: ModelPreset;
    readonly backends: readonly string[];
    readonly batchSizes: readonly number[];
    readonly lrs: readonly number[];
    readonly epochs: readonly number[];
    /** `--threads` and `--spinning` when given (otherwise each engine's default, in each row's details). */
    readonly threads?: number;
    readonly spinning?: boolean;
  };
  readonly results: readonly SweepResult[];
}

export function configLabel(r: SweepResult): string {
  return `${r.engine ? `${r.backend}/${r.engine}` : r.backend} B=${r.batchSize} lr=${r.lr} E=${r.epochs}`;
}

const num = (v: number | undefined, digits: number) => (v === undefined ? '' : v.toFixed(digits));

/** `xbackend sweep: lenet (seed 0)`. */
function title(report: SweepReport): string {
  return `xbackend sweep: ${report.grid.model ?? 'softmax'} (seed ${report.seed})`;
}

export function sweepMarkdown(report: SweepReport): string {
  const lines = [
    `# ${title(report)}`,
    '',
    '| backend | engine | batch size | lr | epochs | train loss | train acc | test acc | seconds | status |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...report.results.map(
      (r) =>
        `| ${r.backend} | ${r.engine ?? ''} | ${r.batchSize} | ${r.lr} | ${r.epochs} | ${num(r.trainLoss, 4)} | ${num(r.trainAcc, 4)} | ${num(r.testAcc, 4)} | ${num(r.seconds, 2)} | ${
          r.status === 'ok' ? 'ok' : `${r.status}: ${(r.error ?? '').split('\n')[0]?.replaceAll('|', '\\|')}`
        } |`,
    ),
    '',
    'Seconds: training and test evaluation of those epochs. Runs with fewer epochs are the first epochs of the longest run of the same',
    'backend, batch size and learning rate; they are identical to separate runs because the data order and initial weights depend only on the seed.',
    '',
  ];
  return lines.join('\n');
}

/** Two horizontal bar panels sharing one row per configuration: final test accuracy, and time. */
export function sweepSvg(report: SweepReport): string {
  const rows = report.results;
  const rowHeight = 22;
  const labelWidth = 260;
  const panel = 220;
  const gap = 40;
  const top = 50;
  const width = labelWidth + 2 * panel + gap + 30;
  const height = top + rows.length * rowHeight + 40;
  const maxSeconds = niceCeil(Math.max(...rows.map((r) => r.seconds ?? 0), 0.01));
  const panels = [
    { title: 'test accuracy', x0: labelWidth, max: 1, value: (r: SweepResult) => r.testAcc, color: '#2ca02c', digits: 3 },
    { title: 'seconds', x0: labelWidth + panel + gap, max: maxSeconds, value: (r: SweepResult) => r.seconds, color: '#1f77b4', digits: 2 },
  ];
  const body = [`<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(title(report))}</text>`];
  const plotBottom = top + rows.length * rowHeight;
  for (const p of panels) {
    body.push(`<text x="${p.x0 + panel / 2}" y="${top - 12}" text-anchor="middle" font-weight="bold">${p.title}</text>`);
    for (const t of niceTicks(0, p.max, 4)) {
      const x = fmt(p.x0 + (t / p.max) * panel);
      body.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${plotBottom}" stroke="#e5e5e5"/>`);
      body.push(`<text x="${x}" y="${plotBottom + 16}" text-anchor="middle" font-size="10">${t}</text>`);
    }
    body.push(`<line x1="${p.x0}" y1="${top}" x2="${p.x0}" y2="${plotBottom}" stroke="#333"/>`);
  }
  rows.forEach((r, i) => {
    const y = top + i * rowHeight;
    body.push(`<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escapeXml(configLabel(r))}</text>`);
    for (const p of panels) {
      const v = p.value(r);
      if (v === undefined) {
        body.push(`<text x="${p.x0 + 6}" y="${y + 15}" fill="#d62728">${escapeXml(r.status)}</text>`);
        continue;
      }
      const w = (Math.min(v, p.max) / p.max) * panel;
      body.push(`<rect class="bar" x="${p.x0}" y="${y + 4}" width="${fmt(w)}" height="${rowHeight - 8}" fill="${p.color}"/>`);
      body.push(`<text x="${fmt(p.x0 + w + 4)}" y="${y + 15}" font-size="10">${v.toFixed(p.digits)}</text>`);
    }
  });
  return svgDocument(width, height, body, 'xbackend sweep');
}
