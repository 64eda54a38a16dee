import { InvalidArgumentError, type LayerSpec, UnsupportedLayerError } from '@xbackend/core';
import { describe, expect, it } from 'vitest';
import { planModel } from './model-plan.js';

const linear = (inFeatures: number, outFeatures: number): LayerSpec => ({ kind: 'linear', inFeatures, outFeatures });

describe('planModel', () => {
  it('reduces a Sequential to Linear blocks with their ReLUs', () => {
    const plan = planModel(
      {
        layers: [{ kind: 'relu' }, { kind: 'flatten' }, linear(784, 256), { kind: 'relu' }, { kind: 'relu' }, linear(256, 10)],
        inputShape: [1, 28, 28],
        numClasses: 10,
      },
      'gpujs',
    );
    expect(plan).toEqual({
      inputFeatures: 784,
      reluInput: true,
      numClasses: 10,
      blocks: [
        { layerIndex: 2, inFeatures: 784, outFeatures: 256, reluAfter: true },
        { layerIndex: 5, inFeatures: 256, outFeatures: 10, reluAfter: false },
      ],
    });
  });

  it('rejects models without a Linear layer and layers it cannot run', () => {
    expect(() => planModel({ layers: [{ kind: 'flatten' }], inputShape: [10], numClasses: 10 }, 'gpujs')).toThrow(InvalidArgumentError);
    const conv = { kind: 'conv2d' } as unknown as LayerSpec;
    expect(() => planModel({ layers: [conv, linear(4, 2)], inputShape: [4], numClasses: 2 }, 'gpujs')).toThrow(UnsupportedLayerError);
  });
});
