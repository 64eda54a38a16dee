import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  type BackendAdapter,
  BackendUnavailableError,
  DivergenceError,
  importAdapter,
  loadBackend,
  UnknownEngineError,
  writeFileAtomic,
  XBackendError,
} from '@xbackend/core';
import { type Command, Option } from 'commander';
import { addDataOptions, backendChoice, type CommandContext, type DataFlags, dataSource } from './command-options.js';
import { loadRunData, type RunData } from './data.js';
import { DEFAULT_BACKEND, DEFAULT_BATCH_SIZE, DEFAULT_EPOCHS, DEFAULT_INIT_STD, DEFAULT_LR, DEFAULT_SEED } from './defaults.js';
import { fit } from './fit.js';
import { displayPath } from './io.js';
import { softmaxRegression } from './model.js';
import { parseInteger, parseList, parseName, parsePositiveInt, parsePositiveNumber } from './options.js';
import { createProgress } from './progress.js';
import { timestamp } from './run-folder.js';
import { configLabel, type SweepReport, type SweepResult, sweepMarkdown, sweepSvg } from './sweep-report.js';

interface SweepFlags extends DataFlags {
  backends: string[];
  batchSizes: number[];
  lrs: number[];
  epochs: number[];
  seed: number;
  out?: string;
  progress: boolean;
}

export const SWEEP_FILES = { json: 'sweep.json', markdown: 'sweep.md', svg: 'sweep.svg' } as const;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Trains every (backend, batch size, lr) once for the largest epoch count and reads the smaller counts off its
 * history: with the same seed, the first E epochs of a longer run are exactly an E-epoch run.
 */
async function runSweep(flags: SweepFlags, ctx: CommandContext): Promise<SweepResult[]> {
  const { console } = ctx;
  const maxEpochs = Math.max(...flags.epochs);
  const epochCounts = [...new Set(flags.epochs)].sort((a, b) => a - b);
  const results: SweepResult[] = [];
  const dataCache = new Map<number, RunData>();
  const dataFor = async (batchSize: number) => {
    let data = dataCache.get(batchSize);
    if (!data) {
      data = await loadRunData(dataSource(flags), { batchSize, seed: flags.seed }, console.io.stderr);
      dataCache.set(batchSize, data);
    }
    return data;
  };
  const skipAll = (backend: string, status: SweepResult['status'], error: string, engine?: string) => {
    for (const batchSize of flags.batchSizes)
      for (const lr of flags.lrs)
        for (const epochs of epochCounts) results.push({ backend, ...(engine ? { engine } : {}), batchSize, lr, epochs, status, error });
  };

  for (const backend of flags.backends) {
    const choice = backendChoice({ backend });
    const load = () =>
      loadBackend(choice.name, { ...(choice.engine ? { engine: choice.engine } : {}), seed: flags.seed, resolveFrom: ctx.resolveFrom });
    // Checked once, so an unavailable backend costs one line, not one per configuration.
    try {
      await (await load()).dispose();
    } catch (error) {
      if (!(error instanceof BackendUnavailableError)) throw error;
      const reasons = error.attempts.map((a) => `${a.engine}: ${a.reason.split('\n')[0]}`).join('; ');
      console.out(`${backend}: unavailable, skipped (${reasons})`);
      skipAll(choice.name, 'unavailable', errorText(error), choice.engine);
      continue;
    }
    for (const batchSize of flags.batchSizes) {
      const data = await dataFor(batchSize);
      for (const lr of flags.lrs) {
        // A fresh backend per configuration: each model is then the first of its backend and starts from the
        // seed's initial weights, exactly as `xbackend train` would.
        const loaded = await load();
        const hyper = { batchSize, lr, weightDecay: 0, epochs: maxEpochs, seed: flags.seed, initStd: DEFAULT_INIT_STD };
        const progress = createProgress(console.io.stderr, maxEpochs, flags.progress);
        const base = { backend: choice.name, engine: loaded.engine, batchSize, lr };
        try {
          const model = softmaxRegression(data.train.sampleShape, data.train.numClasses);
          const result = await fit({ loaded, data, hyper, model, progress, ...(ctx.signal ? { signal: ctx.signal } : {}) });
          await result.net.dispose();
          for (const epochs of epochCounts) {
            const m = result.history[epochs - 1];
            if (!m) continue;
            const seconds = result.history.slice(0, epochs).reduce((sum, h) => sum + h.seconds, 0);
            const row: SweepResult = {
              ...base,
              epochs,
              status: 'ok',
              trainLoss: m.trainLoss,
              trainAcc: m.trainAcc,
              testAcc: m.testAcc,
              seconds,
            };
            results.push(row);
            console.out(
              `${configLabel(row).padEnd(44)} train loss ${m.trainLoss.toFixed(4)}  train acc ${m.trainAcc.toFixed(4)}  test acc ${m.testAcc.toFixed(4)}  ${seconds.toFixed(2)} s`,
            );
          }
        } catch (error) {
          progress.end();
          if (error instanceof Error && error.name === 'AbortError') throw error;
          const status = error instanceof DivergenceError ? 'diverged' : 'failed';
          for (const epochs of epochCounts) results.push({ ...base, epochs, status, error: errorText(error) });
          console.out(`${configLabel({ ...base, epochs: maxEpochs, status })}: ${status} (${errorText(error).split('\n')[0]})`);
        } finally {
          await loaded.dispose();
        }
      }
    }
  }
  return results;
}

/** Rejects unknown backends and engines before any training (an unavailable one is only skipped later). */
async function checkBackendNames(backends: readonly string[], resolveFrom: string): Promise<void> {
  for (const backend of backends) {
    const choice = backendChoice({ backend });
    let adapter: BackendAdapter;
    try {
      adapter = await importAdapter(choice.name, resolveFrom);
    } catch (error) {
      if (error instanceof BackendUnavailableError) continue;
      throw error;
    }
    const engines = adapter.engines.map((e) => e.name);
    if (choice.engine !== undefined && !engines.includes(choice.engine)) throw new UnknownEngineError(choice.name, choice.engine, engines);
  }
}

export function defineSweep(cmd: Command, ctx: CommandContext): Command {
  addDataOptions(cmd);
  return cmd
    .description(
      'train over a grid of backends, batch sizes, learning rates and epoch counts; writes a Markdown + JSON table and an SVG chart',
    )
    .addOption(
      new Option('--backends <list>', 'comma-separated backends (name or name/engine)')
        .argParser(parseList(parseName))
        .default([DEFAULT_BACKEND]),
    )
    .addOption(
      new Option('--batch-sizes <list>', 'comma-separated batch sizes')
        .argParser(parseList(parsePositiveInt))
        .default([DEFAULT_BATCH_SIZE]),
    )
    .addOption(new Option('--lrs <list>', 'comma-separated learning rates').argParser(parseList(parsePositiveNumber)).default([DEFAULT_LR]))
    .addOption(
      new Option('--epochs <list>', 'comma-separated epoch counts').argParser(parseList(parsePositiveInt)).default([DEFAULT_EPOCHS]),
    )
    .addOption(new Option('--seed <n>', 'seed of every run').argParser(parseInteger).default(DEFAULT_SEED))
    .option('--out <dir>', 'report folder (default: runs/<timestamp>-sweep)')
    .option('--no-progress', 'no progress bar or progress lines')
    .action(async (flags: SweepFlags) => {
      const { console } = ctx;
      await checkBackendNames(flags.backends, ctx.resolveFrom);
      const results = await runSweep(flags, ctx);
      const dir = resolve(console.cwd, flags.out ?? join('runs', `${timestamp()}-sweep`));
      await mkdir(dir, { recursive: true });
      const report: SweepReport = {
        format: 'xbackend-sweep',
        version: 1,
        createdAt: new Date().toISOString(),
        seed: flags.seed,
        grid: { backends: flags.backends, batchSizes: flags.batchSizes, lrs: flags.lrs, epochs: flags.epochs },
        results,
      };
      await writeFileAtomic(join(dir, SWEEP_FILES.json), `${JSON.stringify(report, null, 2)}\n`);
      await writeFileAtomic(join(dir, SWEEP_FILES.markdown), sweepMarkdown(report));
      await writeFileAtomic(join(dir, SWEEP_FILES.svg), sweepSvg(report));
      console.out(
        `wrote ${Object.values(SWEEP_FILES)
          .map((f) => displayPath(console, join(dir, f)))
          .join(', ')}`,
      );
      if (results.every((r) => r.status !== 'ok'))
        throw new XBackendError('SWEEP_FAILED', 'No configuration of the sweep could be trained (see the status column).');
    });
}
