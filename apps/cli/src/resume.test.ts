import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckpointManifest, MetricsFile } from '@xbackend/runs';
import { loadCheckpoint } from '@xbackend/runs';
import { describe, expect, it } from 'vitest';
import { fixtureDataFlags, fixtureFlags, runCli, tempDir } from './test-fixtures.js';

async function readMetrics(dir: string): Promise<MetricsFile> {
  return JSON.parse(await readFile(join(dir, 'metrics.json'), 'utf8')) as MetricsFile;
}

function withoutSeconds(history: MetricsFile['history']) {
  return history.map(({ seconds: _seconds, ...rest }) => rest);
}

/** Trains `epochs` straight, and `first` epochs then a resume to `epochs`; returns both run folders. */
async function straightAndResumed(extra: string[], epochs: number, first: number): Promise<[string, string]> {
  const flags = [...(await fixtureFlags()), '--no-progress', ...extra];
  const [straight, resumed] = [await tempDir(), await tempDir()];
  expect((await runCli(['train', ...flags, '--epochs', String(epochs), '--out', straight])).code).toBe(0);
  expect((await runCli(['train', ...flags, '--epochs', String(epochs), '--checkpoint-every', '1', '--out', resumed])).code).toBe(0);
  // Throw away the later epochs: continue from the checkpoint after `first` epochs.
  const partial = join(resumed, 'checkpoints', `epoch-${String(first).padStart(4, '0')}`);
  const second = await tempDir();
  const run = await runCli(['train', '--resume', partial, '--out', second, ...flags.filter((f) => f !== '--no-progress'), '--no-progress']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(`resuming from ${partial} after epoch ${first}`);
  return [straight, second];
}

describe('resume', () => {
  it('1 epoch + resume 1 epoch reproduces 2 straight epochs bit for bit (history and weights)', async () => {
    const [straight, resumed] = await straightAndResumed([], 2, 1);
    const [a, b] = [await readMetrics(straight), await readMetrics(resumed)];
    expect(withoutSeconds(b.history)).toEqual(withoutSeconds(a.history));
    expect(b.history).toHaveLength(2);
    const [wa, wb] = [await loadCheckpoint(straight), await loadCheckpoint(resumed)];
    expect(wb.epoch).toBe(2);
    expect(await readFile(join(wb.dir, 'tensors.bin'))).toEqual(await readFile(join(wa.dir, 'tensors.bin')));
    expect(wb.manifest.tensorsFile.sha256).toBe(wa.manifest.tensorsFile.sha256);
  });

  it('also with a validation split and early-stopping state', async () => {
    const [straight, resumed] = await straightAndResumed(['--val-fraction', '0.25', '--patience', '5', '--lr', '0.02'], 3, 1);
    const [a, b] = [await readMetrics(straight), await readMetrics(resumed)];
    expect(withoutSeconds(b.history)).toEqual(withoutSeconds(a.history));
    expect(b.history.every((m) => m.valAcc !== undefined)).toBe(true);
    expect(b.modelEpoch).toBe(a.modelEpoch);
    const [wa, wb] = [await loadCheckpoint(straight), await loadCheckpoint(resumed)];
    expect(await readFile(join(wb.dir, 'tensors.bin'))).toEqual(await readFile(join(wa.dir, 'tensors.bin')));
  });

  it('resumes a checkpoint written before LeNet (initStd instead of init) as the run it was', async () => {
    const flags = [...(await fixtureFlags()), '--no-progress'];
    const straight = await tempDir();
    expect((await runCli(['train', ...flags, '--epochs', '2', '--checkpoint-every', '1', '--out', straight])).code).toBe(0);
    // Its epoch-1 checkpoint with the hyperparameters as xbackend wrote them before LeNet.
    const path = join(straight, 'checkpoints', 'epoch-0001', 'manifest.json');
    const manifest = JSON.parse(await readFile(path, 'utf8')) as CheckpointManifest;
    const { init, ...before } = manifest.hyperparameters;
    expect(init).toEqual({ kind: 'normal', std: 0.01 });
    await writeFile(path, JSON.stringify({ ...manifest, hyperparameters: { ...before, initStd: 0.01 } }));
    const resumed = await tempDir();
    const run = await runCli([
      'train',
      '--resume',
      dirname(path),
      '--epochs',
      '2',
      '--out',
      resumed,
      ...(await fixtureDataFlags()),
      '--no-progress',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [a, b] = [await readMetrics(straight), await readMetrics(resumed)];
    expect(withoutSeconds(b.history)).toEqual(withoutSeconds(a.history));
    expect(b.hyperparameters.init).toEqual({ kind: 'normal', std: 0.01 });
    const [wa, wb] = [await loadCheckpoint(straight), await loadCheckpoint(resumed)];
    expect(await readFile(join(wb.dir, 'tensors.bin'))).toEqual(await readFile(join(wa.dir, 'tensors.bin')));
  });

  it('continues in the run folder it came from, and extends a finished run with a larger --epochs', async () => {
    const flags = [...(await fixtureFlags()), '--no-progress'];
    const run = await tempDir();
    expect((await runCli(['train', ...flags, '--epochs', '1', '--out', run])).code).toBe(0);
    const done = await runCli(['train', '--resume', run, ...flags]);
    expect(done.code).toBe(2);
    expect(done.stderr).toContain('has already completed 1 of 1 epochs; pass --epochs N with N > 1 to train further.');
    const more = await runCli(['train', '--resume', run, '--epochs', '2', ...flags]);
    expect(more.code).toBe(0);
    expect((await readMetrics(run)).history.map((m) => m.epoch)).toEqual([1, 2]);
    expect((await loadCheckpoint(run)).epoch).toBe(2);
  });

  it('refuses hyperparameters that differ from the checkpoint, and overwriting a run', async () => {
    const flags = [...(await fixtureFlags()), '--no-progress'];
    const run = await tempDir();
    expect((await runCli(['train', ...flags, '--epochs', '1', '--out', run])).code).toBe(0);
    const changed = await runCli(['train', '--resume', run, '--epochs', '2', ...flags, '--lr', '0.5']);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain("--lr 0.5 differs from the resumed run's 0.1; a resumed run keeps its hyperparameters");
    const reused = await runCli(['train', ...flags, '--epochs', '1', '--out', run]);
    expect(reused.code).toBe(2);
    expect(reused.stderr).toContain(
      `--out ${run} already holds a run (metrics.json); choose another folder, or continue that run with --resume ${run}.`,
    );
    const missing = await runCli(['train', '--resume', join(run, 'nope'), ...flags]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No checkpoint at');
  });
});

describe('resume after a crash, on another backend, with the run settings it had', () => {
  it('finds the newest complete checkpoint when the first write of latest was killed, and removes dead temp files', async () => {
    const flags = [...(await fixtureFlags()), '--no-progress'];
    const run = await tempDir();
    expect((await runCli(['train', ...flags, '--epochs', '1', '--out', run])).code).toBe(0);
    // What SIGKILL during the first update of `latest` leaves: epoch-0001 complete, no pointer, its 0-byte temp file.
    const checkpoints = join(run, 'checkpoints');
    await rm(join(checkpoints, 'latest'));
    await writeFile(join(checkpoints, '.latest.999999999.0badf00d.tmp'), '');
    await writeFile(join(run, '.metrics.json.999999999.0badf00d.tmp'), '');

    const evaluated = await runCli(['evaluate', '--checkpoint', run, ...(await fixtureDataFlags())]);
    expect(evaluated.stderr).toBe('');
    expect(evaluated.code).toBe(0);
    const resumed = await runCli(['train', '--resume', run, ...flags, '--epochs', '2']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`resuming from ${join(checkpoints, 'epoch-0001')} after epoch 1`);
    expect((await readdir(checkpoints)).sort()).toEqual(['epoch-0001', 'epoch-0002', 'latest']);
    expect((await readdir(run)).sort()).toEqual(['checkpoints', 'curves.svg', 'metrics.json']);
  });

  it('records which backend and engine trained each epoch when a run continues on another one', async () => {
    const flags = [...(await fixtureFlags()), '--no-progress'];
    const run = await tempDir();
    expect((await runCli(['train', ...flags, '--epochs', '1', '--out', run])).code).toBe(0);
    const more = await runCli(['train', '--resume', run, ...flags, '--backend', 'reference/float64', '--epochs', '3']);
    expect(more.code).toBe(0);
    expect(more.stdout).toMatch(/^1 .*\(resumed; trained on reference\/float32\)$/m);
    const trainedBy = (history: MetricsFile['history']) => history.map((m) => `${m.epoch} ${m.backend}/${m.engine}`);
    const expected = ['1 reference/float32', '2 reference/float64', '3 reference/float64'];
    const metrics = await readMetrics(run);
    expect(trainedBy(metrics.history)).toEqual(expected);
    expect([metrics.backend, metrics.engine]).toEqual(['reference', 'float64']);
    expect(trainedBy((await loadCheckpoint(run)).history)).toEqual(expected);
  });

  it('keeps --checkpoint-every, and takes a new one when given', async () => {
    const flags = [...(await fixtureFlags()), '--no-progress'];
    const run = await tempDir();
    const checkpoints = async () => (await readdir(join(run, 'checkpoints'))).filter((n) => n !== 'latest').sort();
    expect((await runCli(['train', ...flags, '--epochs', '1', '--checkpoint-every', '1', '--out', run])).code).toBe(0);
    expect((await runCli(['train', '--resume', run, ...flags, '--epochs', '3'])).code).toBe(0);
    expect(await checkpoints()).toEqual(['epoch-0001', 'epoch-0002', 'epoch-0003']);
    expect((await readMetrics(run)).hyperparameters.checkpointEvery).toBe(1);
    expect((await runCli(['train', '--resume', run, ...flags, '--epochs', '7', '--checkpoint-every', '2'])).code).toBe(0);
    // Every 2nd epoch, plus the last one.
    expect(await checkpoints()).toEqual(['epoch-0001', 'epoch-0002', 'epoch-0003', 'epoch-0004', 'epoch-0006', 'epoch-0007']);
    expect((await loadCheckpoint(run)).hyperparameters.checkpointEvery).toBe(2);
  });

  it('evaluates and resumes a run whose backend was given by path, from anywhere', async () => {
    const adapter = fileURLToPath(new URL('./test-toy-adapter.ts', import.meta.url));
    const flags = [...(await fixtureFlags()), '--no-progress'];
    const run = await tempDir();
    const trained = await runCli(
      ['train', ...flags, '--backend', './test-toy-adapter.ts', '--engine', 'float64', '--epochs', '1', '--out', run],
      {
        cwd: dirname(adapter),
      },
    );
    expect(trained.stderr).toBe('');
    expect(trained.code).toBe(0);
    const metrics = await readMetrics(run);
    expect([metrics.backend, metrics.backendRef, metrics.engine]).toEqual(['toy', adapter, 'float64']);

    const evaluated = await runCli(['evaluate', '--checkpoint', run, ...(await fixtureDataFlags())], { cwd: run });
    expect(evaluated.stderr).toBe('');
    expect(evaluated.stdout).toContain('evaluated on toy/float64 (float64)');
    const resumed = await runCli(['train', '--resume', run, '--epochs', '2', ...(await fixtureDataFlags()), '--no-progress']);
    expect(resumed.stderr).toBe('');
    expect(resumed.stdout).toContain('training toy/float64 (float64)');
    expect((await loadCheckpoint(run)).backendRef).toBe(adapter);

    // When the adapter cannot be loaded any more, the error says so and names the flag that chooses another backend.
    const manifestPath = join((await loadCheckpoint(run)).dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
    await writeFile(manifestPath, JSON.stringify({ ...manifest, backendRef: join(run, 'moved-adapter.js') }));
    const moved = await runCli(['evaluate', '--checkpoint', run, ...(await fixtureDataFlags())]);
    expect(moved.code).toBe(1);
    expect(moved.stderr).toContain(
      `was trained on toy/float64 (loaded from ${join(run, 'moved-adapter.js')}), which cannot be loaded here:`,
    );
    expect(moved.stderr).toContain("Pass --backend with a short name, an adapter's package name or a path (and --engine)");
    const { backendRef: _ref, ...unrecorded } = manifest;
    await writeFile(manifestPath, JSON.stringify(unrecorded));
    const unknown = await runCli(['evaluate', '--checkpoint', run, ...(await fixtureDataFlags())]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("was trained on toy/float64, which cannot be loaded here:\nUnknown backend 'toy'.");
    expect(unknown.stderr).toContain('Pass --backend');
    const other = await runCli(['evaluate', '--checkpoint', run, '--backend', 'reference/float64', ...(await fixtureDataFlags())]);
    expect(other.code).toBe(0);
  });
});

describe('early stopping', () => {
  it('stops when validation accuracy stops improving, restores the best weights, and plots validation accuracy', async () => {
    const out = await tempDir();
    const run = await runCli([
      'train',
      ...(await fixtureFlags()),
      '--no-progress',
      '--epochs',
      '10',
      '--val-fraction',
      '0.25',
      '--patience',
      '1',
      '--checkpoint-every',
      '1',
      '--out',
      out,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('450 training + 150 validation / 200 test examples');
    expect(run.stdout).toMatch(/epoch\s+train loss\s+train acc\s+val acc\s+test acc/);
    const metrics = await readMetrics(out);
    expect(metrics.status).toBe('early-stopped');
    expect(metrics.history.length).toBeLessThan(10);
    const valAccs = metrics.history.map((m) => m.valAcc as number);
    const bestEpoch = valAccs.indexOf(Math.max(...valAccs)) + 1;
    expect(metrics.modelEpoch).toBe(bestEpoch);
    expect(metrics.history.length).toBe(bestEpoch + 1); // patience 1
    expect(run.stdout).toContain(`kept the weights of epoch ${bestEpoch}`);
    expect(run.stdout).toContain('stopping early');

    const final = await loadCheckpoint(out);
    const atBest = await loadCheckpoint(join(out, 'checkpoints', `epoch-${String(bestEpoch).padStart(4, '0')}`));
    expect(final.manifest.inference).toBe('best');
    expect(final.inferenceWeights).toEqual(atBest.weights);
    expect(final.weights).not.toEqual(atBest.weights);

    const svg = await readFile(join(out, 'curves.svg'), 'utf8');
    for (const label of ['train loss', 'train acc', 'val acc', 'test acc']) expect(svg).toContain(`data-label="${label}"`);
    expect(svg).toContain('>best</text>');
  });
});
