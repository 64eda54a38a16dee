import { buildEvalGraph, buildTrainGraph, NAMES } from '@xbackend/backend-onnxruntime';
import type { ModelSpec } from '@xbackend/core';
import type * as Ort from 'onnxruntime-node';
import type { BenchData } from './bench-data.js';
import { type FloorSession, prepareEpoch, runFloor } from './floor-loop.js';
import { initialWeights } from './initial-weights.js';
import type { ProgressMessage, RunMeasurement, RunRequest } from './protocol.js';

/** The name floor rows of onnxruntime carry, e.g. `onnxruntime-floor/cpu`. */
export const ONNXRUNTIME_FLOOR = 'onnxruntime-floor';

type Tensor = Ort.Tensor;

/**
 * The onnxruntime floor: the very graphs the adapter runs, exported by it (the training step reading a batch as rows of
 * the training set's bytes, which it gathers itself; the evaluation reading the test set's bytes), driven by a minimal
 * loop straight against onnxruntime-node: each batch's rows and labels prepared in advance, parameters ping-ponged
 * between preallocated tensors, the whole test set in one call. So `× floor` is the adapter's own overhead. The same
 * session settings as the adapter's defaults (one intra-op thread, no spinning) unless the bench is told `--threads` /
 * `--spinning`.
 */
export async function measureOnnxruntimeFloor(
  request: RunRequest,
  data: BenchData,
  onProgress: (message: ProgressMessage) => void,
): Promise<RunMeasurement> {
  const { train, test } = data;
  onProgress({ type: 'progress', phase: 'build' });
  const started = performance.now();
  const ort = await import('onnxruntime-node');
  const engine = request.engine ?? 'cpu';
  const threads = request.threads ?? 1;
  const spinning = request.spinning ?? false;
  const { layers, initial } = await initialWeights(train, request);
  const spec: ModelSpec = { layers, inputShape: [...train.sampleShape], numClasses: train.numClasses };
  const sessionOptions: Ort.InferenceSession.SessionOptions = {
    executionProviders: [engine],
    intraOpNumThreads: threads,
    extra: { session: { intra_op: { allow_spinning: spinning ? '1' : '0' } } },
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  };
  const trainSession = await ort.InferenceSession.create(buildTrainGraph(spec, 'float32', 'rows').encode(), sessionOptions);
  const evalSession = await ort.InferenceSession.create(buildEvalGraph(spec, 'float32', 'pixels').encode(), sessionOptions);
  const tensor = (data: Float32Array, shape: readonly number[]) => new ort.Tensor('float32', data, shape);
  const params = initial.map((p) => ({
    name: p.name,
    current: tensor(Float32Array.from(p.data), p.shape),
    spare: tensor(new Float32Array(p.data.length), p.shape),
  }));
  const scalars = { lr: tensor(Float32Array.of(request.lr), []), weightDecay: tensor(Float32Array.of(0), []) };
  const outputs = {
    lossSum: new ort.Tensor('float64', new Float64Array(1), []),
    correct: new ort.Tensor('float64', new Float64Array(1), []),
  };
  const shapeOf = (size: number) => [size, ...train.sampleShape];
  const [testSet] = prepareEpoch(test.withBatchSize?.(test.numExamples) ?? test, 0);
  if (!testSet || testSet.size !== test.numExamples) throw new Error('internal: the test set did not come as one batch');
  const testFeeds: Record<string, Tensor> = {
    [NAMES.pixels]: new ort.Tensor('uint8', testSet.pixels, shapeOf(testSet.size)),
    [NAMES.y]: new ort.Tensor('int32', testSet.labels, [testSet.size]),
  };

  const trainBytes = new ort.Tensor('uint8', data.sets.train.images, shapeOf(data.sets.train.count));
  const session: FloorSession = {
    async train(batches) {
      let lossSum = 0;
      let correct = 0;
      const fetches: Record<string, Tensor> = { [NAMES.lossSum]: outputs.lossSum, [NAMES.correct]: outputs.correct };
      for (const b of batches) {
        const feeds: Record<string, Tensor> = {
          [NAMES.sourceBytes]: trainBytes,
          [NAMES.sourceIndex]: new ort.Tensor('int32', b.rows, [b.size]),
          [NAMES.y]: new ort.Tensor('int32', b.labels, [b.size]),
          [NAMES.lr]: scalars.lr,
          [NAMES.weightDecay]: scalars.weightDecay,
        };
        for (const p of params) {
          feeds[p.name] = p.current;
          fetches[NAMES.next(p.name)] = p.spare;
        }
        await trainSession.run(feeds, fetches);
        for (const p of params) [p.current, p.spare] = [p.spare, p.current];
        lossSum += outputs.lossSum.data[0] as number;
        correct += outputs.correct.data[0] as number;
      }
      return { lossSum, correct };
    },
    async correct() {
      const feeds = { ...testFeeds };
      for (const p of params) feeds[p.name] = p.current;
      const out = await evalSession.run(feeds, [NAMES.correct]);
      return out[NAMES.correct]?.data[0] as number;
    },
  };
  const details = {
    onnxruntime: ort.env.versions.node ?? 'unknown',
    executionProvider: engine,
    intraOpNumThreads: threads,
    intraOpSpinning: spinning,
    loop: "InferenceSession.run of the adapter's exported graphs over batches prepared in advance (no xbackend code in the loop)",
  };
  try {
    return await runFloor(
      request,
      data,
      session,
      { backend: ONNXRUNTIME_FLOOR, engine, details, buildMs: performance.now() - started },
      onProgress,
    );
  } finally {
    await trainSession.release();
    await evalSession.release();
  }
}
