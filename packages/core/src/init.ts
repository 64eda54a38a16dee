import { InvalidArgumentError } from './errors.js';
import type { Rng } from './rng.js';

/** The slot an initializer fills: one layer's weight `[out, in]` and bias `[out]`, host side. */
export interface LinearSlot {
  readonly weight: Float64Array;
  readonly bias: Float64Array;
  readonly inFeatures: number;
  readonly outFeatures: number;
}

/** Fills a Linear layer's parameters from the seeded stream (d2l's `net.apply(init_weights)`). */
export type Initializer = (slot: LinearSlot, rng: Rng) => void;

/**
 * Every value is rounded to float32 so that float32 and float64 backends start from bit-identical weights.
 */
export function normal({ mean = 0, std = 0.01 }: { mean?: number; std?: number } = {}): Initializer {
  if (!Number.isFinite(mean)) throw new InvalidArgumentError(`init.normal: mean must be finite, got ${mean}.`);
  if (!(std >= 0) || !Number.isFinite(std)) {
    throw new InvalidArgumentError(`init.normal: std must be a finite number >= 0, got ${std}.`);
  }
  return (slot, rng) => {
    for (let i = 0; i < slot.weight.length; i++) slot.weight[i] = Math.fround(mean + std * rng.normal());
    slot.bias.fill(0);
  };
}

export function zeros(): Initializer {
  return (slot) => {
    slot.weight.fill(0);
    slot.bias.fill(0);
  };
}

/** The `init` namespace of a loaded backend. */
export const init = { normal, zeros } as const;
