/**
 * gpu.js kernel sources (the JavaScript subset gpu.js translates to GLSL, WebAssembly or plain JS).
 * They are strings, not functions, so that no TypeScript transform can touch their bodies.
 *
 * Layout: a matrix argument `m` of shape [rows, cols] is read as `m[row][col]`; a kernel with output
 * `[cols, rows]` computes the element at `this.thread.y` (row), `this.thread.x` (col).
 * Labels are floats; padding rows (beyond the real batch) carry label -1 and contribute nothing.
 */

/**
 * How kernels add up dot products and batch sums. `compensated`: Kahan summation, for kernels that compute in float32
 * (webasm, GL), where a plain running sum of 784 terms loses several ulps. `plain`: a running sum, for gpu.js's cpu
 * mode, whose kernels are JavaScript and so accumulate in float64 (each product of two float32 values is exact there and
 * the sum's error is ~1e-13, far below the float32 rounding of the kernel's output): compensation would only cost time.
 */
export type Summation = 'compensated' | 'plain';

/**
 * Summation of `term` over `index` in [0, count) into `total`. Compensated: `one` is a kernel argument equal to 1;
 * multiplying the new total by it hides `(t - s) - y` from GLSL compilers, which otherwise fold the compensation to
 * zero under fast-math rules (Mesa llvmpipe does). On WebAssembly the multiply is exact and harmless.
 */
function sum(summation: Summation, total: string, index: string, count: string, term: string): string {
  if (summation === 'plain') {
    return `let ${total} = 0;
  for (let ${index} = 0; ${index} < ${count}; ${index}++) {
    ${total} += ${term};
  }`;
  }
  return `let ${total} = 0;
  let ${total}Err = 0;
  for (let ${index} = 0; ${index} < ${count}; ${index}++) {
    const ${total}Y = (${term}) - ${total}Err;
    const ${total}T = (${total} + ${total}Y) * one;
    ${total}Err = (${total}T - ${total}) - ${total}Y;
    ${total} = ${total}T;
  }`;
}

/** exp(v) for v <= 0, floored so that -Infinity (from -3e38 - 3e38) never reaches exp(). */
const EXP_FLOOR = '-87';

/**
 * The float32 value of each pixel byte of `input`: `lut[v]`, the 256-entry table of `float32(v / 255)`. A table
 * lookup is exact on every gpu.js backend (a GLSL division need not be correctly rounded); doing it once per batch
 * keeps the matmul kernels plain (an indexed load inside their loops stops webasm from vectorising them).
 * Output [features, batch].
 */
export function unitSource(): string {
  return `function unit(input, lut) {
  return lut[input[this.thread.y][this.thread.x]];
}`;
}

/** `act[b][o] = relu?(sum_k input[b][k] * weight[o][k] + bias[o])`; output [outFeatures, batch]; constant K. */
export function forwardSource(relu: boolean, summation: Summation): string {
  return `function forward(input, weight, bias, one) {
  const o = this.thread.x;
  const b = this.thread.y;
  ${sum(summation, 's', 'k', 'this.constants.K', 'input[b][k] * weight[o][k]')}
  const z = s + bias[o];
  return ${relu ? 'Math.max(z, 0)' : 'z'};
}`;
}

/**
 * Gradient of the summed cross-entropy w.r.t. the logits: softmax(z) - onehot(label), row max subtracted.
 * With a ReLU after the last Linear, `z` holds the rectified logits and the gradient is masked where z == 0.
 * Output [numClasses, batch]; constant C.
 */
export function logitsGradSource(relu: boolean): string {
  return `function logitsGrad(z, labels) {
  const j = this.thread.x;
  const b = this.thread.y;
  const label = labels[b];
  if (label < 0) {
    return 0;
  }
  let m = z[b][0];
  for (let i = 1; i < this.constants.C; i++) {
    m = Math.max(m, z[b][i]);
  }
  let e = 0;
  for (let i = 0; i < this.constants.C; i++) {
    e += Math.exp(Math.max(z[b][i] - m, ${EXP_FLOOR}));
  }
  const zj = z[b][j];
  let g = Math.exp(Math.max(zj - m, ${EXP_FLOOR})) / e;
  if (Math.abs(j - label) < 0.5) {
    g = g - 1;
  }
  ${relu ? 'if (zj <= 0) {\n    g = 0;\n  }' : ''}
  return g;
}`;
}

/**
 * Per-example loss of row `b` into `loss`, and whether its arg-max (first one on ties) is the label into `hit`:
 * loss = (max - z[label]) + log(sum exp(z - max)), the log-sum-exp form, finite for any finite logits.
 */
function exampleLoss(row: string): string {
  return `let m = z[${row}][0];
    let arg = 0;
    for (let i = 1; i < this.constants.C; i++) {
      const v = z[${row}][i];
      if (v > m) {
        m = v;
        arg = i;
      }
    }
    let e = 0;
    let zl = 0;
    for (let i = 0; i < this.constants.C; i++) {
      const v = z[${row}][i];
      e += Math.exp(Math.max(v - m, ${EXP_FLOOR}));
      if (Math.abs(i - label) < 0.5) {
        zl = v;
      }
    }
    const loss = (m - zl) + Math.log(e);
    let hit = 0;
    if (Math.abs(arg - label) < 0.5) {
      hit = 1;
    }`;
}

/** Output [2]: x = 0 the loss sum (compensated), x = 1 the number of correct arg-maxes. Constants B, C. */
export function batchStatsSource(): string {
  return `function batchStats(z, labels, one) {
  let s = 0;
  let sErr = 0;
  let correct = 0;
  for (let b = 0; b < this.constants.B; b++) {
    const label = labels[b];
    if (label >= 0) {
      ${exampleLoss('b')}
      const y = loss - sErr;
      const t = (s + y) * one;
      sErr = (t - s) - y;
      s = t;
      correct += hit;
    }
  }
  if (this.thread.x == 0) {
    return s;
  }
  return correct;
}`;
}

/** Output [batch]: each example's cross-entropy (0 for padding rows). Constant C. */
export function exampleLossesSource(): string {
  return `function exampleLosses(z, labels) {
  const label = labels[this.thread.x];
  if (label < 0) {
    return 0;
  }
  const b = this.thread.x;
  ${exampleLoss('b')}
  return loss;
}`;
}

/**
 * Backprop through Linear l into the previous block: `dz_prev[b][k] = sum_o dz[b][o] * weight[o][k]`, masked by the
 * previous block's ReLU (`act > 0`). Output [inFeatures, batch]; constant O.
 */
export function backpropSource(reluBefore: boolean, summation: Summation): string {
  const mask = reluBefore ? 'if (act[b][k] <= 0) {\n    return 0;\n  }' : '';
  return `function backprop(dz, weight, ${reluBefore ? 'act, ' : ''}one) {
  const k = this.thread.x;
  const b = this.thread.y;
  ${mask}
  ${sum(summation, 's', 'o', 'this.constants.O', 'dz[b][o] * weight[o][k]')}
  return s;
}`;
}

/** Mean-loss weight gradient `invN * sum_b dz[b][o] * input[b][k]`; output [inFeatures, outFeatures]; constant B. */
export function weightGradSource(summation: Summation): string {
  return `function weightGrad(dz, input, invN, one) {
  const k = this.thread.x;
  const o = this.thread.y;
  ${sum(summation, 's', 'b', 'this.constants.B', 'dz[b][o] * input[b][k]')}
  return s * invN;
}`;
}

/** Mean-loss bias gradient `invN * sum_b dz[b][o]`; output [outFeatures]; constant B. */
export function biasGradSource(summation: Summation): string {
  return `function biasGrad(dz, invN, one) {
  const o = this.thread.x;
  ${sum(summation, 's', 'b', 'this.constants.B', 'dz[b][o]')}
  return s * invN;
}`;
}

/** SGD with L2 weight decay, PyTorch's rule: `w - lr * (g + weightDecay * w)`. */
export function sgdSource(rank: 1 | 2): string {
  const at = rank === 2 ? '[this.thread.y][this.thread.x]' : '[this.thread.x]';
  return `function sgd(param, grad, lr, weightDecay) {
  const w = param${at};
  return w - lr * (grad${at} + weightDecay * w);
}`;
}

/** Copies host values onto the device. */
export function loadSource(rank: 1 | 2): string {
  const at = rank === 2 ? '[this.thread.y][this.thread.x]' : '[this.thread.x]';
  return `function load(values) {
  return values${at};
}`;
}
