import { dirname } from 'node:path';
import type { DataIter } from '@xbackend/core';
import { createDataIter, type ImageSet, loadFashionMnist, splitTrainValidation } from '@xbackend/datasets';
import { type Output, UsageError } from '@xbackend/runs';

/** Where Fashion-MNIST comes from, as chosen on the command line. */
export interface DataSource {
  /** `--data-dir`: used on its own (a missing or unreadable file is an error, not a reason to look elsewhere). */
  readonly dataDir?: string;
  /** `--no-verify-data`: skip the SHA-256 check (for fixtures or other IDX copies; the IDX structure is still checked). */
  readonly verify: boolean;
  /** `--no-download`: fail instead of downloading missing files. */
  readonly download: boolean;
}

/** The iterators of one run. Training order depends only on the seed, so every backend sees the same batches. */
export interface RunData {
  readonly train: DataIter;
  /** Held out from the training set by a seeded split (`--val-fraction`). */
  readonly validation?: DataIter;
  readonly test: DataIter;
  readonly testSet: ImageSet;
  /** Where the files were read from, e.g. `/usr/share/datasets/fashion-mnist (system)`. */
  readonly origin: string;
}

function sampleShape(set: ImageSet): number[] {
  return [1, set.rows, set.cols];
}

/**
 * d2l's `load_data_fashion_mnist` (training set reshuffled per epoch from the seed, test set in file order, last
 * partial batch kept), optionally with a validation split carved out of the training set first.
 */
export async function loadRunData(
  source: DataSource,
  options: { batchSize: number; seed: number; valFraction?: number | undefined },
  stderr: Output,
): Promise<RunData> {
  const { train, test, sources } = await loadFashionMnist({
    ...(source.dataDir === undefined ? {} : { root: source.dataDir }),
    rootLabel: '--data-dir',
    ...(source.verify ? {} : { checksums: false as const }),
    download: source.download,
    progress: stderr.isTTY ? (stderr as unknown as NodeJS.WritableStream) : false,
  });
  const origin = [...new Set(Object.values(sources).map((f) => `${dirname(f.path)} (${f.origin})`))].join(', ');
  const iter = (set: ImageSet, shuffle: boolean) =>
    createDataIter(set.images, set.labels, { batchSize: options.batchSize, shuffle, seed: options.seed, sampleShape: sampleShape(set) });
  if (options.valFraction === undefined) return { train: iter(train, true), test: iter(test, false), testSet: test, origin };
  const split = splitTrainValidation(train, { validationFraction: options.valFraction, seed: options.seed });
  return { train: iter(split.train, true), validation: iter(split.validation, false), test: iter(test, false), testSet: test, origin };
}

/**
 * A batch larger than the training set would silently train on one short batch per epoch: refused (exit 2), so that
 * the batch size recorded is the one used. `flag` names where the value came from, e.g. `--batch-size`.
 */
export function checkTrainingBatchSize(batchSize: number, data: RunData, flag: string): void {
  const examples = data.train.numExamples;
  if (batchSize <= examples) return;
  const split = data.validation ? ' left after the validation split' : '';
  throw new UsageError(
    `Batch size ${batchSize} (${flag}) is more than the ${examples} training examples${split}; choose ${flag} ${examples} or less ` +
      `(${examples} is full-batch gradient descent).`,
  );
}

/** Only the test set (evaluate, predict from a checkpoint). */
export async function loadTestData(source: DataSource, batchSize: number, stderr: Output): Promise<{ test: DataIter; testSet: ImageSet }> {
  const data = await loadRunData(source, { batchSize, seed: 0 }, stderr);
  return { test: data.test, testSet: data.testSet };
}
