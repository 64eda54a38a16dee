import { fileURLToPath } from 'node:url';
import { defaultRegistry } from '@xbackend/core';
import { expect, it } from 'vitest';
import { DEFAULTS } from './bench-options.js';
import { runBench } from './run-bench.js';
import { FIXTURE_TRAIN, fixtureDataDir, tempDir } from './test-fixtures.js';
import { adapter as toyAdapter } from './test-toy-adapter.js';

it('hands its registry to every child: a backend registered by path runs there; one registered as an object is refused', async () => {
  const options = {
    ...DEFAULTS,
    backends: ['toy/float64'],
    epochs: 1,
    warmupEpochs: 0,
    batchSizes: [128],
    data: { dataDir: await fixtureDataDir(), verify: false, download: false },
    baselines: false,
    command: 'test',
  };
  const toy = fileURLToPath(new URL('./test-toy-adapter.ts', import.meta.url));
  const { report } = await runBench({ ...options, out: await tempDir() }, { registry: defaultRegistry.with({ toy }) });
  expect(report.rows.map((r) => [r.target, r.status, r.error])).toEqual([['toy/float64', 'ok', undefined]]);
  expect(report.rows[0]?.samplesPerSecond).toBeGreaterThan(0);
  expect(report.runs[0]?.measurement?.numTrainExamples).toBe(FIXTURE_TRAIN);

  await expect(runBench({ ...options, out: await tempDir() }, { registry: defaultRegistry.with({ toy: toyAdapter }) })).rejects.toThrow(
    "Backend 'toy' is registered as an adapter object, but the bench runs each backend in a child process",
  );
});
