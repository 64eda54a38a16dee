import { join, resolve } from 'node:path';
import { type Batch, type DataIter, type Module, numerics } from '@xbackend/core';
import { writeFileAtomic } from '@xbackend/core/node';
import { FASHION_MNIST_LABELS } from '@xbackend/datasets';
import { displayPath, parsePositiveInt, runFolderOfCheckpoint, UsageError } from '@xbackend/runs';
import { type Command, Option } from 'commander';
import { checkModelFitsData, openCheckpointModel } from './checkpoint-model.js';
import { type CommandContext, dataSource, givenOnCommandLine } from './command-options.js';
import { loadTestData } from './data.js';
import { DEFAULT_PREDICT_COUNT } from './defaults.js';
import { type Prediction, predictionsSvg } from './predictions-svg.js';
import { addTrainingRunOptions, type TrainFlags, trainRun } from './train.js';

export const PREDICTIONS_FILE = 'predictions.svg';

interface PredictFlags extends TrainFlags {
  checkpoint?: string;
  n: number;
}

/** Flags that only matter when predict trains first. */
const TRAINING_ONLY = [
  'model',
  'epochs',
  'lr',
  'initStd',
  'weightDecay',
  'seed',
  'valFraction',
  'patience',
  'checkpointEvery',
  'resume',
] as const;

/** The first `n` examples of the test set in file order, as one batch (d2l takes the first test batch). */
export function firstExamples(test: DataIter, n: number): Batch {
  if (n > test.numExamples) throw new UsageError(`--n ${n} is more than the ${test.numExamples} test examples.`);
  const size = test.sampleShape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n * size);
  const y = new Int32Array(n);
  let filled = 0;
  for (const batch of test.epoch(0)) {
    const take = Math.min(batch.size, n - filled);
    x.set(batch.x.subarray(0, take * size), filled * size);
    y.set(batch.y.subarray(0, take), filled);
    filled += take;
    if (filled === n) break;
  }
  return { x, y, size: n, sampleShape: test.sampleShape };
}

function labelText(index: number): string {
  return FASHION_MNIST_LABELS[index] ?? `class ${index}`;
}

/** d2l `predict_ch3` on the first n test images. */
export async function predictFirst(net: Module, test: DataIter, n: number): Promise<Prediction[]> {
  const batch = firstExamples(test, n);
  const predicted = numerics.argmaxRows(await net.forward(batch), n, test.numClasses);
  const [rows = 1, cols = 1] = test.sampleShape.slice(-2);
  const size = batch.x.length / n;
  return Array.from(batch.y, (label, i) => ({
    // The first channel of each example (Fashion-MNIST has one).
    pixels: batch.x.subarray(i * size, i * size + rows * cols),
    rows,
    cols,
    trueLabel: labelText(label),
    predictedLabel: labelText(predicted[i] as number),
  }));
}

export function definePredict(cmd: Command, ctx: CommandContext): Command {
  addTrainingRunOptions(cmd, ctx)
    .description("d2l's predict_ch3: the first n test images with true and predicted labels, from a checkpoint or after training")
    .option('--checkpoint <dir>', 'predict with this checkpoint (directory, checkpoints folder or run folder) instead of training first')
    .addOption(new Option('--n <count>', 'number of test images').argParser(parsePositiveInt).default(DEFAULT_PREDICT_COUNT))
    .action(async (flags: PredictFlags, command: Command) => {
      const { console } = ctx;
      let net: Module;
      let test: DataIter;
      let outDir: string;
      let dispose: () => Promise<void>;
      let source: string;
      if (flags.checkpoint !== undefined) {
        const given = TRAINING_ONLY.filter((key) => givenOnCommandLine(command, key));
        if (given.length > 0)
          throw new UsageError(`--checkpoint predicts with saved weights; training flags have no effect there (${given.join(', ')}).`);
        const model = await openCheckpointModel(resolve(console.cwd, flags.checkpoint), flags, command, ctx);
        dispose = () => model.dispose();
        try {
          ({ test } = await loadTestData(dataSource(flags), flags.batchSize, console.io.stderr));
          checkModelFitsData(model.checkpoint, test);
        } catch (error) {
          await dispose();
          throw error;
        }
        net = model.net;
        outDir = flags.out !== undefined ? resolve(console.cwd, flags.out) : runFolderOfCheckpoint(model.checkpoint.dir);
        source = `${model.checkpoint.backend}/${model.checkpoint.engine} checkpoint, epoch ${model.checkpoint.epoch}; run on ${model.loaded.name}/${model.loaded.engine}`;
      } else {
        const run = await trainRun(flags, command, ctx);
        net = run.result.net;
        test = run.data.test;
        outDir = run.runDir;
        dispose = async () => {
          await run.result.net.dispose();
          await run.loaded.dispose();
        };
        source = `${run.loaded.name}/${run.loaded.engine}, epoch ${run.result.modelEpoch}`;
        console.out();
      }
      try {
        const predictions = await predictFirst(net, test, flags.n);
        const correct = predictions.filter((p) => p.trueLabel === p.predictedLabel).length;
        const path = join(outDir, PREDICTIONS_FILE);
        await writeFileAtomic(path, predictionsSvg(predictions, `predictions (${source}): ${correct} of ${predictions.length} correct`));
        console.out(`predictions on the first ${predictions.length} test images (${source}):`);
        predictions.forEach((p, i) => {
          const mark = p.trueLabel === p.predictedLabel ? ' ' : '✗';
          console.out(`  ${String(i + 1).padStart(3)} ${mark} true ${p.trueLabel.padEnd(11)} predicted ${p.predictedLabel}`);
        });
        console.out(`${correct} of ${predictions.length} correct; wrote ${displayPath(console, path)}`);
      } finally {
        await dispose();
      }
    });
  return cmd;
}
