import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BackendUnavailableError, D2L_DEFAULTS, DivergenceError, type ModelPreset, PRESET_TRAINING, XBackendError } from '@xbackend/core';
import { writeFileAtomic } from '@xbackend/core/node';
import {
  absoluteBackendItem,
  addDataOptions,
  addThreadOptions,
  type DataFlags,
  displayPath,
  type GridTarget,
  gridStatuses,
  type PlanOptions,
  parseInteger,
  parseList,
  parseName,
  parsePositiveInt,
  parsePositiveNumber,
  planTargets,
  presetInit,
  runGrid,
  type ThreadFlags,
  threadOptions,
  timestamp,
} from '@xbackend/runs';
import { type Command, Option } from 'commander';
import { bookLrs, type CommandContext, dataSource, loadChoice, modelOption } from './command-options.js';
import { checkTrainingBatchSize, loadRunData, type RunData } from './data.js';
import { DEFAULT_BACKEND } from './defaults.js';
import { createProgress } from './epoch-progress.js';
import { fit } from './fit.js';
import { presetModel } from './model-choice.js';
import { configLabel, type SweepReport, type SweepResult, sweepMarkdown, sweepSvg } from './sweep-report.js';

interface SweepFlags extends DataFlags, ThreadFlags {
  model: ModelPreset;
  backends: string[];
  batchSizes: number[];
  /** Undefined: the model's book lr. */
  lrs?: number[];
  epochs: number[];
  seed: number;
  out?: string;
  progress: boolean;
}

export const SWEEP_FILES = { json: 'sweep.json', markdown: 'sweep.md', svg: 'sweep.svg' } as const;

/** One cell of the grid: a backend/engine at one batch size and lr, trained once for the largest epoch count. */
interface SweepCell {
  readonly target: GridTarget;
  readonly batchSize: number;
  readonly lr: number;
}

/** What a cell yields for one epoch count. */
type Outcome = Pick<SweepResult, 'status' | 'trainLoss' | 'trainAcc' | 'testAcc' | 'seconds' | 'details' | 'error'>;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

/**
 * Trains every (backend, batch size, lr) once for the largest epoch count and reads the smaller counts off its
 * history: with the same seed, the first E epochs of a longer run are exactly an E-epoch run. The backends are planned
 * from the registry first (a name alone means the engine `loadBackend` would choose); an unavailable one fills its
 * rows with the reason, and a configuration that fails or diverges does not stop the others.
 */
async function runSweep(flags: SweepFlags, lrs: readonly number[], ctx: CommandContext): Promise<SweepResult[]> {
  const { console } = ctx;
  const requested = flags.backends.map((item) => absoluteBackendItem(item, console.cwd));
  const plan: PlanOptions = { requested, engines: 'first-available', what: '--backends item' };
  const { targets } = planTargets(await gridStatuses({ ...plan, registry: ctx.registry, resolveFrom: ctx.resolveFrom }), plan);
  const maxEpochs = Math.max(...flags.epochs);
  const epochCounts = [...new Set(flags.epochs)].sort((a, b) => a - b);
  for (const t of targets.filter((t) => t.unavailable.length > 0)) {
    console.out(`${t.label}: unavailable, skipped (${t.unavailable.map((a) => `${a.engine}: ${firstLine(a.reason)}`).join('; ')})`);
  }
  // Loaded before the grid, so missing data fails the sweep once instead of every configuration.
  const data = new Map<number, RunData>();
  if (targets.some((t) => t.unavailable.length === 0)) {
    for (const batchSize of flags.batchSizes) {
      const runData = await loadRunData(dataSource(flags), { batchSize, seed: flags.seed }, console.io.stderr);
      checkTrainingBatchSize(batchSize, runData, '--batch-sizes');
      data.set(batchSize, runData);
    }
  }

  /** A cell's rows, one per epoch count that has an outcome. */
  const rows = (cell: SweepCell, engine: string | undefined, outcome: (epochs: number) => Outcome | undefined): SweepResult[] =>
    epochCounts.flatMap((epochs) => {
      const row = outcome(epochs);
      const base = { backend: cell.target.backend, ...(engine ? { engine } : {}), batchSize: cell.batchSize, lr: cell.lr, epochs };
      return row ? [{ ...base, ...row }] : [];
    });

  const train = async (cell: SweepCell): Promise<SweepResult[]> => {
    const { target, batchSize, lr } = cell;
    if (target.unavailable.length > 0) {
      const error = new BackendUnavailableError(target.backend, target.unavailable).message;
      return rows(cell, target.engine, () => ({ status: 'unavailable', error }));
    }
    const runData = data.get(batchSize) as RunData;
    // A fresh backend per configuration: each model is then the first of its backend and starts from the seed's
    // initial weights, exactly as `xbackend train` would.
    const loaded = await loadChoice(target, flags.seed, ctx, flags);
    const progress = createProgress(console.io.stderr, maxEpochs, flags.progress);
    try {
      const hyper = { batchSize, lr, weightDecay: 0, epochs: maxEpochs, seed: flags.seed, init: presetInit(flags.model) };
      const result = await fit({
        loaded,
        data: runData,
        hyper,
        model: presetModel(flags.model, runData.train),
        progress,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      await result.net.dispose();
      return rows(cell, loaded.engine, (epochs) => {
        const m = result.history[epochs - 1];
        if (!m) return undefined;
        const seconds = result.history.slice(0, epochs).reduce((sum, h) => sum + h.seconds, 0);
        return { status: 'ok', trainLoss: m.trainLoss, trainAcc: m.trainAcc, testAcc: m.testAcc, seconds, details: loaded.backend.details };
      });
    } finally {
      progress.end();
      await loaded.dispose();
    }
  };
  const failed = (cell: SweepCell, error: unknown): SweepResult[] => {
    const status = error instanceof DivergenceError ? 'diverged' : 'failed';
    return rows(cell, cell.target.engine, () => ({ status, error: errorText(error) }));
  };
  const print = (_cell: SweepCell, results: readonly SweepResult[]) => {
    const [first] = results;
    if (first?.status === 'diverged' || first?.status === 'failed') {
      console.out(`${configLabel({ ...first, epochs: maxEpochs })}: ${first.status} (${firstLine(first.error ?? '')})`);
    }
    for (const r of results.filter((r) => r.status === 'ok')) {
      console.out(
        `${configLabel(r).padEnd(44)} train loss ${r.trainLoss?.toFixed(4)}  train acc ${r.trainAcc?.toFixed(4)}  test acc ${r.testAcc?.toFixed(4)}  ${r.seconds?.toFixed(2)} s`,
      );
    }
  };

  const cells = targets.flatMap((target) => flags.batchSizes.flatMap((batchSize) => lrs.map((lr) => ({ target, batchSize, lr }))));
  const results = await runGrid(cells, train, failed, { ...(ctx.signal ? { signal: ctx.signal } : {}), onEnd: print });
  return results.flat();
}

export function defineSweep(cmd: Command, ctx: CommandContext): Command {
  addThreadOptions(cmd);
  addDataOptions(cmd);
  return cmd
    .description(
      'train over a grid of backends, batch sizes, learning rates and epoch counts; writes a Markdown + JSON table and an SVG chart',
    )
    .addOption(modelOption())
    .addOption(
      new Option('--backends <list>', 'comma-separated backends (name or name/engine)')
        .argParser(parseList(parseName))
        .default([DEFAULT_BACKEND]),
    )
    .addOption(
      new Option('--batch-sizes <list>', 'comma-separated batch sizes')
        .argParser(parseList(parsePositiveInt))
        .default([D2L_DEFAULTS.batchSize]),
    )
    .addOption(
      new Option('--lrs <list>', `comma-separated learning rates (default: ${bookLrs()})`).argParser(parseList(parsePositiveNumber)),
    )
    .addOption(
      new Option('--epochs <list>', 'comma-separated epoch counts')
        .argParser(parseList(parsePositiveInt))
        .default([D2L_DEFAULTS.numEpochs]),
    )
    .addOption(new Option('--seed <n>', 'seed of every run').argParser(parseInteger).default(D2L_DEFAULTS.seed))
    .option('--out <dir>', 'report folder (default: runs/<timestamp>-sweep)')
    .option('--no-progress', 'no progress bar or progress lines')
    .action(async (flags: SweepFlags) => {
      const { console } = ctx;
      const lrs = flags.lrs ?? [PRESET_TRAINING[flags.model].lr];
      const results = await runSweep(flags, lrs, ctx);
      const dir = resolve(console.cwd, flags.out ?? join('runs', `${timestamp()}-sweep`));
      await mkdir(dir, { recursive: true });
      const report: SweepReport = {
        format: 'xbackend-sweep',
        version: 1,
        createdAt: new Date().toISOString(),
        seed: flags.seed,
        grid: {
          model: flags.model,
          backends: flags.backends,
          batchSizes: flags.batchSizes,
          lrs,
          epochs: flags.epochs,
          ...threadOptions(flags),
        },
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
