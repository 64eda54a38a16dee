import { join } from 'node:path';
import { writeFileAtomic } from '@xbackend/core/node';
import { batchScalingChart, epochTimeChart } from './charts-svg.js';
import { reportMarkdown } from './report-md.js';
import type { BenchReport } from './results.js';

export const BENCH_FILES = {
  json: 'bench.json',
  markdown: 'REPORT.md',
  epochChart: 'epoch-time.svg',
  scalingChart: 'batch-scaling.svg',
} as const;

/**
 * Writes the report's files, each atomically (a reader sees the previous file or the new one, never part of one).
 * Everything is rendered before the first write, and bench.json, which holds every number, is written last.
 */
export async function writeOutputs(dir: string, report: BenchReport): Promise<string[]> {
  const contents: [string, string][] = [
    [BENCH_FILES.epochChart, epochTimeChart(report)],
    [BENCH_FILES.scalingChart, batchScalingChart(report)],
    [BENCH_FILES.markdown, reportMarkdown(report)],
    [BENCH_FILES.json, `${JSON.stringify(report, null, 2)}\n`],
  ];
  const paths: string[] = [];
  for (const [name, text] of contents) {
    const path = join(dir, name);
    await writeFileAtomic(path, text);
    paths.push(path);
  }
  return paths;
}
