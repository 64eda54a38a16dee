import { describe, expect, it } from 'vitest';
import { normal, xavierUniform, zeros } from './init.js';
import { Rng } from './rng.js';

/** A layer's slot; `receptive` = kH·kW for a Conv2d. */
function slot(inFeatures: number, outFeatures: number, receptive = 1) {
  return {
    weight: new Float64Array(inFeatures * outFeatures * receptive),
    bias: new Float64Array(outFeatures).fill(9),
    fanIn: inFeatures * receptive,
    fanOut: outFeatures * receptive,
  };
}

describe('initializers', () => {
  it('draws N(0, std) weights that are float32-exact, and zero biases', () => {
    const s = slot(784, 10);
    normal({ std: 0.01 })(s, Rng.seeded(0, 'init', 0));
    for (const w of s.weight) expect(Math.fround(w)).toBe(w);
    const mean = s.weight.reduce((a, b) => a + b, 0) / s.weight.length;
    const std = Math.sqrt(s.weight.reduce((a, b) => a + (b - mean) ** 2, 0) / s.weight.length);
    expect(Math.abs(mean)).toBeLessThan(0.001);
    expect(std).toBeGreaterThan(0.0095);
    expect(std).toBeLessThan(0.0105);
    expect([...s.bias]).toEqual(new Array(10).fill(0));
  });

  it('is reproducible from the seed', () => {
    const a = slot(20, 3);
    const b = slot(20, 3);
    normal()(a, Rng.seeded(5));
    normal()(b, Rng.seeded(5));
    expect(a.weight).toEqual(b.weight);
  });

  it('zeros() clears everything', () => {
    const s = slot(4, 2);
    s.weight.fill(1);
    zeros()(s, Rng.seeded(0));
    expect([...s.weight, ...s.bias].every((v) => v === 0)).toBe(true);
  });

  it('xavierUniform draws weights in ±√(6/(fanIn+fanOut)) with the uniform variance, biases in ±1/√fanIn (float32-exact)', () => {
    // Conv2d(6, 16, 5): fanIn 150, fanOut 400, as in LeNet.
    const s = slot(6, 16, 25);
    xavierUniform()(s, Rng.seeded(0, 'init', 0));
    const a = Math.sqrt(6 / (150 + 400));
    const variance = s.weight.reduce((sum, w) => sum + w * w, 0) / s.weight.length;
    // A uniform on (−a, a) has variance a²/3; 2400 draws put the sample's within ±6 % of it (≈ 4 standard errors).
    expect(Math.abs(variance / ((a * a) / 3) - 1)).toBeLessThan(0.06);
    expect(Math.max(...s.weight.map(Math.abs))).toBeLessThanOrEqual(a);
    expect(Math.max(...s.weight.map(Math.abs))).toBeGreaterThan(0.99 * a);
    const b = 1 / Math.sqrt(150);
    expect(s.bias.every((v) => Math.abs(v) <= b && v !== 9)).toBe(true);
    for (const v of [...s.weight, ...s.bias]) expect(Math.fround(v)).toBe(v);
  });

  it('xavierUniform scales by its gain and rejects a gain that is not > 0', () => {
    const one = slot(10, 10);
    const two = slot(10, 10);
    xavierUniform()(one, Rng.seeded(3));
    xavierUniform({ gain: 2 })(two, Rng.seeded(3));
    expect(two.weight).toEqual(one.weight.map((w) => Math.fround(2 * w)));
    expect(() => xavierUniform({ gain: 0 })).toThrow('init.xavierUniform: gain must be a finite number > 0, got 0.');
  });

  it('rejects a negative or non-finite std', () => {
    expect(() => normal({ std: -1 })).toThrow('init.normal: std must be a finite number >= 0, got -1.');
    expect(() => normal({ std: Number.NaN })).toThrow('std must be a finite number >= 0, got NaN');
  });
});
