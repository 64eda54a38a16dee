import { describeEachEngine } from '@xbackend/conformance';
import { type Batch, type ModelSpec, type ParameterTensor, pixelsToUnit } from '@xbackend/core';
import { expect, it } from 'vitest';
import { adapter } from './adapter.js';

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

describeEachEngine(adapter, 'pixel bytes converted on the tfjs device', (engine) => {
  it('gives float32(v / 255) bit for bit for all 256 byte values, as the float32 input does', async () => {
    const backend = await engine.create({});
    try {
      const model = await backend.compile(identity, params);
      const pixelBatch: Batch = { pixels: allBytes, x: pixelsToUnit(allBytes), y: new Int32Array(1), size: 1, sampleShape: [1, 16, 16] };
      const fromBytes = await model.logits(pixelBatch);
      const fromFloats = await model.logits({ x: pixelsToUnit(allBytes), y: new Int32Array(1), size: 1, sampleShape: [1, 16, 16] });
      expect(bits(fromBytes)).toEqual(bits(Array.from(allBytes, (v) => v / 255)));
      expect(bits(fromBytes)).toEqual(bits(fromFloats));
    } finally {
      await backend.dispose();
    }
  });
});
