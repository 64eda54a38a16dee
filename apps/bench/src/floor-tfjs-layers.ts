import type * as Tfc from '@tensorflow/tfjs-core';
import { type Conv2dSpec, layerShapes, type ParameterTensor } from '@xbackend/core';
import { type PreparedBatch, prepareEpoch } from './floor-loop.js';
import type { TfjsFloorContext, TfjsFloorModel } from './floor-tfjs.js';

type Op = (x: Tfc.Tensor) => Tfc.Tensor;

/** PyTorch's OIHW convolution weight as tfjs's HWIO filter. */
function hwioFromOihw(weight: ParameterTensor): Float32Array {
  const [o = 0, i = 0, kh = 0, kw = 0] = weight.shape;
  const out = new Float32Array(weight.data.length);
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) out[((y * kw + x) * i + b) * o + a] = weight.data[((a * i + b) * kh + y) * kw + x] as number;
  return out;
}

/** A Linear's `[out, in]` weight as an `[in, out]` kernel whose input j is PyTorch's input `order[j]` (default j). */
function kernelFromWeight(weight: ParameterTensor, order: Int32Array | undefined): Float32Array {
  const [outF = 0, inF = 0] = weight.shape;
  const out = new Float32Array(weight.data.length);
  for (let j = 0; j < inF; j++) {
    const column = order ? (order[j] as number) : j;
    for (let o = 0; o < outF; o++) out[j * outF + o] = weight.data[o * inF + column] as number;
  }
  return out;
}

/** For an `[h, w, c]` example flattened (NHWC order): the position of each value in PyTorch's CHW flattening. */
function chwOrder(h: number, w: number, c: number): Int32Array {
  const order = new Int32Array(h * w * c);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) order[(y * w + x) * c + k] = k * h * w + y * w + x;
  return order;
}

/**
 * PyTorch's Conv2d as one tfjs op (`tf.fused.conv2d` with the bias) whose gradients are forward convolutions, which
 * every engine runs fast: tfjs-backend-wasm has no Conv2DBackpropFilter kernel, and its Conv2DBackpropInput
 * (`conv2dTranspose`) took 60 ms for LeNet's second convolution at batch 256 against 14 ms as a convolution. The filter's
 * gradient correlates the input seen as `[in, H, W, batch]` with `dY` seen as a filter `[outH, outW, batch, out]`
 * (dilated by the stride); the input's (stride 1) convolves `dY` with the filter flipped in space, in and out swapped;
 * the bias's sums `dY` as a product with ones. `inputGradient` false (the first layer with parameters): no input
 * gradient, as PyTorch and the adapters skip it.
 */
function convolution(tf: typeof Tfc, spec: Conv2dSpec, inputGradient: boolean) {
  const [ph, pw] = spec.padding;
  const [kh, kw] = spec.kernelSize;
  const stride = spec.stride as [number, number];
  const padding = (top: number, left: number): [[number, number], [number, number], [number, number], [number, number]] => [
    [0, 0],
    [top, top],
    [left, left],
    [0, 0],
  ];
  const pad = padding(ph, pw);
  const filterGradient = (x: Tfc.Tensor4D, dy: Tfc.Tensor4D) => {
    const grad = tf.conv2d(tf.transpose(x, [3, 1, 2, 0]), tf.transpose(dy, [1, 2, 0, 3]), 1, pad, 'NHWC', stride);
    // Rows and columns the forward pass dropped (floor mode) come out as extra positions: keep the kernel's.
    const kernel = tf.slice(grad, [0, 0, 0, 0], [x.shape[3], kh, kw, spec.outChannels]);
    return tf.transpose(kernel, [1, 2, 0, 3]);
  };
  const inputGradientOf = (dy: Tfc.Tensor4D, f: Tfc.Tensor4D, inputShape: [number, number, number, number]) => {
    const stride1 = stride[0] === 1 && stride[1] === 1 && kh - 1 - ph >= 0 && kw - 1 - pw >= 0;
    if (!stride1) return tf.conv2dTranspose(dy, f, inputShape, stride, pad);
    const flipped = tf.transpose(tf.reverse(f, [0, 1]), [0, 1, 3, 2]) as Tfc.Tensor4D;
    return tf.conv2d(dy, flipped, 1, padding(kh - 1 - ph, kw - 1 - pw));
  };
  const biasGradient = (dy: Tfc.Tensor) => {
    const rows = dy.size / spec.outChannels;
    return tf.reshape(tf.matMul(tf.ones([1, rows]), tf.reshape(dy, [rows, spec.outChannels])), [spec.outChannels]);
  };
  const forward = (x: Tfc.Tensor, f: Tfc.Tensor, b: Tfc.Tensor) =>
    tf.fused.conv2d({ x: x as Tfc.Tensor4D, filter: f as Tfc.Tensor4D, strides: stride, pad, bias: b });
  if (!inputGradient) {
    return (x: Tfc.Tensor, f: Tfc.Tensor, b: Tfc.Tensor): Tfc.Tensor =>
      tf.customGrad((filter, bias) => ({
        value: forward(x, filter as Tfc.Tensor, bias as Tfc.Tensor),
        gradFunc: (dy) => [filterGradient(x as Tfc.Tensor4D, dy as Tfc.Tensor4D), biasGradient(dy)],
      }))(f, b);
  }
  return tf.customGrad((x, f, b, save) => {
    (save as Tfc.GradSaveFunc)([x as Tfc.Tensor, f as Tfc.Tensor]);
    return {
      value: forward(x as Tfc.Tensor, f as Tfc.Tensor, b as Tfc.Tensor),
      gradFunc: (dy, [xs, fs]) => {
        const [x4, f4, dy4] = [xs as Tfc.Tensor4D, fs as Tfc.Tensor4D, dy as Tfc.Tensor4D];
        return [inputGradientOf(dy4, f4, x4.shape), filterGradient(x4, dy4), biasGradient(dy4)];
      },
    };
  }) as (x: Tfc.Tensor, f: Tfc.Tensor, b: Tfc.Tensor) => Tfc.Tensor;
}

/**
 * The tfjs floor of the models with hidden layers (§4.3's MLP, §7.6's LeNet): the forward pass in plain tfjs ops
 * (NHWC: convolution filters, and the Linear after a Flatten, are converted from PyTorch's layout once, up front),
 * gradients by tfjs's tape (`tf.variableGrads`; the convolutions' as convolutions, see `convolution`), SGD as `v - lr·g`. The
 * test set is evaluated a batch at a time, as `evaluateAccuracy` does.
 */
export async function layersFloor(context: TfjsFloorContext): Promise<TfjsFloorModel> {
  // tfjs-core has no gradient functions of its own: importing tf.layers registers them (as importing @tensorflow/tfjs does).
  await import('@tensorflow/tfjs-layers');
  const { tf, layers, initial, upload, classes, test, sampleShape } = context;
  const params = new Map(initial.map((p) => [p.name, p]));
  const param = (name: string) => {
    const p = params.get(name);
    if (!p) throw new Error(`internal: no initial parameter ${name}`);
    return p;
  };
  const variables: Tfc.Variable[] = [];
  const ops: Op[] = [];
  // Each layer's input as core infers it, per example: [c, h, w] or [features]. Flat examples arrive in CHW order.
  const shapes = [[...sampleShape], ...layerShapes(layers, sampleShape)];
  let spatial = false;
  let order: Int32Array | undefined;
  /** NHWC from layer `i` on (the first convolution or pooling). */
  const toSpatial = (i: number) => {
    if (spatial) return;
    const [c = 1, h = 1, w = 1] = shapes[i] ?? [];
    ops.push((x) => (c === 1 ? tf.reshape(x, [-1, h, w, 1]) : tf.transpose(tf.reshape(x, [-1, c, h, w]), [0, 2, 3, 1])));
    spatial = true;
  };
  layers.forEach((layer, i) => {
    switch (layer.kind) {
      case 'conv2d': {
        const hasParametersBefore = variables.length > 0;
        toSpatial(i);
        const weight = param(`${i}.weight`);
        const [o = 0, inC = 0, kh = 0, kw = 0] = weight.shape;
        const f = tf.variable(tf.tensor4d(hwioFromOihw(weight), [kh, kw, inC, o]));
        const b = tf.variable(tf.tensor1d(Float32Array.from(param(`${i}.bias`).data)));
        variables.push(f, b);
        const conv = convolution(tf, layer, hasParametersBefore);
        ops.push((x) => conv(x, f, b));
        return;
      }
      case 'avgpool2d':
      case 'maxpool2d': {
        const { kernelSize, stride } = layer;
        toSpatial(i);
        const run = layer.kind === 'avgpool2d' ? tf.avgPool : tf.maxPool;
        ops.push((x) => run(x as Tfc.Tensor4D, [kernelSize[0], kernelSize[1]], [stride[0], stride[1]], 'valid'));
        return;
      }
      case 'sigmoid':
        ops.push((x) => tf.sigmoid(x));
        return;
      case 'relu':
        ops.push((x) => tf.relu(x));
        return;
      case 'flatten': {
        if (!spatial) return; // examples already flat, in PyTorch's order
        const [c = 0, h = 0, w = 0] = shapes[i] ?? [];
        order = chwOrder(h, w, c);
        spatial = false;
        ops.push((x) => tf.reshape(x, [-1, h * w * c]));
        return;
      }
      case 'linear': {
        const weight = param(`${i}.weight`);
        const k = tf.variable(tf.tensor2d(kernelFromWeight(weight, order), [layer.inFeatures, layer.outFeatures]));
        const b = tf.variable(tf.tensor1d(Float32Array.from(param(`${i}.bias`).data)));
        order = undefined;
        variables.push(k, b);
        ops.push((x) => tf.add(tf.matMul(x, k), b));
        return;
      }
    }
  });
  const forward = (x: Tfc.Tensor) => ops.reduce((a, op) => op(a), x);
  const lr = tf.scalar(context.lr);
  const hits = (logits: Tfc.Tensor, y: Tfc.Tensor) => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32'));
  const testBatches = prepareEpoch(test, 0);
  return {
    loop: "tfjs ops over batches gathered in advance, gradients by tf.variableGrads (convolutions': as convolutions), NHWC",
    step: (batch: PreparedBatch) =>
      tf.tidy(() => {
        const { x, y } = upload(batch);
        const onehot = tf.oneHot(y, classes);
        let logits: Tfc.Tensor | undefined;
        const { value, grads } = tf.variableGrads(() => {
          // Kept past the tape's scope for the accuracy (disposed below).
          logits = tf.keep(forward(x));
          const losses = tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(logits, onehot), 1));
          return tf.mean(losses) as Tfc.Scalar;
        }, variables);
        for (const v of variables) v.assign(tf.sub(v, tf.mul(lr, grads[v.name] as Tfc.Tensor)));
        const kept = logits as Tfc.Tensor;
        const stats = tf.stack([tf.mul(value, batch.size), hits(kept, y)]);
        kept.dispose();
        return stats;
      }),
    testCorrect: () => {
      const counts = testBatches.map((batch) =>
        tf.tidy(() => {
          const { x, y } = upload(batch);
          return hits(forward(x), y);
        }),
      );
      const total = tf.addN(counts);
      tf.dispose(counts);
      return total;
    },
    dispose: () => tf.dispose([...variables, lr]),
  };
}
