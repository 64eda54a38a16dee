import { adapter as reference } from '@xbackend/backend-reference';
import { defaultRegistry, type EngineStatus } from '@xbackend/core';
import { expect, it } from 'vitest';
import { fixtureFlags, runCli, tempDir } from './test-fixtures.js';

it('takes its backends from the registry main is given: a name added there lists, trains and shows in --help', async () => {
  const registry = defaultRegistry.with({ toy: { ...reference, name: 'toy', description: 'the reference engines, renamed' } });
  const train = [...(await fixtureFlags()), '--backend', 'toy/float64', '--epochs', '1', '--no-progress'];

  const unknown = await runCli(['train', ...train, '--out', await tempDir()]);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain("Unknown backend 'toy'. Known backends: reference, onnxruntime, tfjs, gpujs.");

  const trained = await runCli(['train', ...train, '--out', await tempDir()], { registry });
  expect(trained.stderr).toBe('');
  expect(trained.code).toBe(0);

  const listed = await runCli(['backends', '--json'], { registry });
  const toy = (JSON.parse(listed.stdout) as EngineStatus[]).filter((s) => s.backend === 'toy');
  expect(toy.map((s) => [s.engine, s.available])).toEqual([
    ['float32', true],
    ['float64', true],
  ]);
  expect((await runCli(['train', '--help'], { registry })).stdout).toContain('backend: reference, onnxruntime, tfjs, gpujs, toy,');
});
