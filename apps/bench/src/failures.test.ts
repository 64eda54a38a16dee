import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureFlags, readReport, runBenchCli, tempDir } from './test-fixtures.js';
import { BENCH_FILES } from './write-outputs.js';

describe('a backend that fails mid-run', () => {
  it('throwing: its rows say failed with the error, the others still report, and the exit code is 1', async () => {
    const out = await tempDir();
    const flags = ['--backends', 'reference', '--no-baselines', '--epochs', '1', '--batch-sizes', '64,128', '--out', out];
    const run = await runBenchCli([...(await fixtureFlags()), ...flags, '--inject-fault', 'reference/float64=throw']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('2 of 4 rows failed: reference/float64 (B=64), reference/float64 (B=128)');
    const report = await readReport(out);
    const failed = report.rows.filter((r) => r.status === 'failed');
    expect(failed.map((r) => r.target)).toEqual(['reference/float64', 'reference/float64']);
    for (const row of failed) {
      expect(row.error).toMatch(/injected fault/);
      expect(row.epochMs).toBeUndefined();
    }
    const ok = report.rows.filter((r) => r.status === 'ok');
    expect(ok.map((r) => [r.target, r.batchSize])).toEqual([
      ['reference/float32', 64],
      ['reference/float32', 128],
    ]);
    for (const row of ok) expect(row.epochMs?.count).toBe(1);
    const markdown = await readFile(join(out, BENCH_FILES.markdown), 'utf8');
    expect(markdown).toMatch(/\| reference\/float64 \| \*\*failed\*\*: injected fault/);
    expect(markdown).toContain('## Failed runs');
  });

  it('dying (killed, as by the OOM killer): its row says how the process ended', async () => {
    const out = await tempDir();
    const flags = ['--backends', 'reference', '--no-baselines', '--epochs', '1', '--batch-sizes', '64', '--out', out];
    const run = await runBenchCli([...(await fixtureFlags()), ...flags, '--inject-fault', 'reference/float32=crash']);
    expect(run.code).toBe(1);
    const report = await readReport(out);
    expect(report.rows[0]).toMatchObject({ target: 'reference/float32', status: 'failed' });
    expect(report.rows[0]?.error).toMatch(/the child process was killed by SIGKILL before reporting a result/);
    expect(report.rows[1]).toMatchObject({ target: 'reference/float64', status: 'ok' });
  });
});

describe('bad input', () => {
  it.each([
    [['--backends', 'nope'], /Unknown backend 'nope'. Known backends: reference, onnxruntime, tfjs, gpujs, tfjs-idiomatic/],
    [['--backends', 'reference/float16'], /Backend 'reference' has no engine 'float16'. Its engines: float32, float64/],
    [
      ['--backends', 'reference/float32', '--inject-fault', 'onnxruntime/cpu=throw'],
      /--inject-fault names 'onnxruntime\/cpu', which is not one of this bench's runs/,
    ],
    [['--epochs', '0'], /Expected a whole number >= 1, got '0'/],
    [['--batch-sizes', '64,,256'], /comma-separated list without empty items/],
    [['--train-examples', '100000'], /--train-examples 100000 exceeds the 512 examples/],
    [['--model', 'resnet'], /'resnet' is invalid. Allowed choices are softmax, mlp, lenet/],
    [['--model', 'lenet', '--init-std', '0.1'], /the book initialises lenet xavierUniform .*: leave out --init-std with --model lenet/],
  ])('%j exits with 2, a message saying what is wrong, and writes nothing', async (args, message) => {
    const out = join(await tempDir(), 'out');
    const run = await runBenchCli([...(await fixtureFlags()), ...args, '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });
});
