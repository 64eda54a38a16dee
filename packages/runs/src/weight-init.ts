// Browser-safe: the playground imports it as `@xbackend/runs/weight-init`.
import { D2L_DEFAULTS, type Initializer, type ModelPreset, normal, xavierUniform } from '@xbackend/core';
import type { Hyperparameters } from './run-history.js';

/**
 * How a run drew its initial weights, as its metrics.json and checkpoints record it: core's `init.normal({ std })`
 * (d2l §3.7 and §4.3: N(0, std) weights, zero biases) or `init.xavierUniform()` (§7.6's `train_ch6`: Xavier-uniform
 * weights, PyTorch's default biases).
 */
export type WeightInit = { readonly kind: 'normal'; readonly std: number } | { readonly kind: 'xavierUniform' };

/** How the book initialises a preset (core's `PRESET_TRAINING[preset]`), as a run records it. */
export function presetInit(preset: ModelPreset): WeightInit {
  return preset === 'lenet' ? { kind: 'xavierUniform' } : { kind: 'normal', std: D2L_DEFAULTS.initStd };
}

/** In words, as core's `PRESET_TRAINING[preset].init` writes it: `normal(0, 0.01)`, `xavierUniform`. */
export function describeInit(init: WeightInit): string {
  return init.kind === 'normal' ? `normal(0, ${init.std})` : 'xavierUniform';
}

/** Core's initializer that draws these weights (from the backend's seeded stream, as `net.apply` passes it). */
export function initializerOf(init: WeightInit): Initializer {
  return init.kind === 'normal' ? normal({ std: init.std }) : xavierUniform();
}

/** Hyperparameters as a run recorded them: before LeNet, every run was N(0, std) and recorded only `initStd`. */
export type StoredHyperparameters = Omit<Hyperparameters, 'init'> & { readonly init?: WeightInit; readonly initStd?: number };

/**
 * The hyperparameters of a stored run in today's form (`init`), whichever xbackend wrote them; undefined when they say
 * neither how the weights were initialised nor their `initStd`.
 */
export function currentHyperparameters(stored: StoredHyperparameters): Hyperparameters | undefined {
  const { initStd, init, ...rest } = stored;
  if (init !== undefined) return { ...rest, init };
  return typeof initStd === 'number' ? { ...rest, init: { kind: 'normal', std: initStd } } : undefined;
}
