import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBackend, PRESET_TRAINING, presetLayers, sequentialOf } from '@xbackend/core';
import { afterAll, describe, expect, it } from 'vitest';
import { type FirstStep, STOPPED } from './first-step-recorder.js';

const here = fileURLToPath(new URL('.', import.meta.url));

/** A script without its header comment, with its net, its init and its lr replaced by placeholders. */
function shapeOf(script: string): string {
  return readFileSync(join(here, script), 'utf8')
    .replace(/^(\/\/.*\n)+/, '')
    .replace(/^const net = nn\.Sequential\([\s\S]*?\);$/m, 'const net = NET;')
    .replace(/^net\.apply\(init\.\w+\(.*\)\);$/m, 'net.apply(INIT);')
    .replace(/\{ lr: [\d.]+ \}/, '{ lr: LR }');
}

describe('examples/lenet.ts', () => {
  it('is the softmax script with another net, init and lr, and nothing else', () => {
    const lenet = shapeOf('lenet.ts');
    expect(lenet).toContain('const net = NET;\nnet.apply(INIT);');
    expect(lenet).toContain('{ lr: LR }');
    expect(lenet).toBe(shapeOf('concise-softmax-regression.ts'));
  });

  // The script loads the real data before its net sees a batch.
  describe.skipIf(!existsSync('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz'))('on the real Fashion-MNIST', () => {
    const work = mkdtempSync(join(tmpdir(), 'xbackend-lenet-script-'));
    afterAll(() => rmSync(work, { recursive: true, force: true }));

    it("trains core's LeNet preset from its book init with its book lr (first step recorded on the reference backend)", () => {
      const to = join(work, 'first-step.json');
      const run = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', 'lenet.ts'], {
        cwd: here,
        encoding: 'utf8',
        timeout: 110_000,
        env: { ...process.env, XB_BACKEND: join(here, 'first-step-recorder.ts'), XB_RECORD_TO: to },
      });
      expect(run.stderr, run.stdout).toContain(STOPPED);
      const first = JSON.parse(readFileSync(to, 'utf8')) as FirstStep;
      expect(first.spec).toEqual({ layers: presetLayers('lenet', [1, 28, 28], 10), inputShape: [1, 28, 28], numClasses: 10 });
      expect(first.hyper).toEqual({ lr: PRESET_TRAINING.lenet.lr, weightDecay: 0 });
      return expect(bookInitialWeights()).resolves.toEqual(first.initial);
    }, 120_000);
  });
});

/** The preset's first model on a fresh reference backend (seed 0, as the script's), initialised as the book does. */
async function bookInitialWeights(): Promise<FirstStep['initial']> {
  const { nn, dispose } = await loadBackend('reference');
  try {
    const net = sequentialOf(nn, presetLayers('lenet', [1, 28, 28], 10)).apply(PRESET_TRAINING.lenet.initializer());
    return (await net.stateDict()).map((p) => ({ name: p.name, shape: [...p.shape], data: Array.from(p.data) }));
  } finally {
    await dispose();
  }
}
