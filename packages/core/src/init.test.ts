import { describe, expect, it } from 'vitest';
import { normal, zeros } from './init.js';
import { Rng } from './rng.js';

function slot(inFeatures: number, outFeatures: number) {
  return { weight: new Float64Array(inFeatures * outFeatures), bias: new Float64Array(outFeatures).fill(9), inFeatures, outFeatures };
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

  it('rejects a negative or non-finite std', () => {
    expect(() => normal({ std: -1 })).toThrow('init.normal: std must be a finite number >= 0, got -1.');
    expect(() => normal({ std: Number.NaN })).toThrow('std must be a finite number >= 0, got NaN');
  });
});
