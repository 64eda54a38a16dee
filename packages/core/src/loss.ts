import type { StepHyperparameters } from './backend.js';
import { InvalidArgumentError } from './errors.js';
import { sum } from './numerics.js';
import type { FloatArray } from './tensor.js';

export type Reduction = 'none' | 'mean' | 'sum';

/** Softmax cross-entropy from logits (log-sum-exp inside every backend). */
export interface Loss {
  readonly kind: 'cross-entropy';
  readonly reduction: Reduction;
  /** Applies the reduction to per-example losses. */
  reduce(perExample: FloatArray): FloatArray | number;
  /**
   * Backends step on the mean loss; a 'sum' loss has n times that gradient (d2l calls `l.mean().backward()`
   * on 'none', which is the mean). Returns the hyperparameters that give this loss's update on a batch of n.
   */
  stepFor(n: number, sgd: StepHyperparameters): StepHyperparameters;
}

export function CrossEntropyLoss({ reduction = 'mean' }: { reduction?: Reduction } = {}): Loss {
  if (!['none', 'mean', 'sum'].includes(reduction)) {
    throw new InvalidArgumentError(`CrossEntropyLoss: reduction must be 'none', 'mean' or 'sum', got '${reduction}'.`);
  }
  return {
    kind: 'cross-entropy',
    reduction,
    reduce: (perExample) => {
      if (reduction === 'none') return perExample;
      const total = sum(perExample);
      return reduction === 'sum' ? total : total / perExample.length;
    },
    stepFor: (n, sgd) => (reduction === 'sum' ? { lr: sgd.lr * n, weightDecay: sgd.weightDecay / n } : sgd),
  };
}

export const loss = { CrossEntropyLoss } as const;
