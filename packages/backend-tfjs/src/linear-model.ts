import type * as tfc from '@tensorflow/tfjs-core';
import { type ModelSpec, type ParameterTensor, UnsupportedLayerError } from '@xbackend/core';
import type { Tfc } from './tfjs-modules.js';

/** One Linear layer of the spec: its index (the `i` of `${i}.weight`) and its variables in PyTorch layout. */
interface LinearVariables {
  readonly index: number;
  /** `[out, in]`, as core's parameters: uploads and downloads need no transpose. */
  readonly weight: tfc.Variable;
  readonly bias: tfc.Variable;
}

/**
 * `h·Wᵀ + b` for `W` `[out, in]` as one custom-gradient op, with matmuls that never transpose the `[N, in]` operand:
 * `h·transpose(W)` forward, `transpose(dy)·h` for ∂W and `dy·W` for ∂h (transposing only `W` or `dy`, which are small).
 * tfjs-backend-wasm runs a matmul with a transpose flag through a slow path (5.8 ms for xᵀ·dy at [256, 784] against
 * 0.7 ms for transpose(dy)·x, measured), and tf.layers' Dense (a fused matmul with an `[in, out]` kernel) computes
 * both ∂kernel = xᵀ·dy and ∂input in its gradient whether or not anything needs them.
 *
 * With `inputGrad` false (the first Linear: its input is the batch) `h` is not an input of the op, so no gradient
 * with respect to it is ever computed.
 */
function linear(tf: Tfc, h: tfc.Tensor2D, weight: tfc.Variable, bias: tfc.Variable, inputGrad: boolean): tfc.Tensor2D {
  const value = (w: tfc.Tensor, b: tfc.Tensor) => tf.add(tf.matMul(h, tf.transpose(w)), b) as tfc.Tensor2D;
  const paramGrads = (dy: tfc.Tensor, x: tfc.Tensor) => [tf.matMul(tf.transpose(dy), x), tf.sum(dy, 0)];
  if (!inputGrad) {
    const op = tf.customGrad((...args: (tfc.Tensor | tfc.GradSaveFunc)[]) => {
      const [w, b] = args as [tfc.Tensor, tfc.Tensor];
      return { value: value(w, b), gradFunc: (dy: tfc.Tensor) => paramGrads(dy, h) };
    });
    return op(weight, bias) as tfc.Tensor2D;
  }
  const op = tf.customGrad((...args: (tfc.Tensor | tfc.GradSaveFunc)[]) => {
    const [x, w, b, save] = args as [tfc.Tensor, tfc.Tensor, tfc.Tensor, tfc.GradSaveFunc];
    save([x, w]);
    return {
      value: value(w, b),
      gradFunc: (dy: tfc.Tensor, saved: tfc.Tensor[]) => {
        const [input, wSaved] = saved as [tfc.Tensor, tfc.Tensor];
        return [tf.matMul(dy, wSaved), ...paramGrads(dy, input)];
      },
    };
  });
  return op(h, weight, bias) as tfc.Tensor2D;
}

/**
 * A Sequential of Flatten, Linear and ReLU layers as tfjs variables and ops (how the adapter trains; the plain
 * tf.layers version is `build-model.ts`, used by the idiomatic baseline). Create, use and dispose it inside the
 * runtime's `run`, so its variables live on the engine's backend.
 */
export class LinearModel {
  private readonly linears: LinearVariables[] = [];

  constructor(
    private readonly tf: Tfc,
    private readonly spec: ModelSpec,
    initial: readonly ParameterTensor[],
  ) {
    const params = new Map(initial.map((p) => [p.name, p]));
    spec.layers.forEach((layer, index) => {
      const kind = (layer as { kind: string }).kind;
      if (kind !== 'flatten' && kind !== 'relu' && kind !== 'linear') throw new UnsupportedLayerError('tfjs', kind);
      if (layer.kind !== 'linear') return;
      const weight = params.get(`${index}.weight`);
      const bias = params.get(`${index}.bias`);
      if (!weight || !bias) throw new Error(`internal: no parameters for layer ${index}`);
      // tidy disposes the initial values once the variables hold their own copies (variables survive tidy).
      this.linears.push(
        tf.tidy(() => ({
          index,
          weight: tf.variable(tf.tensor2d(Float32Array.from(weight.data), [layer.outFeatures, layer.inFeatures], 'float32')),
          bias: tf.variable(tf.tensor1d(Float32Array.from(bias.data), 'float32')),
        })),
      );
    });
  }

  /** The trainable variables, weight then bias per Linear, in spec order. */
  get variables(): tfc.Variable[] {
    return this.linears.flatMap((l) => [l.weight, l.bias]);
  }

  /**
   * The layers before the first Linear (Flatten, ReLU), flattened to `[N, features]`. Nothing in them depends on a
   * parameter, so a training step runs them outside the gradient tape: recorded, tfjs would copy the whole batch to
   * keep a Reshape's input for a backward pass that never reaches it.
   */
  prepare(x: tfc.Tensor): tfc.Tensor2D {
    const { tf } = this;
    const first = this.linears[0]?.index ?? this.spec.layers.length;
    let h = x;
    for (const layer of this.spec.layers.slice(0, first)) if (layer.kind === 'relu') h = tf.relu(h);
    return (h.rank === 2 ? h : tf.reshape(h, [h.shape[0] as number, -1])) as tfc.Tensor2D;
  }

  /** Logits `[N, classes]` from `prepare`'s output: the layers from the first Linear on. */
  logits(prepared: tfc.Tensor2D): tfc.Tensor2D {
    const { tf } = this;
    const first = this.linears[0]?.index ?? this.spec.layers.length;
    let h: tfc.Tensor = prepared;
    this.spec.layers.forEach((layer, index) => {
      if (index < first) return;
      if (layer.kind === 'relu') h = tf.relu(h);
      else if (layer.kind === 'flatten') h = h.rank === 2 ? h : tf.reshape(h, [h.shape[0] as number, -1]);
      else {
        const vars = this.linears.find((l) => l.index === index) as LinearVariables;
        h = linear(tf, h as tfc.Tensor2D, vars.weight, vars.bias, index > first);
      }
    });
    return h as tfc.Tensor2D;
  }

  /** Host copies in core's layout and order. */
  async read(): Promise<ParameterTensor[]> {
    const out: ParameterTensor[] = [];
    for (const { index, weight, bias } of this.linears) {
      out.push({ name: `${index}.weight`, shape: [...weight.shape], data: Float32Array.from(await weight.data<'float32'>()) });
      out.push({ name: `${index}.bias`, shape: [...bias.shape], data: Float32Array.from(await bias.data<'float32'>()) });
    }
    return out;
  }

  /** Replaces every parameter (core has checked names, shapes and order). */
  write(params: readonly ParameterTensor[]): void {
    const { tf } = this;
    const byName = new Map(params.map((p) => [p.name, p]));
    tf.tidy(() => {
      for (const { index, weight, bias } of this.linears) {
        weight.assign(tf.tensor(Float32Array.from(byName.get(`${index}.weight`)?.data ?? []), weight.shape, 'float32'));
        bias.assign(tf.tensor(Float32Array.from(byName.get(`${index}.bias`)?.data ?? []), bias.shape, 'float32'));
      }
    });
  }

  dispose(): void {
    for (const variable of this.variables) variable.dispose();
  }
}
