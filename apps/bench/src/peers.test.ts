import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PYTHON, peerUnavailable } from './measure-peer.js';
import type { BenchReport } from './results.js';
import { FIXTURE_TRAIN, fixtureFlags, readReport, runBenchCli, tempDir } from './test-fixtures.js';
import { BENCH_FILES } from './write-outputs.js';

async function bench(extra: string[]): Promise<{ code: number; stderr: string; report: BenchReport; markdown: string }> {
  const out = await tempDir();
  const flags = [...(await fixtureFlags()), '--backends', 'reference/float32', '--epochs', '1', '--batch-sizes', '64', '--out', out];
  const run = await runBenchCli([...flags, ...extra]);
  const report = await readReport(out);
  return { code: run.code, stderr: run.stderr, report, markdown: await readFile(join(out, BENCH_FILES.markdown), 'utf8') };
}

const numpyMissing = await peerUnavailable(DEFAULT_PYTHON, 'numpy', 'softmax');
const torchMissing = await peerUnavailable(DEFAULT_PYTHON, 'pytorch', 'lenet');

describe('the Python peer rows', () => {
  it('say why they did not run when there is no Python for them, and the rest of the bench still runs', async () => {
    const { code, report, markdown } = await bench(['--python', '/nonexistent/python3']);
    expect(code).toBe(0);
    expect(report.rows.map((r) => r.target)).toEqual(['reference/float32']);
    expect(report.skipped.map((s) => s.label)).toEqual(['numpy', 'pytorch']);
    expect(report.skipped[0]?.reason).toMatch(/^\/nonexistent\/python3 could not be started .*pass --python <interpreter>/);
    expect(markdown).toMatch(/\| numpy \| not run: \/nonexistent\/python3 could not be started/);
    expect(markdown).toMatch(/\| pytorch \| not run: /);
  });

  it.skipIf(numpyMissing !== undefined)(
    `numpy trains on the same batches from the same weights as every other row${numpyMissing ? ` (skipped: ${numpyMissing})` : ''}`,
    async () => {
      const { code, stderr, report } = await bench(['--python', DEFAULT_PYTHON]);
      expect(code, stderr).toBe(0);
      const numpy = report.rows.find((r) => r.target === 'numpy');
      const reference = report.rows.find((r) => r.target === 'reference/float32');
      expect(numpy).toMatchObject({ kind: 'peer', status: 'ok', engine: 'python' });
      expect(numpy?.details?.numpy).toMatch(/^\d+\.\d+/);
      expect(numpy?.trainLoss).toBeCloseTo(reference?.trainLoss as number, 4);
      expect(numpy?.testAcc).toBeCloseTo(reference?.testAcc as number, 4);
      expect(numpy?.samplesPerSecond).toBeCloseTo(FIXTURE_TRAIN / ((numpy?.epochMs?.median as number) / 1000), 6);
    },
  );

  it.skipIf(torchMissing !== undefined)(
    `with --model lenet, pytorch runs the book's §7.6 code on the same batches from the same weights; numpy says it has no LeNet${torchMissing ? ` (skipped: ${torchMissing})` : ''}`,
    async () => {
      const { code, stderr, report, markdown } = await bench([
        '--model',
        'lenet',
        '--warmup-epochs',
        '0',
        '--train-examples',
        '128',
        '--test-examples',
        '64',
        '--threads',
        '2',
      ]);
      expect(code, stderr).toBe(0);
      const pytorch = report.rows.find((r) => r.target === 'pytorch');
      expect(pytorch?.details?.threads, '--threads reaches torch.set_num_threads').toBe(2);
      const reference = report.rows.find((r) => r.target === 'reference/float32');
      expect(pytorch).toMatchObject({ kind: 'peer', status: 'ok', engine: 'python' });
      expect(pytorch?.details?.loop).toMatch(/§7\.6.*train_ch6/);
      // Two float32 SGD steps of LeNet (batch 64): measured worst 3.12e-8 from reference/float32 (torch on 2 threads; 2e-8
      // on 1); allowed ≈10× that.
      expect(Math.abs((pytorch?.trainLoss as number) - (reference?.trainLoss as number))).toBeLessThan(3.1e-7);
      expect(report.skipped).toEqual([{ label: 'numpy', reason: expect.stringMatching(/^the numpy peer has no lenet script: /) }]);
      expect(markdown).toMatch(/\| numpy \| not run: the numpy peer has no lenet script/);
    },
  );
});
