import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listBackends } from '@xbackend/core';
import type { MetricsFile } from '@xbackend/runs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureDataFlags, fixtureFlags, runCli, tempDir } from './test-fixtures.js';

describe('xbackend evaluate', () => {
  let run: string;
  let testAcc: number;
  let dataFlags: string[];

  beforeAll(async () => {
    dataFlags = await fixtureDataFlags();
    run = await tempDir();
    expect((await runCli(['train', ...(await fixtureFlags()), '--epochs', '2', '--no-progress', '--out', run])).code).toBe(0);
    const metrics = JSON.parse(await readFile(join(run, 'metrics.json'), 'utf8')) as MetricsFile;
    testAcc = metrics.history[1]?.testAcc as number;
  });

  it('prints the test accuracy of a checkpoint on the backend it was trained on', async () => {
    const result = await runCli(['evaluate', '--checkpoint', run, ...dataFlags]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`evaluated on reference/float32 (float32): test acc ${testAcc.toFixed(4)} on 200 examples`);
    expect(result.stdout).toContain('(epoch 2, trained on reference/float32)');
  });

  it('loads the same weights on other backends (float64 reference, and every other available engine)', async () => {
    const statuses = await listBackends();
    const targets = [
      'reference/float64',
      ...statuses.filter((s) => s.available && s.backend !== 'reference').map((s) => `${s.backend}/${s.engine}`),
    ];
    for (const target of targets) {
      const result = await runCli(['evaluate', '--checkpoint', run, '--backend', target, '--json', ...dataFlags]);
      expect(result.code, `${target}: ${result.stderr}`).toBe(0);
      const json = JSON.parse(result.stdout) as { testAcc: number; backend: string; engine: string; trainedOn: string };
      expect(`${json.backend}/${json.engine}`).toBe(target);
      expect(json.trainedOn).toBe('reference/float32');
      // float32 vs float64 rounding may flip an example whose two largest logits tie.
      expect(Math.abs(json.testAcc - testAcc), target).toBeLessThanOrEqual(1 / 200);
    }
  });

  it('fails with exit code 1 and says where it looked when there is no checkpoint', async () => {
    const empty = await tempDir();
    const result = await runCli(['evaluate', '--checkpoint', empty, ...dataFlags]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`No checkpoint at ${empty}: expected a checkpoint directory (with manifest.json)`);
  });
});
