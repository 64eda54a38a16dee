import type * as tfc from '@tensorflow/tfjs-core';
import type { Retained } from './retained.js';
import type { Tfc } from './tfjs-modules.js';

/** The gradients of a layer with parameters from the gradient `dz` of its output before the activation. */
export interface ParameterGrads {
  input(dz: tfc.Tensor): tfc.Tensor;
  weight(dz: tfc.Tensor): tfc.Tensor;
  bias(dz: tfc.Tensor): tfc.Tensor;
}

/** A layer with parameters as the forward pass computes it, and what its gradients need. */
export interface ParameterOp<T extends tfc.Tensor> {
  /** The layer's input: kept for the gradients when `inputGrad`. */
  readonly input: tfc.Tensor;
  readonly weight: tfc.Variable;
  readonly bias: tfc.Variable;
  /** False for the first layer with parameters: its input is the batch, whose gradient nobody needs. */
  readonly inputGrad: boolean;
  /** The output, activation included. */
  value(): T;
  /** The gradient before the activation, from the output `y` and its gradient (the identity without an activation). */
  readonly activationGrad?: (dy: tfc.Tensor, y: T) => tfc.Tensor;
  readonly grads: ParameterGrads;
}

/**
 * A layer with parameters (Linear, Conv2d, with a fused activation or not) as one custom-gradient op. The first such
 * layer (`inputGrad` false) takes the prepared batch, made outside the gradient tape, as a constant: it is not an
 * input of the op, so no gradient with respect to it is ever computed. The weight is read from the closure (a variable
 * outlives the step, and the update comes after every gradient); the input and output, when the gradients read them,
 * are kept in `retained` (retained.ts).
 */
export function parameterOp<T extends tfc.Tensor>(tf: Tfc, op: ParameterOp<T>, retained: Retained | undefined): T {
  const { input, weight, bias, inputGrad, activationGrad, grads } = op;
  if (inputGrad) retained?.keep(input);
  const forward = () => {
    const y = op.value();
    if (activationGrad) retained?.keep(y);
    const gradients = (dy: tfc.Tensor) => {
      const dz = activationGrad ? activationGrad(dy, y) : dy;
      const params = [grads.weight(dz), grads.bias(dz)];
      return inputGrad ? [grads.input(dz), ...params] : params;
    };
    return { value: y, gradFunc: gradients };
  };
  const custom = tf.customGrad(forward);
  return (inputGrad ? custom(input, weight, bias) : custom(weight, bias)) as T;
}
