import { type LoadedBackend, type Module, sequentialOf } from '@xbackend/core';
import { CheckpointError, type LoadedCheckpoint, loadCheckpoint } from '@xbackend/runs';
import type { Command } from 'commander';
import { type BackendFlags, backendChoice, type CommandContext, givenOnCommandLine, loadChoice } from './command-options.js';

/** A checkpoint's inference weights loaded into a model on the chosen backend (default: the one it was trained on). */
export interface CheckpointModel {
  readonly checkpoint: LoadedCheckpoint;
  readonly loaded: LoadedBackend;
  readonly net: Module;
  dispose(): Promise<void>;
}

export async function openCheckpointModel(path: string, flags: BackendFlags, cmd: Command, ctx: CommandContext): Promise<CheckpointModel> {
  const checkpoint = await loadCheckpoint(path);
  const choice = givenOnCommandLine(cmd, 'backend')
    ? backendChoice(flags, ctx)
    : { backend: checkpoint.backend, ...((flags.engine ?? checkpoint.engine) ? { engine: flags.engine ?? checkpoint.engine } : {}) };
  const loaded = await loadChoice(choice, checkpoint.hyperparameters.seed, ctx);
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

/** The model's input shape must be the data's (e.g. a model trained on resized images needs resized data). */
export function checkInputShape(checkpoint: LoadedCheckpoint, sampleShape: readonly number[]): void {
  if (checkpoint.model.inputShape.join() !== sampleShape.join()) {
    throw new CheckpointError(
      `${checkpoint.dir} holds a model for examples [${checkpoint.model.inputShape}], but the test data gives [${sampleShape}].`,
    );
  }
}
