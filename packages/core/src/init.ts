import { InvalidArgumentError } from './errors.js';
import type { Rng } from './rng.js';

/**
 * The slot an initializer fills: one Linear or Conv2d layer's weight (`[out, in]` or `[out, in, kH, kW]`, row-major)
 * and bias `[out]`, host side, with PyTorch's fans: `fanIn = in·kH·kW`, `fanOut = out·kH·kW` (kH = kW = 1 for Linear).
 */
export interface WeightSlot {
  readonly weight: Float64Array;
  readonly bias: Float64Array;
  readonly fanIn: number;
  readonly fanOut: number;
}

/** Fills a layer's parameters from the seeded stream (d2l's `net.apply(init_weights)`). */
export type Initializer = (slot: WeightSlot, rng: Rng) => void;

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

/**
 * Xavier (Glorot) uniform weights, `U(−a, a)` with `a = gain·√(6 / (fanIn + fanOut))`, as `nn.init.xavier_uniform_` in
 * the book's `train_ch6`. The book replaces only the weights, so the biases keep PyTorch's default for these layers:
 * `U(−1/√fanIn, 1/√fanIn)`. Weights are drawn first, then biases; every value is rounded to float32.
 */
export function xavierUniform({ gain = 1 }: { gain?: number } = {}): Initializer {
  if (!(gain > 0) || !Number.isFinite(gain))
    throw new InvalidArgumentError(`init.xavierUniform: gain must be a finite number > 0, got ${gain}.`);
  return (slot, rng) => {
    const a = gain * Math.sqrt(6 / (slot.fanIn + slot.fanOut));
    for (let i = 0; i < slot.weight.length; i++) slot.weight[i] = Math.fround(a * (2 * rng.uniform() - 1));
    const b = 1 / Math.sqrt(slot.fanIn);
    for (let i = 0; i < slot.bias.length; i++) slot.bias[i] = Math.fround(b * (2 * rng.uniform() - 1));
  };
}

export function zeros(): Initializer {
  return (slot) => {
    slot.weight.fill(0);
    slot.bias.fill(0);
  };
}

/** The `init` namespace of a loaded backend. */
export const init = { normal, xavierUniform, zeros } as const;
