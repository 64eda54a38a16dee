import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCheckpoint, type MetricsFile } from '@xbackend/runs';
import { describe, expect, it } from 'vitest';
import { fixtureFlags, runCli, tempDir } from './test-fixtures.js';

async function readMetrics(dir: string): Promise<MetricsFile> {
  return JSON.parse(await readFile(join(dir, 'metrics.json'), 'utf8')) as MetricsFile;
}

it('an aborted run (Ctrl-C) exits with 130 and its metrics say interrupted', async () => {
  const out = await tempDir();
  const controller = new AbortController();
  controller.abort();
  const run = await runCli(['train', ...(await fixtureFlags()), '--epochs', '1', '--no-progress', '--out', out], {
    signal: controller.signal,
  });
  expect(run.code).toBe(130);
  expect(run.stderr).toContain('interrupted during epoch 1: no epoch had finished, so there is no state to continue from.');
  expect(run.stderr).toContain('xbackend: interrupted');
  const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
  expect(metrics.status).toBe('interrupted');
  expect(existsSync(join(out, 'checkpoints'))).toBe(false);
});

/** `xbackend train args` as a real process, sent `signal` once its progress lines say a quarter of epoch 3 is done. */
async function trainUntilSignal(signal: NodeJS.Signals, args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const bin = fileURLToPath(new URL('./bin.ts', import.meta.url));
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', bin, 'train', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  // 'close' comes after both streams have been drained.
  const closed = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  child.stdout.resume();
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    const quarter = /^epoch 3\/\d+ +25%/m;
    const before = stderr;
    stderr += text;
    if (!quarter.test(before) && quarter.test(stderr)) child.kill(signal);
  });
  return { code: await closed, stderr };
}

/**
 * The signal comes a quarter into epoch 3, on a backend whose steps yield to the event loop (ONNX Runtime runs them
 * on its own threads), so it is handled within that epoch: 300 batches of 2 take about 0.4 s here, far longer than
 * the signal takes to arrive. (A backend that computes on the JavaScript thread handles it between epochs.)
 */
const SIGNALLED = ['--backend', 'onnxruntime', '--batch-size', '2'];

describe('SIGINT and SIGTERM stop training cleanly', () => {
  it.each([
    ['SIGINT', 130, []],
    ['SIGTERM', 143, []],
    ['SIGINT', 130, ['--checkpoint-every', '1']],
  ] as const)(
    '%s in epoch 3: the state after epoch 2 is kept, the message says where, exit code %i (%j)',
    async (signal, code, extra) => {
      const flags = [...(await fixtureFlags()), ...SIGNALLED];
      const out = await tempDir();
      const run = await trainUntilSignal(signal, [...flags, ...extra, '--epochs', '100000', '--out', out]);
      expect(run.code, run.stderr).toBe(code);

      const metrics = await readMetrics(out);
      expect(metrics.status).toBe('interrupted');
      expect(metrics.history.map((m) => m.epoch)).toEqual([1, 2]);
      const checkpoint = await loadCheckpoint(out);
      expect(checkpoint.epoch).toBe(2);
      expect(checkpoint.history).toEqual(metrics.history);
      const where =
        extra.length === 0 ? `saved the state after epoch 2 to ${checkpoint.dir}` : `the state after epoch 2 is in ${checkpoint.dir}`;
      expect(run.stderr).toContain(`interrupted (${signal}) during epoch 3: ${where}; continue with: xbackend train --resume ${out}`);
      expect(run.stderr).toContain(`xbackend: interrupted (${signal})`);

      // The weights are those after epoch 2, not those a quarter into epoch 3: a straight 2-epoch run ends with the
      // same bytes, so resuming continues as the uninterrupted run would.
      const straight = await tempDir();
      expect((await runCli(['train', ...flags, '--no-progress', '--epochs', '2', '--out', straight])).code).toBe(0);
      const straightCheckpoint = await loadCheckpoint(straight);
      expect(await readFile(join(checkpoint.dir, 'tensors.bin'))).toEqual(await readFile(join(straightCheckpoint.dir, 'tensors.bin')));
    },
    60_000,
  );
});
