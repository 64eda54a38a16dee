import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MetricsFile } from '@xbackend/runs';
import { describe, expect, it } from 'vitest';
import type { SweepReport } from './sweep-report.js';
import { fixtureDataFlags, runCli, tempDir } from './test-fixtures.js';

describe('xbackend sweep', () => {
  it('trains the whole grid and writes Markdown, JSON and SVG; E-epoch rows equal separate E-epoch runs', async () => {
    const dataFlags = await fixtureDataFlags();
    const out = await tempDir();
    const result = await runCli([
      'sweep',
      ...dataFlags,
      '--backends',
      'reference,reference/float64',
      '--batch-sizes',
      '32,64',
      '--lrs',
      '0.05,0.1',
      '--epochs',
      '2,1',
      '--no-progress',
      '--out',
      out,
    ]);
    expect(result.code).toBe(0);
    const report = JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8')) as SweepReport;
    expect(report.results).toHaveLength(16);
    expect(report.results.every((r) => r.status === 'ok')).toBe(true);
    expect(new Set(report.results.map((r) => `${r.engine} ${r.batchSize} ${r.lr} ${r.epochs}`)).size).toBe(16);

    for (const epochs of [1, 2]) {
      const run = await tempDir();
      const train = await runCli([
        'train',
        '--backend',
        'reference',
        ...dataFlags,
        '--batch-size',
        '64',
        '--lr',
        '0.1',
        '--epochs',
        String(epochs),
        '--no-progress',
        '--out',
        run,
      ]);
      expect(train.code).toBe(0);
      const last = (JSON.parse(await readFile(join(run, 'metrics.json'), 'utf8')) as MetricsFile).history.at(-1);
      const row = report.results.find((r) => r.engine === 'float32' && r.batchSize === 64 && r.lr === 0.1 && r.epochs === epochs);
      expect(row).toMatchObject({ trainLoss: last?.trainLoss, trainAcc: last?.trainAcc, testAcc: last?.testAcc });
    }

    const markdown = await readFile(join(out, 'sweep.md'), 'utf8');
    expect(markdown.split('\n').filter((l) => l.startsWith('| reference |'))).toHaveLength(16);
    const svg = await readFile(join(out, 'sweep.svg'), 'utf8');
    expect(svg.match(/class="bar"/g)).toHaveLength(32); // accuracy and time per row
    expect(svg).toContain('reference/float64 B=32 lr=0.05 E=2');
  });

  it('records an unavailable backend in the table and still trains the others', async () => {
    const { listBackends } = await import('@xbackend/core');
    const unavailable = (await listBackends()).find((s) => !s.available && s.engine !== '*');
    if (!unavailable) return; // every engine runs here
    const out = await tempDir();
    const name = `${unavailable.backend}/${unavailable.engine}`;
    const result = await runCli([
      'sweep',
      ...(await fixtureDataFlags()),
      '--backends',
      `reference,${name}`,
      '--epochs',
      '1',
      '--no-progress',
      '--out',
      out,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${name}: unavailable, skipped`);
    const report = JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8')) as SweepReport;
    expect(report.results.map((r) => [r.backend, r.engine, r.status])).toEqual([
      ['reference', 'float32', 'ok'],
      [unavailable.backend, unavailable.engine, 'unavailable'],
    ]);
    expect(await readFile(join(out, 'sweep.md'), 'utf8')).toContain(`| ${unavailable.backend} | ${unavailable.engine} |`);
  });
});
