import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParameterTensor } from '@xbackend/core';
import { describe, expect, it } from 'vitest';
import {
  CheckpointError,
  type CheckpointManifest,
  type CheckpointState,
  loadCheckpoint,
  resolveCheckpointDir,
  runFolderOfCheckpoint,
  saveCheckpoint,
} from './checkpoint.js';
import { isUsageError } from './errors.js';
import { tempDir } from './test-fixtures.js';

function state(epoch: number, overrides: Partial<CheckpointState> = {}): CheckpointState {
  return {
    backend: 'reference',
    engine: 'float64',
    dtype: 'float64',
    model: { layers: [{ kind: 'flatten' }, { kind: 'linear', inFeatures: 3, outFeatures: 2 }], inputShape: [1, 3], numClasses: 2 },
    hyperparameters: {
      batchSize: 4,
      lr: 0.1,
      weightDecay: 0.01,
      epochs: 5,
      seed: 3,
      init: { kind: 'xavierUniform' },
      valFraction: 0.2,
      patience: 2,
    },
    epoch,
    history: [{ epoch: 1, trainLoss: 0.5, trainAcc: 0.8, testAcc: 0.75, seconds: 0.1, valAcc: 0.7 }],
    earlyStopping: { bestEpoch: 1, bestValAcc: 0.7, epochsWithoutImprovement: 0 },
    weights: [
      { name: '1.weight', shape: [2, 3], data: Float64Array.from([0.1, -0.2, 1 / 3, 1e-300, -5, Math.PI]) },
      { name: '1.bias', shape: [2], data: Float64Array.from([0.5, -0.25]) },
    ],
    best: [
      { name: '1.weight', shape: [2, 3], data: Float64Array.from([1, 2, 3, 4, 5, 6]) },
      { name: '1.bias', shape: [2], data: Float64Array.from([7, 8]) },
    ],
    ...overrides,
  };
}

describe('checkpoints', () => {
  it('round-trips every field and tensor bit for bit (float64 and float32)', async () => {
    const dir = join(await tempDir(), 'checkpoints');
    const saved = await saveCheckpoint(dir, state(1));
    expect(saved).toBe(join(dir, 'epoch-0001'));
    const loaded = await loadCheckpoint(dir);
    const expected = state(1);
    expect(loaded.dir).toBe(saved);
    expect(loaded.weights).toEqual(expected.weights);
    expect(loaded.best).toEqual(expected.best);
    expect(loaded.inferenceWeights).toEqual(expected.best);
    expect(loaded.history).toEqual(expected.history);
    expect(loaded.hyperparameters).toEqual(expected.hyperparameters);
    expect(loaded.earlyStopping).toEqual(expected.earlyStopping);
    expect(loaded.manifest).toMatchObject({
      format: 'xbackend-checkpoint',
      version: 1,
      epoch: 1,
      dataOrder: { seed: 3, epoch: 1, batch: 0 },
      optimizer: { kind: 'sgd', state: null },
    });
    expect(loaded.manifest.tensors.map((t) => [t.role, t.name, t.dtype, t.byteOffset, t.byteLength])).toEqual([
      ['weights', '1.weight', 'float64', 0, 48],
      ['weights', '1.bias', 'float64', 48, 16],
      ['best', '1.weight', 'float64', 64, 48],
      ['best', '1.bias', 'float64', 112, 16],
    ]);

    const f32 = state(2, {
      dtype: 'float32',
      weights: [
        { name: '1.weight', shape: [2, 3], data: Float32Array.from([0.1, 2, 3, 4, 5, 6]) },
        { name: '1.bias', shape: [2], data: Float32Array.from([1, 2]) },
      ],
    });
    const { best: _best, earlyStopping: _es, ...noBest } = f32;
    await saveCheckpoint(dir, noBest);
    const latest = await loadCheckpoint(dir);
    expect(latest.epoch).toBe(2);
    expect(latest.weights[0]?.data).toBeInstanceOf(Float32Array);
    expect(latest.weights[0]?.data).toEqual(Float32Array.from([0.1, 2, 3, 4, 5, 6]));
    expect(latest.best).toBeUndefined();
    expect(latest.inferenceWeights).toBe(latest.weights);
    // The older checkpoint stays loadable by its own path.
    expect((await loadCheckpoint(join(dir, 'epoch-0001'))).epoch).toBe(1);
  });

  it('reads checkpoints written before LeNet (initStd, no init) as N(0, initStd); refuses one that says neither', async () => {
    const dir = await tempDir();
    const saved = await saveCheckpoint(
      dir,
      state(1, { hyperparameters: { ...state(1).hyperparameters, init: { kind: 'normal', std: 0.01 } } }),
    );
    const path = join(saved, 'manifest.json');
    const { init: _init, ...before } = (JSON.parse(await readFile(path, 'utf8')) as CheckpointManifest).hyperparameters;
    const manifest = JSON.parse(await readFile(path, 'utf8')) as CheckpointManifest;
    await writeFile(path, JSON.stringify({ ...manifest, hyperparameters: { ...before, initStd: 0.05 } }));
    const old = await loadCheckpoint(dir);
    expect(old.hyperparameters).toEqual({ ...before, init: { kind: 'normal', std: 0.05 } });
    expect(old.manifest.hyperparameters).toEqual(old.hyperparameters);
    await writeFile(path, JSON.stringify({ ...manifest, hyperparameters: before }));
    await expect(loadCheckpoint(dir)).rejects.toThrow(`${path} does not say how the initial weights were drawn (hyperparameters.init).`);
  });

  it('resolves a checkpoint, a checkpoints folder and a run folder to the same checkpoint', async () => {
    const run = await tempDir();
    const saved = await saveCheckpoint(join(run, 'checkpoints'), state(4));
    for (const path of [saved, join(run, 'checkpoints'), run]) expect(await resolveCheckpointDir(path)).toBe(saved);
    expect(runFolderOfCheckpoint(saved)).toBe(run);
    // Saving the same epoch again never overwrites the one `latest` may point at.
    const again = await saveCheckpoint(join(run, 'checkpoints'), state(4));
    expect(again).toBe(join(run, 'checkpoints', 'epoch-0004-2'));
    await expect(resolveCheckpointDir(join(run, 'nothing'))).rejects.toThrow(/No checkpoint at .*nothing: expected a checkpoint directory/);
  });

  it('detects damage: truncated or altered tensors, a foreign manifest, a bad pointer', async () => {
    const run = await tempDir();
    const saved = await saveCheckpoint(run, state(1));
    const tensors = join(saved, 'tensors.bin');
    const bytes = await readFile(tensors);
    await truncate(tensors, 10);
    await expect(loadCheckpoint(saved)).rejects.toThrow(/tensors\.bin has 10 bytes; its manifest says 128\. The checkpoint is damaged\./);
    bytes[3] = (bytes[3] as number) ^ 1;
    await writeFile(tensors, bytes);
    await expect(loadCheckpoint(saved)).rejects.toThrow('does not match the SHA-256 in its manifest');
    const manifest = JSON.parse(await readFile(join(saved, 'manifest.json'), 'utf8'));
    await writeFile(join(saved, 'manifest.json'), JSON.stringify({ ...manifest, version: 99 }));
    await expect(loadCheckpoint(saved)).rejects.toThrow('has format version 99; this xbackend reads version 1');
    await writeFile(join(run, 'latest'), '../../etc\n');
    await expect(loadCheckpoint(run)).rejects.toThrow(CheckpointError);
  });

  it('ignores what a crashed save leaves behind, and the next save removes it', async () => {
    const dir = await tempDir();
    await saveCheckpoint(dir, state(1));
    // What SIGKILL between writing tensors.bin and renaming the directory leaves: a temp dir of a dead process.
    const temp = join(dir, '.tmp-epoch-0002-pid999999999-0badf00d');
    await mkdir(temp);
    await writeFile(join(temp, 'tensors.bin'), new Uint8Array(7));
    expect((await loadCheckpoint(dir)).epoch).toBe(1);
    await saveCheckpoint(dir, state(2));
    expect(await readdir(dir)).toEqual(['epoch-0001', 'epoch-0002', 'latest']);
  });

  it('refuses to save, and to load, tensors that do not fit their layers or a model that does not hold together', async () => {
    const dir = await tempDir();
    const good = state(1);
    const [weight, bias] = good.weights as [ParameterTensor, ParameterTensor];
    // Linear(3, 2) weights are [2, 3]; the same six values as [3, 2] are the transposed layer's.
    const transposed = { ...weight, shape: [3, 2] };
    const saveError = await saveCheckpoint(dir, { ...good, weights: [transposed, bias] }).catch((e: unknown) => e);
    expect((saveError as Error).message).toBe(
      "Refusing to write a checkpoint (weights): parameter '1.weight' has shape [3,2], the model needs [2,3] (PyTorch layout: weights [out, in] or [out, in, kH, kW]).",
    );
    // A damaged checkpoint is a failure (exit code 1), never a bad command line (2).
    expect(saveError).toBeInstanceOf(CheckpointError);
    expect(isUsageError(saveError)).toBe(false);
    await expect(saveCheckpoint(dir, { ...good, best: [weight] })).rejects.toThrow(
      "Refusing to write a checkpoint (best): parameter '1.bias' [2] is missing (got 1.weight); pass every parameter of the model.",
    );
    await expect(saveCheckpoint(dir, { ...good, model: { ...good.model, numClasses: 3 } })).rejects.toThrow(
      'Refusing to write a checkpoint: the model outputs 2 values but the data has 3 classes.',
    );
    expect(await readdir(dir)).toEqual([]);

    // The same mismatches written by something else are refused when read, as damage (not as a bad command line).
    const saved = await saveCheckpoint(dir, good);
    const manifestPath = join(saved, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as CheckpointManifest;
    await writeFile(
      manifestPath,
      JSON.stringify({ ...manifest, tensors: manifest.tensors.map((t, i) => (i === 0 ? { ...t, shape: [3, 2] } : t)) }),
    );
    const transposedError = await loadCheckpoint(saved).catch((e: unknown) => e);
    expect(transposedError).toBeInstanceOf(CheckpointError);
    expect(isUsageError(transposedError)).toBe(false);
    expect((transposedError as Error).message).toBe(
      `${manifestPath} (weights): parameter '1.weight' has shape [3,2], the model needs [2,3] (PyTorch layout: weights [out, in] or [out, in, kH, kW]). ` +
        'The checkpoint is damaged, or was not written by xbackend.',
    );
    await writeFile(manifestPath, JSON.stringify({ ...manifest, model: { ...manifest.model, numClasses: 3 } }));
    await expect(loadCheckpoint(saved)).rejects.toThrow(
      `${manifestPath}: the model outputs 2 values but the data has 3 classes. The checkpoint is damaged, or was not written by xbackend.`,
    );
  });

  it('resolves to the newest complete checkpoint when an update of latest was cut off; a save removes what dead writers left', async () => {
    const run = await tempDir();
    const dir = join(run, 'checkpoints');
    await saveCheckpoint(dir, state(1));
    // SIGKILL during the first write of `latest`: the checkpoint is complete, the pointer's temp file is empty.
    await rm(join(dir, 'latest'));
    const deadTemp = '.latest.999999999.0badf00d.tmp';
    await writeFile(join(dir, deadTemp), '');
    // What a live process is writing (the parent of this test process) must be left alone.
    const liveTemp = `.latest.${process.ppid}.0badf00d.tmp`;
    await writeFile(join(dir, liveTemp), '');
    for (const path of [run, dir]) expect(await resolveCheckpointDir(path)).toBe(join(dir, 'epoch-0001'));
    expect((await loadCheckpoint(run)).epoch).toBe(1);

    // SIGKILL between a later save's rename and its pointer update: `latest` still names the older checkpoint.
    await saveCheckpoint(dir, state(2));
    expect(await readdir(dir)).toContain(liveTemp);
    expect(await readdir(dir)).not.toContain(deadTemp);
    await writeFile(join(dir, 'latest'), 'epoch-0001\n');
    expect(await resolveCheckpointDir(run)).toBe(join(dir, 'epoch-0002'));

    // Newest means last written, not highest epoch: a run resumed from epoch 1 into the same folder continues there.
    await saveCheckpoint(dir, state(3));
    await new Promise((wait) => setTimeout(wait, 5)); // distinct createdAt
    const branch = await saveCheckpoint(dir, state(2));
    expect(branch).toBe(join(dir, 'epoch-0002-2'));
    expect(await resolveCheckpointDir(run)).toBe(branch);
    await rm(join(dir, 'latest'));
    expect(await resolveCheckpointDir(run)).toBe(branch);
  });

  it('refuses to save non-finite weights', async () => {
    const dir = await tempDir();
    const bad = state(1, {
      weights: [{ name: '1.weight', shape: [2, 3], data: Float64Array.from([0, 0, Number.NaN, 0, 0, 0]) }, state(1).weights[1] as never],
    });
    await expect(saveCheckpoint(dir, bad)).rejects.toThrow(
      'Refusing to write a checkpoint: parameter 1.weight has a non-finite value (NaN) at index 2.',
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('survives SIGKILL in the middle of saves: the latest checkpoint is always complete and consistent', async () => {
    const dir = join(await tempDir(), 'checkpoints');
    const writer = fileURLToPath(new URL('./test-checkpoint-writer.ts', import.meta.url));
    const inProgress = async () => (await readdir(dir).catch(() => [] as string[])).filter((n) => n.startsWith('.tmp-'));
    // Kill moments: as soon as a save's temporary directory appears (its files being written), or a fixed delay
    // after a save has begun (while it encodes, writes, renames or updates `latest`).
    const moments: ('mid-write' | number)[] = ['mid-write', 0, 'mid-write', 5, 'mid-write', 15, 'mid-write', 30];
    let caughtMidWrite = 0;
    for (const [round, moment] of moments.entries()) {
      const killAfter = round + 2;
      const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', writer, dir], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let output = '';
      // 'close' comes after stdout has been drained, so `output` then holds everything the child printed.
      const exited = new Promise<NodeJS.Signals | null>((done) => child.on('close', (_code, signal) => done(signal)));
      await new Promise<void>((ready, failed) => {
        let begun = false;
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (begun || !output.includes(`begin ${killAfter}\n`)) return;
          begun = true;
          if (typeof moment === 'number') setTimeout(ready, moment);
          else {
            const poll = async () =>
              (await inProgress()).length > 0 || output.includes(`saved ${killAfter}\n`) ? ready() : setImmediate(poll);
            void poll();
          }
        });
        child.on('close', (code) => failed(new Error(`the checkpoint writer exited early (code ${code}); its output: ${output}`)));
      });
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      if (moment === 'mid-write' && (await inProgress()).length > 0) caughtMidWrite++;

      const loaded = await loadCheckpoint(dir);
      const saves = [...output.matchAll(/saved (\d+)/g)].map((m) => Number(m[1]));
      expect(saves.length).toBeGreaterThan(0);
      const lastSaved = Math.max(...saves);
      // Either the last announced save, or one that completed after its announcement was cut off.
      expect([lastSaved, lastSaved + 1]).toContain(loaded.epoch);
      expect(loaded.history).toHaveLength(loaded.epoch);
      expect(loaded.weights[0]?.data.every((v) => v === loaded.epoch)).toBe(true);
      expect(loaded.weights[1]?.data.every((v) => v === loaded.epoch)).toBe(true);
    }
    // At least one kill really interrupted a save between its first file and its rename.
    expect(caughtMidWrite).toBeGreaterThan(0);
    // The next save cleans up what killed writers left behind.
    await saveCheckpoint(dir, state(99));
    expect(await inProgress()).toEqual([]);
    expect((await loadCheckpoint(dir)).epoch).toBe(99);
  }, 60_000);
});
