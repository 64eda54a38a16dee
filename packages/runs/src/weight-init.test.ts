import { MODEL_PRESETS, PRESET_TRAINING, Rng, type WeightSlot } from '@xbackend/core';
import { describe, expect, it } from 'vitest';
import { currentHyperparameters, describeInit, initializerOf, presetInit } from './weight-init.js';

/** A Conv2d-sized slot (6 filters of 1×5×5), filled by `fill` from the seed's first init stream. */
function drawn(fill: (slot: WeightSlot, rng: Rng) => void): Float64Array[] {
  const slot = { weight: new Float64Array(150), bias: new Float64Array(6), fanIn: 25, fanOut: 150 };
  fill(slot, Rng.seeded(0, 'init', 0));
  return [slot.weight, slot.bias];
}

describe('weight init records', () => {
  it.each(MODEL_PRESETS)("%s: the book's init as core's PRESET_TRAINING has it, in words and in the weights drawn", (preset) => {
    const init = presetInit(preset);
    expect(describeInit(init)).toBe(PRESET_TRAINING[preset].init);
    expect(drawn(initializerOf(init))).toEqual(drawn(PRESET_TRAINING[preset].initializer()));
  });

  it('reads the initStd of runs written before LeNet as N(0, initStd), and init as it is', () => {
    const base = { batchSize: 256, lr: 0.1, weightDecay: 0, epochs: 10, seed: 0 };
    expect(currentHyperparameters({ ...base, initStd: 0.02 })).toEqual({ ...base, init: { kind: 'normal', std: 0.02 } });
    expect(currentHyperparameters({ ...base, init: { kind: 'xavierUniform' } })).toEqual({ ...base, init: { kind: 'xavierUniform' } });
    expect(currentHyperparameters(base)).toBeUndefined();
  });
});
