import { BackendUnavailableError, type DataIter, type LoadedBackend, type Module, sequentialOf, UnknownBackendError } from '@xbackend/core';
import { CheckpointError, type LoadedCheckpoint, loadCheckpoint, type RunIdentity, UsageError } from '@xbackend/runs';
import type { Command } from 'commander';
import { type BackendFlags, backendChoice, type CommandContext, givenOnCommandLine, loadChoice } from './command-options.js';

/** The backend a command runs on, and how its run and checkpoints record it. */
export interface RunBackend {
  readonly loaded: LoadedBackend;
  readonly identity: RunIdentity;
}

/**
 * Loads `--backend` (and `--engine`) when given, else the backend `checkpoint` was trained on: by its `backendRef`
 * (the package or path it was loaded from) or its registry name, on `--engine` or its own engine. The identity keeps
 * that package or path whenever it is not the adapter's own name, so that `--resume` and `evaluate` find it again.
 */
export async function loadRunBackend(
  flags: BackendFlags,
  cmd: Command,
  ctx: CommandContext,
  seed: number,
  checkpoint?: LoadedCheckpoint,
): Promise<RunBackend> {
  const fromCheckpoint = checkpoint !== undefined && !givenOnCommandLine(cmd, 'backend');
  const choice = fromCheckpoint
    ? { backend: checkpoint.backendRef ?? checkpoint.backend, engine: flags.engine ?? checkpoint.engine }
    : backendChoice(flags, ctx);
  let loaded: LoadedBackend;
  try {
    loaded = await loadChoice(choice, seed, ctx, flags);
  } catch (error) {
    if (!fromCheckpoint || !(error instanceof UnknownBackendError || error instanceof BackendUnavailableError)) throw error;
    const from = choice.backend === checkpoint.backend ? '' : ` (loaded from ${choice.backend})`;
    const message =
      `${checkpoint.dir} was trained on ${checkpoint.backend}/${checkpoint.engine}${from}, which cannot be loaded here:\n${error.message}\n` +
      "Pass --backend with a short name, an adapter's package name or a path (and --engine) to run it on another backend.";
    // Naming a backend the registry does not know is fixed on the command line; an unavailable one is a failure.
    throw error instanceof UnknownBackendError ? new UsageError(message) : new CheckpointError(message, { cause: error });
  }
  const identity: RunIdentity = {
    backend: loaded.name,
    ...(choice.backend === loaded.name ? {} : { backendRef: choice.backend }),
    engine: loaded.engine,
    dtype: loaded.backend.dtype,
  };
  return { loaded, identity };
}

/** A checkpoint's inference weights loaded into a model on the chosen backend (default: the one it was trained on). */
export interface CheckpointModel {
  readonly checkpoint: LoadedCheckpoint;
  readonly loaded: LoadedBackend;
  readonly net: Module;
  dispose(): Promise<void>;
}

export async function openCheckpointModel(path: string, flags: BackendFlags, cmd: Command, ctx: CommandContext): Promise<CheckpointModel> {
  const checkpoint = await loadCheckpoint(path);
  const { loaded } = await loadRunBackend(flags, cmd, ctx, checkpoint.hyperparameters.seed, checkpoint);
  const net = sequentialOf(loaded.nn, checkpoint.model.layers);
  try {
    await net.loadStateDict(checkpoint.inferenceWeights);
  } catch (error) {
    await loaded.dispose();
    throw new CheckpointError(`${checkpoint.dir}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return {
    checkpoint,
    loaded,
    net,
    async dispose() {
      await net.dispose();
      await loaded.dispose();
    },
  };
}

/**
 * The model's number of classes must be the data's: otherwise its outputs are not the data's labels (a 3-class model
 * read as 10 classes gives nonsense accuracies and labels). `what` names the data, e.g. `the test data`.
 */
export function checkClassCount(checkpoint: LoadedCheckpoint, numClasses: number, what: string): void {
  if (checkpoint.model.numClasses !== numClasses) {
    throw new CheckpointError(
      `${checkpoint.dir} holds a model for ${checkpoint.model.numClasses} classes, but ${what} has ${numClasses} classes: ` +
        "the model's outputs are not its labels. Use a checkpoint trained on this data ('xbackend train' writes one).",
    );
  }
}

/**
 * The model must fit the data: the same example shape (a model trained on resized images needs resized data) and
 * the same number of classes.
 */
export function checkModelFitsData(
  checkpoint: LoadedCheckpoint,
  data: Pick<DataIter, 'sampleShape' | 'numClasses'>,
  what = 'the test data',
): void {
  if (checkpoint.model.inputShape.join() !== data.sampleShape.join()) {
    throw new CheckpointError(
      `${checkpoint.dir} holds a model for examples [${checkpoint.model.inputShape}], but ${what} gives [${data.sampleShape}].`,
    );
  }
  checkClassCount(checkpoint, data.numClasses, what);
}
