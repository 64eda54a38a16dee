import { type Batch, type DType, type ModelSpec, type ParameterTensor, pixelsToUnit } from '@xbackend/core';
import { describe, expect, it } from 'vitest';
import { cpuEngine } from './engines.js';

/** One example holding every byte value once, through an identity Linear: the logits are the converted pixels. */
const identity: ModelSpec = {
  layers: [{ kind: 'flatten' }, { kind: 'linear', inFeatures: 256, outFeatures: 256 }],
  inputShape: [1, 16, 16],
  numClasses: 256,
};
const allBytes = Uint8Array.from({ length: 256 }, (_, v) => v);

function identityParameters(): ParameterTensor[] {
  const weight = new Float64Array(256 * 256);
  for (let i = 0; i < 256; i++) weight[i * 256 + i] = 1;
  return [
    { name: '1.weight', shape: [256, 256], data: weight },
    { name: '1.bias', shape: [256], data: new Float64Array(256) },
  ];
}

function bits(values: ArrayLike<number>): number[] {
  return Array.from(new Uint32Array(Float32Array.from(values).buffer));
}

const pixelBatch: Batch = { pixels: allBytes, x: pixelsToUnit(allBytes), y: new Int32Array(1), size: 1, sampleShape: [1, 16, 16] };
const floatBatch: Batch = { x: pixelsToUnit(allBytes), y: new Int32Array(1), size: 1, sampleShape: [1, 16, 16] };

describe.each<DType>(['float32', 'float64'])('pixel bytes converted inside the ONNX graph (%s)', (dtype) => {
  it('gives float32(v / 255) bit for bit for all 256 byte values, as the float32 input does', async () => {
    const backend = await cpuEngine.create({ dtype });
    try {
      const model = await backend.compile(identity, identityParameters());
      const fromBytes = await model.logits(pixelBatch);
      const fromFloats = await model.logits(floatBatch);
      const expected = Array.from(allBytes, (v) => Math.fround(v / 255));
      expect(Array.from(fromBytes)).toEqual(expected);
      expect(bits(fromBytes)).toEqual(bits(expected));
      expect(Array.from(fromBytes)).toEqual(Array.from(fromFloats));
    } finally {
      await backend.dispose();
    }
  });

  it("reads a batch's rows of a byte array (its source) as it reads the same bytes gathered on the host", async () => {
    // Four examples of the 256 byte values, each rotated by its row number; the batch takes rows 3 and 1.
    const data = new Uint8Array(4 * 256);
    for (let r = 0; r < 4; r++) for (let v = 0; v < 256; v++) data[r * 256 + v] = (v + r) % 256;
    const gathered = Uint8Array.from([...data.subarray(768, 1024), ...data.subarray(256, 512)]);
    const common = { y: new Int32Array(2), size: 2, sampleShape: [1, 16, 16] };
    const backend = await cpuEngine.create({ dtype });
    try {
      expect(backend.readsBatchSource).toBe(true);
      const model = await backend.compile(identity, identityParameters());
      const fromSource = await model.logits({
        ...common,
        source: { bytes: data, index: Int32Array.of(3, 1) },
        get pixels(): Uint8Array {
          throw new Error('the pixels were gathered on the host');
        },
        get x(): Float32Array {
          throw new Error('x was read');
        },
      });
      expect(bits(fromSource)).toEqual(bits(Array.from(gathered, (v) => v / 255)));
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
    const y = Int32Array.of(2);
    const backend = await cpuEngine.create({ dtype });
    try {
      const results = [];
      for (const batch of [
        { ...pixelBatch, y },
        { ...floatBatch, y },
      ]) {
        const model = await backend.compile(spec, initial);
        const stats = await model.trainStep(batch, { lr: 0.1, weightDecay: 0 });
        results.push({ stats, params: (await model.readParameters()).map((p) => Array.from(p.data)) });
        await model.dispose();
      }
      expect(results[0]).toEqual(results[1]);
    } finally {
      await backend.dispose();
    }
  });
});
