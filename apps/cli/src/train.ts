import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DivergenceError, type LoadedBackend, type ModelSpec, PRESET_TRAINING, type SanityCheck } from '@xbackend/core';
import {
  addDataOptions,
  type CheckpointState,
  type Console,
  CURVES_FILE,
  createRunFolder,
  type DataFlags,
  describeInit,
  displayPath,
  type Hyperparameters,
  isAbort,
  type LoadedCheckpoint,
  loadCheckpoint,
  METRICS_FILE,
  type MetricsFile,
  parsePositiveInt,
  type RunEpoch,
  RunFilesWriter,
  type RunIdentity,
  type RunStatus,
  runFolderOfCheckpoint,
  saveCheckpoint,
  stopSignalOf,
  UsageError,
  writeRunFiles,
} from '@xbackend/runs';
import { type Command, Option } from 'commander';
import { checkModelFitsData, loadRunBackend } from './checkpoint-model.js';
import {
  addBackendOptions,
  addHyperparameterOptions,
  type BackendFlags,
  type CommandContext,
  dataSource,
  engineDetails,
  givenOnCommandLine,
  type HyperparameterFlags,
} from './command-options.js';
import { checkTrainingBatchSize, loadRunData, type RunData } from './data.js';
import { DEFAULT_PATIENCE } from './defaults.js';
import { createProgress } from './epoch-progress.js';
import { epochTableHeader, epochTableRow } from './epoch-table.js';
import { type FitResult, fit } from './fit.js';
import { describeModel, presetModel, presetOf, weightInitOf } from './model-choice.js';
import { exportOnnx, type OnnxInputLayout } from './onnx-export.js';

export interface TrainFlags extends BackendFlags, DataFlags, HyperparameterFlags {
  out?: string;
  checkpointEvery?: number;
  resume?: string;
  progress: boolean;
}

/** Everything a finished training run leaves behind, for commands that train first (predict). */
export interface TrainedRun {
  readonly runDir: string;
  readonly loaded: LoadedBackend;
  readonly data: RunData;
  readonly model: ModelSpec;
  readonly hyper: Hyperparameters;
  readonly result: FitResult;
}

export function addTrainingRunOptions(cmd: Command, ctx: CommandContext): Command {
  addBackendOptions(cmd, ctx);
  addHyperparameterOptions(cmd);
  addDataOptions(cmd);
  return cmd
    .option('--out <dir>', 'run folder (default: runs/<timestamp>-<backend>-<engine>, or the resumed run)')
    .addOption(
      new Option(
        '--checkpoint-every <n>',
        'save a checkpoint every n epochs (one is always saved after the last epoch, and on Ctrl-C or SIGTERM; a resumed run keeps it)',
      ).argParser(parsePositiveInt),
    )
    .option(
      '--resume <dir>',
      'continue a run from a checkpoint, checkpoints folder or run folder (its newest complete checkpoint; same model and hyperparameters, --epochs may grow)',
    )
    .option('--no-progress', 'no progress bar or progress lines');
}

const SAME_ON_RESUME = ['batchSize', 'lr', 'weightDecay', 'seed', 'valFraction'] as const;
const FLAG_NAMES: Record<(typeof SAME_ON_RESUME)[number], string> = {
  batchSize: '--batch-size',
  lr: '--lr',
  weightDecay: '--weight-decay',
  seed: '--seed',
  valFraction: '--val-fraction',
};

/**
 * The run's hyperparameters: from the flags (lr and init default to the book's for --model), or on resume from the
 * checkpoint (only --epochs, --patience and --checkpoint-every may change; --checkpoint-every, a run setting rather
 * than part of the math, is kept with them).
 */
export function resolveHyperparameters(
  flags: HyperparameterFlags & { checkpointEvery?: number },
  cmd: Command,
  checkpoint?: LoadedCheckpoint,
): Hyperparameters {
  if (flags.patience !== undefined && flags.valFraction === undefined && checkpoint?.hyperparameters.valFraction === undefined) {
    throw new UsageError('--patience needs --val-fraction: early stopping watches the accuracy on a validation split.');
  }
  if (!checkpoint) {
    return {
      batchSize: flags.batchSize,
      lr: flags.lr ?? PRESET_TRAINING[flags.model].lr,
      weightDecay: flags.weightDecay,
      epochs: flags.epochs,
      seed: flags.seed,
      init: weightInitOf(flags.model, flags.initStd),
      ...(flags.valFraction === undefined ? {} : { valFraction: flags.valFraction, patience: flags.patience ?? DEFAULT_PATIENCE }),
      ...(flags.checkpointEvery === undefined ? {} : { checkpointEvery: flags.checkpointEvery }),
    };
  }
  const saved = checkpoint.hyperparameters;
  if (givenOnCommandLine(cmd, 'model') && presetOf(checkpoint.model) !== flags.model) {
    throw new UsageError(
      `--model ${flags.model} differs from the resumed run's model, ${describeModel(checkpoint.model)}; a resumed run keeps its model (leave out --resume to train another).`,
    );
  }
  const keeps = 'a resumed run keeps its hyperparameters (only --epochs and --patience may change)';
  for (const key of SAME_ON_RESUME) {
    if (givenOnCommandLine(cmd, key) && flags[key] !== saved[key]) {
      throw new UsageError(`${FLAG_NAMES[key]} ${flags[key]} differs from the resumed run's ${saved[key] ?? '(not set)'}; ${keeps}.`);
    }
  }
  if (flags.initStd !== undefined && !(saved.init.kind === 'normal' && saved.init.std === flags.initStd)) {
    throw new UsageError(`--init-std ${flags.initStd} differs from the resumed run's init, ${describeInit(saved.init)}; ${keeps}.`);
  }
  const hyper: Hyperparameters = {
    ...saved,
    epochs: givenOnCommandLine(cmd, 'epochs') ? flags.epochs : saved.epochs,
    ...(saved.valFraction !== undefined && flags.patience !== undefined ? { patience: flags.patience } : {}),
    ...(flags.checkpointEvery === undefined ? {} : { checkpointEvery: flags.checkpointEvery }),
  };
  if (checkpoint.epoch >= hyper.epochs) {
    throw new UsageError(
      `${checkpoint.dir} has already completed ${checkpoint.epoch} of ${hyper.epochs} epochs; pass --epochs N with N > ${checkpoint.epoch} to train further.`,
    );
  }
  const stopped = checkpoint.earlyStopping;
  if (stopped && hyper.patience !== undefined && stopped.epochsWithoutImprovement >= hyper.patience) {
    throw new UsageError(
      `${checkpoint.dir} is from a run that stopped early (${stopped.epochsWithoutImprovement} epochs without a better validation accuracy, patience ${hyper.patience}); pass a larger --patience to continue it.`,
    );
  }
  return hyper;
}

function formatCheck(check: SanityCheck): string {
  return `  ${check.passed ? 'PASS' : 'FAIL'}  ${check.name.padEnd(20)} (${check.detail})`;
}

/** d2l asserts these after `train_ch3`; the CLI reports them and leaves the exit code alone. */
export function printSanityChecks(console: Console, checks: readonly SanityCheck[]): void {
  if (checks.length === 0) return;
  console.out("d2l's sanity checks:");
  for (const check of checks) console.out(formatCheck(check));
  const failed = checks.filter((c) => !c.passed).length;
  console.out(
    failed === 0
      ? '  all passed'
      : `  ${failed} of ${checks.length} failed (d2l would stop with an assertion error; more epochs or a full data set usually fix this)`,
  );
}

function statusOf(error: unknown): RunStatus {
  if (error instanceof DivergenceError) return 'diverged';
  return isAbort(error) ? 'interrupted' : 'running';
}

/**
 * Trains as d2l §3.7 does and records the run: progress, a per-epoch table, metrics.json and curves.svg after every
 * epoch, checkpoints. On divergence the metrics keep the error and no weights are written.
 */
export async function trainRun(flags: TrainFlags, cmd: Command, ctx: CommandContext): Promise<TrainedRun> {
  const { console } = ctx;
  const checkpoint = flags.resume === undefined ? undefined : await loadCheckpoint(resolve(console.cwd, flags.resume));
  const hyper = resolveHyperparameters(flags, cmd, checkpoint);
  if (flags.out !== undefined && !checkpoint && existsSync(join(resolve(console.cwd, flags.out), METRICS_FILE))) {
    throw new UsageError(
      `--out ${flags.out} already holds a run (${METRICS_FILE}); choose another folder, or continue that run with --resume ${flags.out}.`,
    );
  }
  const { loaded, identity } = await loadRunBackend(flags, cmd, ctx, hyper.seed, checkpoint);
  try {
    const data = await loadRunData(dataSource(flags), hyper, console.io.stderr);
    checkTrainingBatchSize(hyper.batchSize, data, '--batch-size');
    if (checkpoint) checkModelFitsData(checkpoint, data.train, 'the training data');
    const model = checkpoint ? checkpoint.model : presetModel(flags.model, data.train);
    const runDir = await createRunFolder({
      cwd: console.cwd,
      ...(flags.out !== undefined ? { out: flags.out } : checkpoint ? { out: runFolderOfCheckpoint(checkpoint.dir) } : {}),
      backend: loaded.name,
      engine: loaded.engine,
    });
    const result = await trainAndRecord({ flags, ctx, loaded, identity, data, model, hyper, runDir, checkpoint });
    return { runDir, loaded, data, model, hyper, result };
  } catch (error) {
    await loaded.dispose();
    throw error;
  }
}

interface RecordParams {
  readonly flags: TrainFlags;
  readonly ctx: CommandContext;
  readonly loaded: LoadedBackend;
  readonly identity: RunIdentity;
  readonly data: RunData;
  readonly model: ModelSpec;
  readonly hyper: Hyperparameters;
  readonly runDir: string;
  readonly checkpoint: LoadedCheckpoint | undefined;
}

/** A saved checkpoint of this run (or the one it resumed from) and the epochs it holds. */
interface SavedState {
  readonly dir: string;
  readonly epoch: number;
}

/**
 * On Ctrl-C or SIGTERM the epoch in progress is abandoned (the step in flight finishes; a backend step cannot be
 * cut in half) and the state after the last finished epoch is saved, unless a checkpoint already holds it: that is
 * the last state with consistent weights, history and data position, and resuming from it continues exactly as the
 * uninterrupted run would. Says where it is and how to continue.
 */
async function keepInterruptedState(
  console: Console,
  checkpointsDir: string,
  unsaved: CheckpointState | undefined,
  saved: SavedState | undefined,
  epochInProgress: number,
  reason: unknown,
): Promise<void> {
  const signal = stopSignalOf(reason);
  const during = `interrupted${signal ? ` (${signal})` : ''} during epoch ${epochInProgress}`;
  const resume = (dir: string) => `continue with: xbackend train --resume ${displayPath(console, runFolderOfCheckpoint(dir))}`;
  if (unsaved) {
    try {
      const dir = await saveCheckpoint(checkpointsDir, unsaved);
      console.err(`${during}: saved the state after epoch ${unsaved.epoch} to ${displayPath(console, dir)}; ${resume(dir)}`);
    } catch (error) {
      console.err(
        `${during}: could not save the state after epoch ${unsaved.epoch}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  } else if (saved) {
    console.err(`${during}: the state after epoch ${saved.epoch} is in ${displayPath(console, saved.dir)}; ${resume(saved.dir)}`);
  } else {
    console.err(`${during}: no epoch had finished, so there is no state to continue from.`);
  }
}

async function trainAndRecord(p: RecordParams): Promise<FitResult> {
  const { console } = p.ctx;
  const { hyper, loaded, runDir, data, identity } = p;
  const withValidation = data.validation !== undefined;
  const checkpointsDir = join(runDir, 'checkpoints');
  const base: Omit<MetricsFile, 'updatedAt' | 'history' | 'status'> = { ...identity, seed: hyper.seed, hyperparameters: hyper };
  let history: readonly RunEpoch[] = p.checkpoint?.history ?? [];
  let lastCheckpoint: SavedState | undefined = p.checkpoint ? { dir: p.checkpoint.dir, epoch: p.checkpoint.epoch } : undefined;
  /** The state after the last finished epoch while no checkpoint holds it: what an interrupt saves. */
  let unsaved: CheckpointState | undefined;

  const split = data.validation
    ? `${data.train.numExamples} training + ${data.validation.numExamples} validation`
    : `${data.train.numExamples} training`;
  console.out(`training ${loaded.name}/${loaded.engine} (${loaded.backend.dtype}) on ${split} / ${data.test.numExamples} test examples`);
  console.out(`engine: ${engineDetails(loaded)}`);
  console.out(`model: ${describeModel(p.model)}, initial weights ${describeInit(hyper.init)}`);
  console.out(
    `batch size ${hyper.batchSize}, lr ${hyper.lr}, weight decay ${hyper.weightDecay}, ${hyper.epochs} epoch${hyper.epochs === 1 ? '' : 's'}, seed ${hyper.seed}` +
      (hyper.valFraction !== undefined ? `, early stopping (patience ${hyper.patience})` : '') +
      (hyper.checkpointEvery !== undefined ? `, a checkpoint every ${hyper.checkpointEvery} epochs` : ''),
  );
  console.out(`data: ${data.origin}`);
  console.out(`run folder: ${displayPath(console, runDir)}`);
  if (p.checkpoint) console.out(`resuming from ${displayPath(console, p.checkpoint.dir)} after epoch ${p.checkpoint.epoch}`);
  console.out();
  for (const line of epochTableHeader(withValidation)) console.out(line);
  const resumedNote = (m: RunEpoch) =>
    m.backend === undefined || (m.backend === loaded.name && m.engine === loaded.engine)
      ? '(resumed)'
      : `(resumed; trained on ${m.backend}/${m.engine})`;
  for (const m of history) console.out(epochTableRow(m, withValidation, resumedNote(m)));

  const progress = createProgress(console.io.stderr, hyper.epochs, p.flags.progress);
  const files = new RunFilesWriter(runDir);
  let result: FitResult;
  try {
    result = await fit({
      loaded,
      data,
      hyper,
      model: p.model,
      ...(p.checkpoint
        ? {
            start: {
              history: p.checkpoint.history,
              weights: p.checkpoint.weights,
              ...(p.checkpoint.earlyStopping ? { earlyStopping: p.checkpoint.earlyStopping } : {}),
              ...(p.checkpoint.best ? { best: p.checkpoint.best } : {}),
            },
          }
        : {}),
      progress,
      ...(p.ctx.signal ? { signal: p.ctx.signal } : {}),
      onEpoch: async (snap) => {
        history = [...snap.history];
        const notes = [
          snap.earlyStopping?.bestEpoch === snap.metrics.epoch ? 'best' : '',
          snap.stoppingEarly ? 'stopping early' : '',
        ].filter(Boolean);
        console.out(epochTableRow(snap.metrics, withValidation, notes.join(', ')));
        // Written in the background while the next epoch trains (atomically, never out of order; see RunFilesWriter).
        files.write({ ...base, history, status: 'running' });
        // A host copy of the weights after every epoch, so that an interrupt in the next one can still save them.
        const state: CheckpointState = {
          ...identity,
          model: p.model,
          hyperparameters: hyper,
          epoch: snap.metrics.epoch,
          history,
          ...(snap.earlyStopping ? { earlyStopping: snap.earlyStopping } : {}),
          weights: await snap.net.stateDict(),
          ...(snap.best ? { best: snap.best } : {}),
        };
        const every = hyper.checkpointEvery;
        if (snap.isLast || (every !== undefined && state.epoch % every === 0)) {
          lastCheckpoint = { dir: await saveCheckpoint(checkpointsDir, state), epoch: state.epoch };
          unsaved = undefined;
        } else {
          unsaved = state;
        }
      },
    });
  } catch (error) {
    progress.end();
    if (isAbort(error)) await keepInterruptedState(console, checkpointsDir, unsaved, lastCheckpoint, history.length + 1, error);
    const status = statusOf(error);
    const message = error instanceof Error ? error.message : String(error);
    await files.flush().catch(() => undefined);
    await writeRunFiles(runDir, { ...base, history, status, error: message }).catch(() => undefined);
    throw error;
  }

  await files.flush();
  await writeRunFiles(runDir, {
    ...base,
    history: result.history,
    status: result.stoppedEarly ? 'early-stopped' : 'completed',
    modelEpoch: result.modelEpoch,
    sanityChecks: result.checks,
  });
  console.out();
  const final = result.history.find((m) => m.epoch === result.modelEpoch) ?? result.history.at(-1);
  if (result.earlyStopping && final) {
    const why = result.stoppedEarly ? `stopped early after epoch ${result.history.at(-1)?.epoch}` : 'ran all epochs';
    console.out(
      `early stopping: ${why}; kept the weights of epoch ${result.modelEpoch} (best validation accuracy ${result.earlyStopping.bestValAcc.toFixed(4)})`,
    );
  }
  if (final) {
    console.out(
      `model (epoch ${final.epoch}): train loss ${final.trainLoss.toFixed(4)}, train acc ${final.trainAcc.toFixed(4)}, test acc ${final.testAcc.toFixed(4)}`,
    );
  }
  printSanityChecks(console, result.checks);
  const written = [join(runDir, METRICS_FILE), join(runDir, CURVES_FILE), ...(lastCheckpoint ? [lastCheckpoint.dir] : [])];
  console.out(`wrote ${written.map((f) => displayPath(console, f)).join(', ')}`);
  return result;
}

export function defineTrain(cmd: Command, ctx: CommandContext): Command {
  addTrainingRunOptions(cmd, ctx)
    .description(
      "train one of the book's models on Fashion-MNIST (--model: §3.7 softmax regression, §4.3 MLP, §7.6 LeNet) and record the run",
    )
    .option('--export <file.onnx>', 'also write the trained model as an ONNX inference model')
    .addOption(
      new Option('--onnx-layout <layout>', "ONNX input: 'image' [N,1,28,28] or 'flat' [N,784]").choices(['image', 'flat']).default('image'),
    )
    .action(async (flags: TrainFlags & { export?: string; onnxLayout: OnnxInputLayout }, command: Command) => {
      const run = await trainRun(flags, command, ctx);
      try {
        if (flags.export !== undefined) {
          const path = resolve(ctx.console.cwd, flags.export);
          const { bytes } = await exportOnnx(await run.result.net.stateDict(), run.model, path, flags.onnxLayout);
          ctx.console.out(`exported ${displayPath(ctx.console, path)} (${bytes} bytes, weights of epoch ${run.result.modelEpoch})`);
        }
      } finally {
        await run.result.net.dispose();
        await run.loaded.dispose();
      }
    });
  return cmd;
}
