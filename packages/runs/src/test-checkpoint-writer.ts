/**
 * Child process for the crash test: saves checkpoints in a loop, forever, into the directory given as argv[2].
 * Checkpoint k has epoch k and every weight equal to k, so a reader can tell whether what it loads is consistent.
 * Prints `begin k` before and `saved k` after each save.
 */
import { saveCheckpoint } from './checkpoint.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: test-checkpoint-writer.ts <checkpoints dir>');
const size = 250_000; // 1 MB of float32 per checkpoint: a save takes long enough to be killed in the middle of it
for (let k = 1; ; k++) {
  process.stdout.write(`begin ${k}\n`);
  await saveCheckpoint(dir, {
    backend: 'reference',
    engine: 'float32',
    dtype: 'float32',
    model: {
      layers: [{ kind: 'flatten' }, { kind: 'linear', inFeatures: size / 10, outFeatures: 10 }],
      inputShape: [size / 10],
      numClasses: 10,
    },
    hyperparameters: { batchSize: 1, lr: 0.1, weightDecay: 0, epochs: 1_000_000, seed: 0, init: { kind: 'normal', std: 0.01 } },
    epoch: k,
    history: Array.from({ length: k }, (_, i) => ({ epoch: i + 1, trainLoss: k, trainAcc: 0.5, testAcc: 0.5, seconds: 0 })),
    weights: [
      { name: '1.weight', shape: [10, size / 10], data: new Float32Array(size).fill(k) },
      { name: '1.bias', shape: [10], data: new Float32Array(10).fill(k) },
    ],
  });
  process.stdout.write(`saved ${k}\n`);
}
