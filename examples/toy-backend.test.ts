import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBench } from '@xbackend/bench';
import { main } from '@xbackend/cli';
import { describeBackend } from '@xbackend/conformance';
import { defaultRegistry, type EngineStatus } from '@xbackend/core';
import { writeSyntheticFashionMnist } from '@xbackend/datasets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapter } from './toy-backend/index.js';
import { TOY_TOLERANCES } from './toy-backend/tolerances.js';

/**
 * "A new backend is one package and one registry line": examples/toy-backend is a backend written outside xbackend,
 * and the line below is all it takes for the CLI and the bench to run it by its short name. Nothing else in the
 * repository mentions it. The conformance suite runs on it through its adapter object, as its own tests would.
 */
const registry = defaultRegistry.with({ toy: fileURLToPath(new URL('./toy-backend/index.ts', import.meta.url)) });

const noWindowLayers = 'the toy backend has Flatten, Linear and ReLU only (it shows the contract, not every layer)';
describeBackend(adapter, {
  tolerances: TOY_TOLERANCES,
  skip: {
    lenetLogits: noWindowLayers,
    lenetStep: noWindowLayers,
    lenetRun: noWindowLayers,
    oddWindows: noWindowLayers,
    saturatedSigmoid: noWindowLayers,
  },
});

describe('the toy backend, registered with one line', () => {
  let work: string;
  let data: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'xbackend-toy-'));
    data = join(work, 'data');
    await mkdir(data);
    await writeSyntheticFashionMnist(data);
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, cwd: work, registry };
    const code = await main(['node', 'xbackend', ...args], io);
    return { code, stdout, stderr };
  }

  it('is listed by `xbackend backends` and trains with `xbackend train --backend toy`', async () => {
    const listed = await cli(['backends', '--json']);
    expect((JSON.parse(listed.stdout) as EngineStatus[]).filter((s) => s.backend === 'toy')).toEqual([
      { backend: 'toy', engine: 'float64', description: 'plain JavaScript loops in float64', available: true },
    ]);
    const dataFlags = ['--data-dir', data, '--no-verify-data', '--no-download'];
    const trained = await cli([
      'train',
      '--backend',
      'toy',
      '--epochs',
      '2',
      '--batch-size',
      '64',
      '--out',
      'run',
      '--no-progress',
      ...dataFlags,
    ]);
    expect(trained.stderr).toBe('');
    expect(trained.code).toBe(0);
    const metrics = JSON.parse(await readFile(join(work, 'run', 'metrics.json'), 'utf8')) as { backend: string; history: unknown[] };
    expect([metrics.backend, metrics.history.length]).toEqual(['toy', 2]);
    // Trained on toy, evaluated on the reference backend: the checkpoint means the same everywhere.
    const evaluated = await cli(['evaluate', '--checkpoint', 'run', '--backend', 'reference/float64', ...dataFlags]);
    expect(evaluated.code).toBe(0);
  });

  it('is measured by the bench like any other backend', async () => {
    const { report } = await runBench(
      {
        backends: ['toy'],
        epochs: 1,
        warmupEpochs: 0,
        batchSizes: [128],
        repeat: 1,
        seed: 0,
        lr: 0.1,
        initStd: 0.01,
        data: { dataDir: data, verify: false, download: false },
        baselines: false,
        out: join(work, 'bench'),
        command: 'toy-backend.test.ts',
      },
      { registry },
    );
    expect(report.rows.map((r) => [r.target, r.status, r.error])).toEqual([['toy/float64', 'ok', undefined]]);
  });
});
