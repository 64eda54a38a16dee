import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { presetLayers } from '@xbackend/core';
import { type CheckpointManifest, saveCheckpoint } from '@xbackend/runs';
import { describe, expect, it } from 'vitest';
import { fixtureDataFlags, fixtureFlags, runCli, tempDir } from './test-fixtures.js';

/** A run folder whose checkpoint holds a Fashion-MNIST-shaped softmax model for `classes` classes (the data has 10). */
async function runWithClasses(classes: number): Promise<string> {
  const run = await tempDir();
  await saveCheckpoint(join(run, 'checkpoints'), {
    backend: 'reference',
    engine: 'float32',
    dtype: 'float32',
    model: { layers: presetLayers('softmax', [1, 28, 28], classes), inputShape: [1, 28, 28], numClasses: classes },
    hyperparameters: { batchSize: 64, lr: 0.1, weightDecay: 0, epochs: 2, seed: 0, init: { kind: 'normal', std: 0.01 } },
    epoch: 1,
    history: [],
    weights: [
      { name: '1.weight', shape: [classes, 784], data: new Float32Array(classes * 784).fill(0.01) },
      { name: '1.bias', shape: [classes], data: new Float32Array(classes) },
    ],
  });
  return run;
}

/** Every command that reads a checkpoint, each with what it compares the model to. */
async function commandsOn(run: string): Promise<[args: string[], what: string][]> {
  const data = await fixtureDataFlags();
  return [
    [['evaluate', '--checkpoint', run, ...data], 'the test data'],
    [['predict', '--checkpoint', run, ...data], 'the test data'],
    [['export', '--checkpoint', run, '--out', join(run, 'model.onnx')], 'Fashion-MNIST'],
    [['train', '--resume', run, ...data, '--no-progress'], 'the training data'],
  ];
}

describe('a checkpoint that does not fit the data, or its own layers, is refused with exit code 1', () => {
  it.each([3, 12])('a model for %i classes (the data has 10): evaluate, predict, export, train --resume', async (classes) => {
    const run = await runWithClasses(classes);
    const dir = join(run, 'checkpoints', 'epoch-0001');
    for (const [args, what] of await commandsOn(run)) {
      const result = await runCli(args);
      expect(result.code, `${args[0]}: ${result.stderr}`).toBe(1);
      expect(result.stderr).toContain(
        `${dir} holds a model for ${classes} classes, but ${what} has 10 classes: the model's outputs are not its labels. ` +
          "Use a checkpoint trained on this data ('xbackend train' writes one).",
      );
    }
    // Nothing was written: no predictions.svg, no model.onnx, no metrics.json of a resumed run.
    expect(await readdir(run)).toEqual(['checkpoints']);
  });

  it('a tensor whose shape does not fit its layer: evaluate, predict, export, train --resume', async () => {
    const run = await tempDir();
    expect((await runCli(['train', ...(await fixtureFlags()), '--epochs', '1', '--no-progress', '--out', run])).code).toBe(0);
    const manifestPath = join(run, 'checkpoints', 'epoch-0001', 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as CheckpointManifest;
    // The same 7840 values, so the byte range and SHA-256 still check out; only the layer disagrees.
    const tensors = manifest.tensors.map((t) => (t.name === '1.weight' ? { ...t, shape: [20, 392] } : t));
    await writeFile(manifestPath, JSON.stringify({ ...manifest, tensors }));
    for (const [args] of await commandsOn(run)) {
      const result = await runCli(args);
      expect(result.code, `${args[0]}: ${result.stderr}`).toBe(1);
      expect(result.stderr).toContain(
        `${manifestPath} (weights): parameter '1.weight' has shape [20,392], the model needs [10,784] (PyTorch layout: weights [out, in] or [out, in, kH, kW]). ` +
          'The checkpoint is damaged, or was not written by xbackend.',
      );
    }
  });
});
