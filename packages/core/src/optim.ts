import { InvalidArgumentError } from './errors.js';
import type { Module, Parameter } from './nn.js';
import { checkLr, checkWeightDecay } from './validate.js';

/** Plain SGD with optional (L2) weight decay, PyTorch semantics: `w ← w − lr·(g + weightDecay·w)`. */
export interface Optimizer {
  readonly kind: 'sgd';
  readonly module: Module;
  readonly lr: number;
  readonly weightDecay: number;
  setLr(lr: number): void;
}

export function SGD(params: readonly Parameter[], { lr, weightDecay = 0 }: { lr: number; weightDecay?: number }): Optimizer {
  const owner = params[0]?.owner;
  if (!owner) throw new InvalidArgumentError('optim.SGD needs the model parameters: optim.SGD(net.parameters(), { lr }).');
  if (params.some((p) => p.owner !== owner) || params.length !== owner.parameters().length) {
    throw new InvalidArgumentError('optim.SGD updates whole models: pass net.parameters() of a single model.');
  }
  let current = checkLr(lr);
  const decay = checkWeightDecay(weightDecay);
  return {
    kind: 'sgd',
    module: owner,
    get lr() {
      return current;
    },
    weightDecay: decay,
    setLr(next) {
      current = checkLr(next);
    },
  };
}

export const optim = { SGD } as const;
