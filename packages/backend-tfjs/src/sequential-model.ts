import type * as tfc from '@tensorflow/tfjs-core';
import { type LayerSpec, type ModelSpec, type ParameterTensor, UnsupportedLayerError, weightShape } from '@xbackend/core';
import { sigmoid } from './activation.js';
import { conv2d } from './conv2d.js';
import { type Activation, toNhwc, toRows, weightToCore, weightToDevice } from './layout.js';
import { linear } from './linear.js';
import { pool2d } from './pool2d.js';
import type { Retained } from './retained.js';
import type { Tfc } from './tfjs-modules.js';

/** One op of the forward pass: a layer, or a Conv2d with the Sigmoid after it (`sigmoid`: one fused tfjs op). */
interface Step {
  readonly index: number;
  readonly layer: LayerSpec;
  readonly sigmoid: boolean;
}

/** The layers as ops: each Conv2d followed by a Sigmoid takes it in (LeNet's case). */
function stepsOf(layers: readonly LayerSpec[]): Step[] {
  const steps: Step[] = [];
  layers.forEach((layer, index) => {
    const previous = steps.at(-1);
    if (layer.kind === 'sigmoid' && previous?.layer.kind === 'conv2d' && previous.index === index - 1) {
      steps[steps.length - 1] = { ...previous, sigmoid: true };
    } else {
      steps.push({ index, layer, sigmoid: false });
    }
  });
  return steps;
}

/** A layer with parameters (Linear, Conv2d): its index (the `i` of `${i}.weight`) and its variables in the device's layout. */
interface ParameterLayer {
  readonly index: number;
  readonly layer: LayerSpec;
  readonly weight: tfc.Variable;
  readonly bias: tfc.Variable;
}

/**
 * A Sequential of core's layers as tfjs variables and custom-gradient ops (how the adapter trains; the plain tf.layers
 * version is `build-model.ts`, used by the idiomatic baseline). Activations run NHWC from the first convolution or pool
 * to the next Flatten (layout.ts); a Conv2d and the Sigmoid after it are one op. Create, use and dispose it inside the
 * runtime's `run`, so that its variables live on the engine's backend.
 */
export class SequentialModel {
  private readonly parameterLayers: ParameterLayer[] = [];
  /** Index of the first layer with parameters (the layer count when there is none). */
  private readonly first: number;
  private readonly steps: Step[];

  constructor(
    private readonly tf: Tfc,
    private readonly spec: ModelSpec,
    initial: readonly ParameterTensor[],
  ) {
    const params = new Map(initial.map((p) => [p.name, p]));
    spec.layers.forEach((layer, index) => {
      const shape = weightShape(layer);
      if (!shape) return;
      const weight = params.get(`${index}.weight`);
      const bias = params.get(`${index}.bias`);
      if (!weight || !bias) throw new Error(`internal: no parameters for layer ${index}`);
      // tidy disposes the initial values once the variables hold their own copies (variables survive tidy).
      const variables = tf.tidy(() => ({
        weight: tf.variable(weightToDevice(tf, layer, tf.tensor(Float32Array.from(weight.data), shape, 'float32'))),
        bias: tf.variable(tf.tensor1d(Float32Array.from(bias.data), 'float32')),
      }));
      this.parameterLayers.push({ index, layer, ...variables });
    });
    this.first = this.parameterLayers[0]?.index ?? spec.layers.length;
    this.steps = stepsOf(spec.layers);
  }

  /** The trainable variables, weight then bias per layer, in spec order. */
  get variables(): tfc.Variable[] {
    return this.parameterLayers.flatMap((l) => [l.weight, l.bias]);
  }

  /**
   * The layers before the first one with parameters, and the batch's conversion to the layout that one takes. Nothing
   * here depends on a parameter, so a training step runs it outside the gradient tape: recorded, tfjs would keep copies
   * of the batch for a backward pass that never reaches it.
   */
  prepare(x: tfc.Tensor): Activation {
    let a: Activation = { tensor: x, nhwc: false };
    for (const step of this.steps) if (step.index < this.first) a = this.apply(step, a, undefined);
    const next = this.spec.layers[this.first];
    if (next?.kind === 'conv2d') return { tensor: toNhwc(this.tf, a), nhwc: true };
    if (next?.kind === 'linear') return { tensor: toRows(this.tf, a), nhwc: false };
    return a;
  }

  /**
   * Logits `[N, classes]` from `prepare`'s output: the layers from the first one with parameters on. A training step
   * passes `retained`, where the ops keep what their gradients read (retained.ts).
   */
  logits(prepared: Activation, retained?: Retained): tfc.Tensor2D {
    let a = prepared;
    for (const step of this.steps) if (step.index >= this.first) a = this.apply(step, a, retained);
    return toRows(this.tf, a);
  }

  private apply({ index, layer, sigmoid: fusedSigmoid }: Step, a: Activation, retained: Retained | undefined): Activation {
    const { tf } = this;
    // The first layer with parameters takes the batch: no gradient with respect to it.
    const inputGrad = index > this.first;
    switch (layer.kind) {
      case 'flatten':
        return { tensor: toRows(tf, a), nhwc: false };
      case 'relu':
        return { tensor: tf.relu(a.tensor), nhwc: a.nhwc };
      case 'sigmoid':
        return { tensor: sigmoid(tf, a.tensor, retained), nhwc: a.nhwc };
      case 'avgpool2d':
      case 'maxpool2d':
        return { tensor: pool2d(tf, toNhwc(tf, a), layer, retained), nhwc: true };
      case 'linear': {
        const { weight, bias } = this.parametersOf(index);
        return { tensor: linear(tf, toRows(tf, a), weight, bias, inputGrad, retained), nhwc: false };
      }
      case 'conv2d': {
        const { weight, bias } = this.parametersOf(index);
        return { tensor: conv2d(tf, toNhwc(tf, a), weight, bias, layer, { inputGrad, sigmoid: fusedSigmoid, retained }), nhwc: true };
      }
      default:
        throw new UnsupportedLayerError('tfjs', (layer as { kind: string }).kind);
    }
  }

  private parametersOf(index: number): ParameterLayer {
    const found = this.parameterLayers.find((l) => l.index === index);
    if (!found) throw new Error(`internal: layer ${index} has no variables`);
    return found;
  }

  /** Host copies in core's layout and order. */
  async read(): Promise<ParameterTensor[]> {
    const { tf } = this;
    const out: ParameterTensor[] = [];
    for (const { index, layer, weight, bias } of this.parameterLayers) {
      const core = weightToCore(tf, layer, weight);
      try {
        out.push({ name: `${index}.weight`, shape: [...core.shape], data: Float32Array.from(await core.data<'float32'>()) });
      } finally {
        if (core !== weight) core.dispose();
      }
      out.push({ name: `${index}.bias`, shape: [...bias.shape], data: Float32Array.from(await bias.data<'float32'>()) });
    }
    return out;
  }

  /** Replaces every parameter (core has checked names, shapes and order). */
  write(params: readonly ParameterTensor[]): void {
    const { tf } = this;
    const byName = new Map(params.map((p) => [p.name, p]));
    tf.tidy(() => {
      for (const { index, layer, weight, bias } of this.parameterLayers) {
        const data = Float32Array.from(byName.get(`${index}.weight`)?.data ?? []);
        weight.assign(weightToDevice(tf, layer, tf.tensor(data, weightShape(layer), 'float32')));
        bias.assign(tf.tensor(Float32Array.from(byName.get(`${index}.bias`)?.data ?? []), bias.shape, 'float32'));
      }
    });
  }

  dispose(): void {
    for (const variable of this.variables) variable.dispose();
  }
}
