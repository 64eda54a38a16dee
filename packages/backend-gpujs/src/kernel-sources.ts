/**
 * gpu.js kernel sources (the JavaScript subset gpu.js translates to GLSL, WebAssembly or plain JS).
 * They are strings, not functions, so that no TypeScript transform can touch their bodies.
 *
 * Layout: a matrix argument `m` of shape [rows, cols] is read as `m[row][col]`; a kernel with output
 * `[cols, rows]` computes the element at `this.thread.y` (row), `this.thread.x` (col).
 * Labels are floats; padding rows (beyond the real batch) carry label -1 and contribute nothing.
 */

import { type Activation, activateSource } from './activation-sources.js';
import { type Summation, sumSource } from './summation.js';

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

/**
 * Interleaved partial sums per dot product (`SumSpec.chains`): four for the cpu mode's float64 sums, which wait on
 * each addition; one for the compensated ones, which keeps GL's results as they were (webasm's matrix products
 * are packed-kernel-sources.ts).
 */
function chainsFor(summation: Summation): number {
  return summation === 'plain' ? 4 : 1;
}

/** Declares `s`, the sum of `term(index)` over index 0 … count - 1. */
function totalSource(summation: Summation, index: string, count: number, term: (i: string) => string): string {
  return sumSource({ summation, index, count, chains: chainsFor(summation), totals: ['s'], term: (_, i) => term(i) });
}

/** `act[b][o] = activation(sum_k input[b][k] * weight[o][k] + bias[o])`; output [outFeatures, batch]. */
export function forwardSource(activation: Activation, summation: Summation, inFeatures: number): string {
  const s = totalSource(summation, 'k', inFeatures, (k) => `input[b][${k}] * weight[o][${k}]`);
  return `function forward(input, weight, bias, one) {
  const o = this.thread.x;
  const b = this.thread.y;
  ${s}
  ${activateSource(activation, 's + bias[o]', 'y')}
  return y;
}`;
}

/** Declares `m`, the largest logit of row `b` of `z`, and `e`, the sum of `exp(z - m)` over its classes. */
export function rowSoftmaxSource(classes: number): string {
  return `let m = z[b][0];
  for (let i = 1; i < ${classes}; i++) {
    m = Math.max(m, z[b][i]);
  }
  let e = 0;
  for (let i = 0; i < ${classes}; i++) {
    e += Math.exp(Math.max(z[b][i] - m, ${EXP_FLOOR}));
  }`;
}

/**
 * Sets `g${tag}` to the loss gradient of class `j` of row `b`: softmax minus one-hot, through the activation that
 * made the logits (masked where a ReLU made z == 0, times z·(1 − z) after a sigmoid). Reads `m` and `e`
 * (rowSoftmaxSource) and `label`.
 */
export function classGradientSource(j: string, tag: string, activation: Activation): string {
  const through = {
    none: '',
    relu: `if (zj${tag} <= 0) {\n    g${tag} = 0;\n  }`,
    sigmoid: `g${tag} = g${tag} * (1 - zj${tag}) * zj${tag};`,
  }[activation];
  return `const zj${tag} = z[b][${j}];
  g${tag} = Math.exp(Math.max(zj${tag} - m, ${EXP_FLOOR})) / e;
  if (Math.abs(${j} - label) < 0.5) {
    g${tag} = g${tag} - 1;
  }
  ${through}`;
}

/**
 * Gradient of the summed cross-entropy w.r.t. the logits: softmax(z) - onehot(label), row max subtracted.
 * With an activation after the last stage, `z` holds the activated logits and the gradient goes through it
 * (classGradientSource). Output [batch, numClasses]: the gradient transposed, `dz[j][b]`, so that the gradient kernels
 * read one class's gradients as one row.
 */
export function logitsGradSource(activation: Activation, classes: number): string {
  return `function logitsGrad(z, labels) {
  const b = this.thread.x;
  const j = this.thread.y;
  const label = labels[b];
  if (label < 0) {
    return 0;
  }
  ${rowSoftmaxSource(classes)}
  let g = 0;
  ${classGradientSource('j', '', activation)}
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
 * Backprop through Linear l into the previous stage: `dz_prev[k][b] = sum_o dz[o][b] * weight[o][k]` (transposed, as
 * `dz`), through the previous stage's activation (`act`, its output): masked by a ReLU (`act > 0`), times
 * `(1 − act)·act` after a sigmoid. Output [batch, rows]; rows beyond inFeatures (padding for the packed kernels) are 0.
 */
export function backpropSource(
  activationBefore: Activation,
  summation: Summation,
  sizes: { readonly inFeatures: number; readonly outFeatures: number; readonly rows: number },
): string {
  const { inFeatures, outFeatures, rows } = sizes;
  const s = totalSource(summation, 'o', outFeatures, (o) => `dz[${o}][b] * weight[${o}][k]`);
  const mask = activationBefore === 'relu' ? 'if (act[b][k] <= 0) {\n    return 0;\n  }' : '';
  const result = activationBefore === 'sigmoid' ? 'const a = act[b][k];\n  return s * (1 - a) * a;' : 'return s;';
  return `function backprop(dz, weight, ${activationBefore === 'none' ? '' : 'act, '}one) {
  const b = this.thread.x;
  const k = this.thread.y;
  ${rows > inFeatures ? `if (k >= ${inFeatures}) {\n    return 0;\n  }` : ''}
  ${mask}
  ${s}
  ${result}
}`;
}

/** Mean-loss weight gradient `invN * sum_b dz[o][b] * input[b][k]`; output [inFeatures, outFeatures rows]. */
export function weightGradSource(summation: Summation, batch: number): string {
  const s = totalSource(summation, 'b', batch, (b) => `dz[o][${b}] * input[${b}][k]`);
  return `function weightGrad(dz, input, invN, one) {
  const k = this.thread.x;
  const o = this.thread.y;
  ${s}
  return s * invN;
}`;
}

/** Mean-loss bias gradient `invN * sum_b dz[o][b]`; output [outFeatures rows]. */
export function biasGradSource(summation: Summation, batch: number): string {
  const s = totalSource(summation, 'b', batch, (b) => `dz[o][${b}]`);
  return `function biasGrad(dz, invN, one) {
  const o = this.thread.x;
  ${s}
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
