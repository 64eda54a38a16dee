import { describe, expect, it } from 'vitest';
import type { ModelSpec } from './backend.js';
import type { Batch } from './batch.js';
import { checkBatch, checkModelSpec, checkParameters, checkStep } from './validate.js';

const spec: ModelSpec = {
  layers: [{ kind: 'flatten' }, { kind: 'linear', inFeatures: 6, outFeatures: 3 }],
  inputShape: [1, 2, 3],
  numClasses: 3,
};
const batch = (over: Partial<Batch> = {}): Batch => ({
  x: new Float32Array(12),
  y: Int32Array.from([0, 2]),
  size: 2,
  sampleShape: [1, 2, 3],
  ...over,
});

describe('one set of checks for every backend', () => {
  it('accepts a batch that fits', () => {
    expect(() => checkBatch(spec, batch(), true)).not.toThrow();
  });

  it.each([
    ['a size that is not a positive integer', batch({ size: 0 }), 'The batch size must be a positive integer, got 0.'],
    ['another example shape', batch({ sampleShape: [6] }), 'The batch holds examples of shape [6], the model was compiled for [1,2,3].'],
    ['too few pixels', batch({ x: new Float32Array(11) }), 'batch.x must be a Float32Array of 12 values (2 examples of [1,2,3]), got 11.'],
    ['too few labels', batch({ y: Int32Array.from([1]) }), 'batch.y must be an Int32Array of 2 labels, got 1.'],
    ['a label out of range', batch({ y: Int32Array.from([0, 3]) }), 'Label 3 of example 1 is not a class index in [0, 2].'],
    ['a negative label', batch({ y: Int32Array.from([-1, 0]) }), 'Label -1 of example 0 is not a class index in [0, 2].'],
  ])('rejects %s', (_, bad, message) => {
    expect(() => checkBatch(spec, bad, true)).toThrow(message);
  });

  it('checks a batch of bytes as bytes, without making its float copy', () => {
    const bytes = (pixels: unknown): Batch => ({
      pixels: pixels as Uint8Array,
      get x(): Float32Array {
        throw new Error('x was read');
      },
      y: Int32Array.from([0, 2]),
      size: 2,
      sampleShape: [1, 2, 3],
    });
    expect(() => checkBatch(spec, bytes(new Uint8Array(12)), true)).not.toThrow();
    expect(() => checkBatch(spec, bytes(new Uint8Array(11)), true)).toThrow(
      'batch.pixels must be a Uint8Array of 12 bytes (2 examples of [1,2,3]), got 11 values in a Uint8Array.',
    );
    expect(() => checkBatch(spec, bytes(new Uint16Array(12)), true)).toThrow('got 12 values in a Uint16Array.');
  });

  it("checks a batch's source by its rows, without gathering its pixels", () => {
    const withSource = (bytes: Uint8Array, index: Int32Array): Batch => ({
      source: { bytes, index },
      get pixels(): Uint8Array {
        throw new Error('pixels were gathered');
      },
      get x(): Float32Array {
        throw new Error('x was read');
      },
      y: Int32Array.from([0, 2]),
      size: 2,
      sampleShape: [1, 2, 3],
    });
    expect(() => checkBatch(spec, withSource(new Uint8Array(18), Int32Array.from([2, 0])), true)).not.toThrow();
    expect(() => checkBatch(spec, withSource(new Uint8Array(18), Int32Array.from([3, 0])), true)).toThrow(
      'batch.source.index[0] is 3, not a row in [0, 2].',
    );
    expect(() => checkBatch(spec, withSource(new Uint8Array(17), Int32Array.from([0, 1])), true)).toThrow(
      'batch.source.bytes must be a Uint8Array of whole examples of [1,2,3] (6 bytes each), got 17 values in a Uint8Array.',
    );
    expect(() => checkBatch(spec, withSource(new Uint8Array(18), Int32Array.from([0])), true)).toThrow(
      'batch.source.index must be an Int32Array of 2 rows, got 1 values in a Int32Array.',
    );
  });

  it('ignores labels where they are not used (logits)', () => {
    expect(() => checkBatch(spec, batch({ y: new Int32Array(0) }), false)).not.toThrow();
  });

  it('orders parameters and rejects missing, extra, repeated or misshaped ones', () => {
    const w = { name: '1.weight', shape: [3, 6], data: new Float32Array(18) };
    const b = { name: '1.bias', shape: [3], data: new Float32Array(3) };
    expect(checkParameters(spec.layers, [b, w], 'compile')).toEqual([w, b]);
    expect(() => checkParameters(spec.layers, [w], 'compile')).toThrow("compile: parameter '1.bias' [3] is missing (got 1.weight)");
    expect(() => checkParameters(spec.layers, [w, b, { ...b, name: '2.bias' }], 'compile')).toThrow(
      'compile: unexpected parameters 2.bias; the model has 1.weight, 1.bias.',
    );
    expect(() => checkParameters(spec.layers, [w, b, b], 'compile')).toThrow("compile: parameter '1.bias' is given twice.");
    expect(() => checkParameters(spec.layers, [{ ...w, shape: [6, 3] }, b], 'compile')).toThrow(
      "compile: parameter '1.weight' has shape [6,3], the model needs [3,6] (PyTorch layout: weights [out, in] or [out, in, kH, kW]).",
    );
    expect(() => checkParameters(spec.layers, [{ ...w, data: new Float32Array(17) }, b], 'compile')).toThrow(
      "compile: parameter '1.weight' [3,6] must hold 18 values in a Float32Array or Float64Array.",
    );
  });

  it('checks model specs and step hyperparameters', () => {
    expect(() => checkModelSpec({ ...spec, numClasses: 4 })).toThrow('The model outputs 3 values but the data has 4 classes.');
    expect(() => checkModelSpec({ ...spec, layers: [{ kind: 'conv' } as never] })).toThrow("Layer 0 has unknown kind 'conv'");
    expect(() => checkModelSpec({ ...spec, inputShape: [1, 0] })).toThrow('The input shape must be a non-empty list of positive integers');
    expect(() => checkStep({ lr: Number.NaN, weightDecay: 0 })).toThrow('The learning rate must be a finite number > 0, got NaN.');
    expect(() => checkStep({ lr: 0.1, weightDecay: -1 })).toThrow('Weight decay must be a finite number >= 0, got -1.');
  });
});
