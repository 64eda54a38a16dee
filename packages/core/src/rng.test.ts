import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

describe('Rng', () => {
  it('gives the same stream for the same seed and name, different ones otherwise', () => {
    const a = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.uniform()
      )(Rng.seeded(0, 'init', 0)),
    );
    const b = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.uniform()
      )(Rng.seeded(0, 'init', 0)),
    );
    const c = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.uniform()
      )(Rng.seeded(0, 'init', 1)),
    );
    const d = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.uniform()
      )(Rng.seeded(1, 'init', 0)),
    );
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).not.toEqual(d);
    for (const v of a) expect(v >= 0 && v < 1).toBe(true);
  });

  it('resumes exactly from a saved state', () => {
    const rng = Rng.seeded(42);
    rng.normal();
    const copy = Rng.fromState(rng.state());
    expect([rng.normal(), rng.uniform()]).toEqual([copy.normal(), copy.uniform()]);
  });

  it('draws standard normals (mean ≈ 0, std ≈ 1 over 20000 draws)', () => {
    const rng = Rng.seeded(7);
    const n = 20000;
    const xs = Array.from({ length: n }, () => rng.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(std - 1)).toBeLessThan(0.03);
  });

  it('shuffles into a permutation', () => {
    const values = Int32Array.from({ length: 100 }, (_, i) => i);
    Rng.seeded(3).shuffle(values);
    expect([...values].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...values]).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('rejects a non-integer seed', () => {
    expect(() => Rng.seeded(1.5)).toThrow('seed must be an integer, got 1.5');
  });
});
