import { color, escapeXml, fmt, logRange, logTicks, niceCeil, niceTicks, svgDocument } from '@xbackend/runs';
import { seconds } from './format.js';
import type { BenchReport, BenchRow } from './results.js';

function targetsOf(report: BenchReport): string[] {
  return [...new Set(report.rows.map((r) => r.target))];
}

/**
 * Horizontal bars of median epoch time per backend/engine (one bar per batch size when there are several), with
 * min–max whiskers and the value printed; a failed run shows the word instead of a bar.
 */
export function epochTimeChart(report: BenchReport): string {
  const sizes = report.settings.batchSizes;
  const targets = targetsOf(report);
  const barHeight = 16;
  const groupGap = 10;
  const labelWidth = 190;
  const plotWidth = 520;
  const top = 58;
  const groupHeight = sizes.length * barHeight + groupGap;
  const height = top + targets.length * groupHeight + 40;
  const width = labelWidth + plotWidth + 90;
  const maxMs = Math.max(0.001, ...report.rows.map((r) => r.epochMs?.max ?? 0));
  const axisMax = niceCeil(maxMs / 1000);
  const x = (s: number) => labelWidth + (s / axisMax) * plotWidth;
  const body = [
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">Epoch time per backend/engine (median, min–max), seconds</text>`,
  ];
  if (sizes.length > 1) {
    sizes.forEach((b, i) => {
      const lx = labelWidth + i * 90;
      body.push(`<rect x="${lx}" y="30" width="10" height="10" fill="${color(i)}"/>`, `<text x="${lx + 14}" y="39">B=${b}</text>`);
    });
  } else body.push(`<text x="${width / 2}" y="38" text-anchor="middle" fill="#555">batch size ${sizes[0]}</text>`);
  const bottom = top + targets.length * groupHeight;
  for (const t of niceTicks(0, axisMax, 5)) {
    body.push(`<line x1="${fmt(x(t))}" y1="${top - 4}" x2="${fmt(x(t))}" y2="${bottom}" stroke="#ddd"/>`);
    body.push(`<text x="${fmt(x(t))}" y="${bottom + 16}" text-anchor="middle">${t}</text>`);
  }
  body.push(`<text x="${labelWidth + plotWidth / 2}" y="${bottom + 34}" text-anchor="middle">seconds per epoch</text>`);
  targets.forEach((target, g) => {
    const y0 = top + g * groupHeight;
    body.push(
      `<text x="${labelWidth - 8}" y="${fmt(y0 + (sizes.length * barHeight) / 2 + 4)}" text-anchor="end">${escapeXml(target)}</text>`,
    );
    sizes.forEach((b, i) => {
      const row = report.rows.find((r) => r.target === target && r.batchSize === b);
      const y = y0 + i * barHeight;
      if (!row) return;
      if (!row.epochMs) {
        body.push(`<text x="${labelWidth + 4}" y="${y + barHeight - 4}" fill="#d62728">failed</text>`);
        return;
      }
      const e = row.epochMs;
      const mid = y + barHeight / 2;
      body.push(
        `<rect x="${labelWidth}" y="${y + 2}" width="${fmt(x(e.median / 1000) - labelWidth)}" height="${barHeight - 4}" fill="${color(i)}"><title>${escapeXml(`${target} B=${b}: ${seconds(e.median)} s`)}</title></rect>`,
        `<line x1="${fmt(x(e.min / 1000))}" y1="${mid}" x2="${fmt(x(e.max / 1000))}" y2="${mid}" stroke="#333"/>`,
        `<text x="${fmt(x(e.max / 1000) + 4)}" y="${y + barHeight - 4}" font-size="11">${seconds(e.median)}${row.status === 'failed' ? ' (some repeats failed)' : ''}</text>`,
      );
    });
  });
  body.push(`<line x1="${labelWidth}" y1="${top - 4}" x2="${labelWidth}" y2="${bottom}" stroke="#333"/>`);
  return svgDocument(width, height, body, 'xbackend bench: epoch time per backend/engine');
}

/** Median epoch time against batch size, one line per backend/engine; both axes logarithmic. */
export function batchScalingChart(report: BenchReport): string {
  const sizes = [...report.settings.batchSizes].sort((a, b) => a - b);
  const targets = targetsOf(report);
  const ok = report.rows.filter((r): r is BenchRow & { epochMs: NonNullable<BenchRow['epochMs']> } => r.epochMs !== undefined);
  const left = 70;
  const top = 40;
  const plotWidth = 480;
  const plotHeight = 320;
  const legendWidth = 200;
  const width = left + plotWidth + 30 + legendWidth;
  const height = top + plotHeight + 60;
  const times = ok.map((r) => r.epochMs.median / 1000);
  const lo = times.length > 0 ? Math.min(...times) : 0.1;
  const hi = times.length > 0 ? Math.max(...times) : 1;
  const [yMin, yMax] = logRange(lo, hi);
  const xMin = Math.min(...sizes);
  const xMax = Math.max(...sizes);
  const x = (b: number) => (xMax === xMin ? left + plotWidth / 2 : left + (Math.log2(b / xMin) / Math.log2(xMax / xMin)) * plotWidth);
  const y = (s: number) => top + plotHeight - (Math.log10(s / yMin) / Math.log10(yMax / yMin)) * plotHeight;
  const body = [
    `<text x="${(left + plotWidth) / 2 + 20}" y="20" text-anchor="middle" font-size="14">Median epoch time against batch size</text>`,
  ];
  for (const t of logTicks(yMin, yMax)) {
    body.push(`<line x1="${left}" y1="${fmt(y(t))}" x2="${left + plotWidth}" y2="${fmt(y(t))}" stroke="#eee"/>`);
    body.push(`<text x="${left - 6}" y="${fmt(y(t) + 4)}" text-anchor="end">${t}</text>`);
  }
  for (const b of sizes) {
    body.push(`<line x1="${fmt(x(b))}" y1="${top}" x2="${fmt(x(b))}" y2="${top + plotHeight}" stroke="#eee"/>`);
    body.push(`<text x="${fmt(x(b))}" y="${top + plotHeight + 16}" text-anchor="middle">${b}</text>`);
  }
  body.push(
    `<rect x="${left}" y="${top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#333"/>`,
    `<text x="${left + plotWidth / 2}" y="${top + plotHeight + 36}" text-anchor="middle">batch size</text>`,
    `<text transform="translate(18 ${top + plotHeight / 2}) rotate(-90)" text-anchor="middle">seconds per epoch (log scale)</text>`,
  );
  if (sizes.length === 1) {
    body.push(
      `<text x="${left + plotWidth / 2}" y="${top + 16}" text-anchor="middle" fill="#555">one batch size only: run with --batch-sizes 64,256,1024 for a sweep</text>`,
    );
  }
  targets.forEach((target, i) => {
    const points = sizes.flatMap((b) => {
      const row = ok.find((r) => r.target === target && r.batchSize === b);
      return row ? [[x(b), y(row.epochMs.median / 1000)] as const] : [];
    });
    if (points.length > 1) {
      body.push(
        `<polyline fill="none" stroke="${color(i)}" stroke-width="2" points="${points.map(([px, py]) => `${fmt(px)},${fmt(py)}`).join(' ')}"/>`,
      );
    }
    for (const [px, py] of points) body.push(`<circle cx="${fmt(px)}" cy="${fmt(py)}" r="3.5" fill="${color(i)}"/>`);
    const ly = top + 10 + i * 18;
    const lx = left + plotWidth + 30;
    body.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 18}" y2="${ly}" stroke="${color(i)}" stroke-width="2"/>`);
    body.push(`<text x="${lx + 24}" y="${ly + 4}">${escapeXml(target)}${points.length === 0 ? ' (failed)' : ''}</text>`);
  });
  return svgDocument(width, height, body, 'xbackend bench: epoch time against batch size');
}
