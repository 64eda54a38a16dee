import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SweepReport } from './sweep-report.js';
import { fixtureDataFlags, runCli, tempDir } from './test-fixtures.js';

/** What the real onnxruntime engine reports of its intra-op settings (its `details`), as the CLI prints it. */
const settingsLine = (threads: number, spinning: boolean) => `intraOpNumThreads=${threads}, intraOpSpinning=${spinning}`;

describe('--threads and --spinning reach loadBackend (real onnxruntime)', () => {
  it('train and evaluate run onnxruntime with the settings given, and with its own defaults (1, no spinning) otherwise', async () => {
    const data = await fixtureDataFlags();
    const out = await tempDir();
    const common = ['--backend', 'onnxruntime', ...data, '--batch-size', '64', '--epochs', '1', '--no-progress'];
    const train = await runCli(['train', ...common, '--threads', '2', '--spinning', '--out', out]);
    expect(train.code, train.stderr).toBe(0);
    expect(train.stdout).toMatch(/^training onnxruntime\/cpu \(float32\)[^\n]*\nengine: [^\n]*/m);
    expect(train.stdout).toContain(settingsLine(2, true));

    const defaults = await runCli(['train', ...common, '--out', await tempDir()]);
    expect(defaults.code, defaults.stderr).toBe(0);
    expect(defaults.stdout).toContain(settingsLine(1, false));

    const evaluate = await runCli(['evaluate', '--checkpoint', out, ...data, '--threads', '2', '--no-spinning', '--json']);
    expect(evaluate.code, evaluate.stderr).toBe(0);
    const result = JSON.parse(evaluate.stdout) as { backend: string; details: Record<string, unknown> };
    expect(result.backend).toBe('onnxruntime');
    expect(result.details).toMatchObject({ intraOpNumThreads: 2, intraOpSpinning: false });
    const text = await runCli(['evaluate', '--checkpoint', out, ...data, '--threads', '3']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(settingsLine(3, false));
  });

  it('sweep loads every cell with them and records them in sweep.json', async () => {
    const out = await tempDir();
    const args = ['--backends', 'onnxruntime', '--batch-sizes', '64', '--epochs', '1', '--no-progress', '--out', out];
    const sweep = await runCli(['sweep', ...(await fixtureDataFlags()), ...args, '--threads', '2', '--spinning']);
    expect(sweep.code, sweep.stderr).toBe(0);
    const report = JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8')) as SweepReport;
    expect(report.grid).toMatchObject({ threads: 2, spinning: true });
    expect(report.results).toHaveLength(1);
    expect(report.results[0]?.details).toMatchObject({ intraOpNumThreads: 2, intraOpSpinning: true });
  });
});
