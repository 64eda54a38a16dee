import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';
import { InvalidArgumentError } from './errors.js';

/**
 * A seeded, serialisable random stream (xoroshiro128+ from pure-rand). Identical seeds give identical
 * streams on every platform, which is what lets every backend start from the same weights and batches.
 */
export class Rng {
  private constructor(private readonly gen: JumpableRandomGenerator) {}

  /** `parts` name independent sub-streams, e.g. `Rng.seeded(seed, 'shuffle', epoch)`. */
  static seeded(seed: number, ...parts: (string | number)[]): Rng {
    if (!Number.isSafeInteger(seed)) throw new InvalidArgumentError(`seed must be an integer, got ${seed}.`);
    return new Rng(xoroshiro128plus(mixSeed(seed, parts)));
  }

  static fromState(state: readonly number[]): Rng {
    return new Rng(xoroshiro128plusFromState(state));
  }

  state(): number[] {
    return [...this.gen.getState()];
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    return uniformFloat64(this.gen);
  }

  /** Uniform integer in [from, to]. */
  int(from: number, to: number): number {
    return uniformInt(this.gen, from, to);
  }

  /** Standard normal via Box–Muller (one value per pair of uniforms, so the state is just the generator). */
  normal(): number {
    const u1 = 1 - this.uniform(); // (0, 1]: log stays finite
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: number }>(values: T): T {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const tmp = values[i] as number;
      values[i] = values[j] as number;
      values[j] = tmp;
    }
    return values;
  }
}

/** Folds the seed and the stream name into one 32-bit seed (murmur3 finaliser per part). */
function mixSeed(seed: number, parts: readonly (string | number)[]): number {
  let h = fmix32((seed | 0) ^ Math.floor(seed / 2 ** 32));
  for (const part of parts) {
    const text = String(part);
    for (let i = 0; i < text.length; i++) h = fmix32(h ^ text.charCodeAt(i)) + i;
    h = fmix32(h ^ 0x9e3779b9);
  }
  return h | 0;
}

function fmix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
