import { InvalidArgumentError, type LayerSpec, presetLayers } from '@xbackend/core';
import { describe, expect, it } from 'vitest';
import { planModel } from './model-plan.js';

const linear = (inFeatures: number, outFeatures: number): LayerSpec => ({ kind: 'linear', inFeatures, outFeatures });

describe('planModel', () => {
  it('reduces an MLP to Linear stages with their ReLUs', () => {
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
      firstTrained: 0,
      stages: [
        { kind: 'linear', layerIndex: 2, weightShape: [256, 784], inFeatures: 784, outFeatures: 256, activation: 'relu' },
        { kind: 'linear', layerIndex: 5, weightShape: [10, 256], inFeatures: 256, outFeatures: 10, activation: 'none' },
      ],
    });
  });

  it("plans LeNet with core's shapes: each activation joins the layer before it, Flatten is free", () => {
    const plan = planModel({ layers: presetLayers('lenet', [1, 28, 28], 10), inputShape: [1, 28, 28], numClasses: 10 }, 'gpujs');
    expect(plan.stages.map((s) => [s.kind, s.inFeatures, s.outFeatures, s.activation])).toEqual([
      ['conv2d', 784, 4704, 'sigmoid'],
      ['avgpool2d', 4704, 1176, 'none'],
      ['conv2d', 1176, 1600, 'sigmoid'],
      ['avgpool2d', 1600, 400, 'none'],
      ['linear', 400, 120, 'sigmoid'],
      ['linear', 120, 84, 'sigmoid'],
      ['linear', 84, 10, 'none'],
    ]);
    expect(plan.stages[0]).toMatchObject({
      layerIndex: 0,
      weightShape: [6, 1, 5, 5],
      input: [1, 28, 28],
      output: [6, 28, 28],
      padding: [2, 2],
    });
    expect(plan.stages[3]).toMatchObject({ input: [16, 10, 10], output: [16, 5, 5], kernelSize: [2, 2], stride: [2, 2] });
    expect(plan.firstTrained).toBe(0);
  });

  it('gives an activation a stage of its own where no layer can take it, and starts training at the first parameters', () => {
    const plan = planModel(
      {
        layers: [
          { kind: 'sigmoid' },
          { kind: 'maxpool2d', kernelSize: [2, 2], stride: [2, 2] },
          { kind: 'conv2d', inChannels: 1, outChannels: 2, kernelSize: [3, 3], stride: [1, 1], padding: [1, 1] },
          { kind: 'sigmoid' },
          { kind: 'sigmoid' },
          { kind: 'relu' },
          { kind: 'flatten' },
          linear(8, 3),
        ],
        inputShape: [1, 4, 4],
        numClasses: 3,
      },
      'gpujs',
    );
    expect(plan.reluInput).toBe(false);
    expect(plan.stages.map((s) => [s.kind, s.activation])).toEqual([
      ['activation', 'sigmoid'],
      ['maxpool2d', 'none'],
      ['conv2d', 'sigmoid'],
      ['activation', 'sigmoid'],
      ['activation', 'relu'],
      ['linear', 'none'],
    ]);
    expect(plan.firstTrained).toBe(2);
  });

  it('rejects models without parameters and layers it does not know', () => {
    expect(() => planModel({ layers: [{ kind: 'flatten' }], inputShape: [10], numClasses: 10 }, 'gpujs')).toThrow(InvalidArgumentError);
    const unknown = { kind: 'dropout' } as unknown as LayerSpec;
    expect(() => planModel({ layers: [unknown, linear(4, 2)], inputShape: [4], numClasses: 2 }, 'gpujs')).toThrow(/dropout/);
  });
});
