import { type Batch, type ModelSpec, type ParameterTensor, pixelsToUnit } from '@xbackend/core';
import { expect, it } from 'vitest';
import { createEngine, describeEachMode } from './test-modes.js';

/** One example holding every byte value once, through an identity Linear: the logits are the converted pixels. */
const identity: ModelSpec = {
  layers: [{ kind: 'flatten' }, { kind: 'linear', inFeatures: 256, outFeatures: 256 }],
  inputShape: [1, 16, 16],
  numClasses: 256,
};
const allBytes = Uint8Array.from({ length: 256 }, (_, v) => v);
const weight = new Float64Array(256 * 256);
for (let i = 0; i < 256; i++) weight[i * 256 + i] = 1;
const params: ParameterTensor[] = [
  { name: '1.weight', shape: [256, 256], data: weight },
  { name: '1.bias', shape: [256], data: new Float64Array(256) },
];
const bits = (values: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(values).buffer));
const pixelBatch = (size: number): Batch => {
  const pixels = new Uint8Array(size * 256);
  for (let n = 0; n < size; n++) pixels.set(allBytes, n * 256);
  return { pixels, x: pixelsToUnit(pixels), y: new Int32Array(size), size, sampleShape: [1, 16, 16] };
};

describeEachMode('pixel bytes read through a lookup table in the gpu.js kernels', (mode) => {
  it('gives float32(v / 255) bit for bit for all 256 byte values, as the float32 input does', async () => {
    const backend = await createEngine(mode);
    try {
      const model = await backend.compile(identity, params);
      const expected = bits(Array.from(allBytes, (v) => v / 255));
      // 3 examples, then 2 (a padded batch of the same capacity).
      for (const size of [3, 2]) {
        const batch = pixelBatch(size);
        const fromBytes = await model.logits(batch);
        const fromFloats = await model.logits({ x: batch.x, y: batch.y, size, sampleShape: batch.sampleShape });
        for (let n = 0; n < size; n++) expect(bits(fromBytes.subarray(n * 256, (n + 1) * 256)), `example ${n}`).toEqual(expected);
        expect(bits(fromBytes)).toEqual(bits(fromFloats));
      }
    } finally {
      await backend.dispose();
    }
  });

  it('trains to the same weights from bytes as from their float32 values', async () => {
    const spec: ModelSpec = {
      ...identity,
      layers: [{ kind: 'flatten' }, { kind: 'linear', inFeatures: 256, outFeatures: 4 }],
      numClasses: 4,
    };
    const initial: ParameterTensor[] = [
      {
        name: '1.weight',
        shape: [4, 256],
        data: Float64Array.from({ length: 1024 }, (_, i) => Math.fround(((i * 37) % 101) / 1000 - 0.05)),
      },
      { name: '1.bias', shape: [4], data: new Float64Array(4) },
    ];
    const batch = { ...pixelBatch(2), y: Int32Array.of(2, 1) };
    const backend = await createEngine(mode);
    try {
      const results = [];
      for (const input of [batch, { x: batch.x, y: batch.y, size: 2, sampleShape: batch.sampleShape }]) {
        const model = await backend.compile(spec, initial);
        const stats = await model.trainStep(input, { lr: 0.1, weightDecay: 0 });
        results.push({ stats, params: (await model.readParameters()).map((p) => Array.from(p.data)) });
        await model.dispose();
      }
      expect(results[0]).toEqual(results[1]);
    } finally {
      await backend.dispose();
    }
  });
});
