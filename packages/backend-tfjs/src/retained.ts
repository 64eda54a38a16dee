import type * as tfc from '@tensorflow/tfjs-core';
import type { Tfc } from './tfjs-modules.js';

/**
 * The forward-pass tensors a training step's gradients read. tfjs's `minimize` disposes the forward pass's tensors
 * before it computes the gradients, and tfjs's own way to keep one, a custom op's `save()`, copies it (4 ms per step
 * for LeNet's first activation on wasm). The adapter's ops keep what their gradients read here instead, and the step
 * disposes it all once the update is done. Outside a training step there is no Retained and nothing is kept.
 */
export class Retained {
  private readonly tensors: tfc.Tensor[] = [];

  constructor(private readonly tf: Tfc) {}

  keep<T extends tfc.Tensor>(tensor: T): T {
    this.tensors.push(this.tf.keep(tensor));
    return tensor;
  }

  dispose(): void {
    for (const tensor of this.tensors.splice(0)) tensor.dispose();
  }
}
