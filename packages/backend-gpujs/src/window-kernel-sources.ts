/**
 * Kernel sources of the window layers (Conv2d, AvgPool2d, MaxPool2d) and of lone activations, in the layout of
 * kernel-sources.ts: activations are rows of examples, `act[b][f]`, with an example's `[c, h, w]` flattened row-major
 * (f = (c·H + h)·W + w, so Flatten is free); gradients are transposed, `g[f][b]`. A conv weight is its OIHW matrix
 * `[out, in·kh·kw]`. Sizes are baked into each source as literals.
 *
 * A kernel that turns a gradient into the one with respect to its stage's input also takes it through the
 * activation of the stage before (`act`: that stage's output, this stage's input), as backpropSource does.
 */
import { type Activation, activateSource, throughActivation } from './activation-sources.js';
import type { Chw, ConvStage, PoolStage } from './model-plan.js';
import { addTerm, declareSum, type Summation } from './summation.js';

/**
 * Declares `c`, `h`, `w` (names given) of flat index `f` over `[channels, height, width]`. Divisions are taken at
 * f + 0.5, half a step from any integer, so that a GLSL division that is not correctly rounded still floors right.
 */
function splitIndex(f: string, [c, h, w]: readonly [string, string, string], [, height, width]: Chw): string {
  return `const ${c} = Math.floor((${f} + 0.5) / ${height * width});
  const ${c}R = ${f} - ${c} * ${height * width};
  const ${h} = Math.floor((${c}R + 0.5) / ${width});
  const ${w} = ${c}R - ${h} * ${width};`;
}

/** `body`, run only where every test holds (as is, without tests). */
function guard(tests: readonly string[], body: string): string {
  return tests.length === 0 ? body : `if (${tests.join(' && ')}) {\n${body}\n}`;
}

/** Tests that input coordinate `v` lies inside [0, size): none without padding, where it always does. */
function inside(v: string, padding: number, size: number): string[] {
  return padding > 0 ? [`${v} >= 0`, `${v} < ${size}`] : [];
}

/**
 * Loops `row` over [0, rows) and `col` over [0, cols) (a window's offsets i, j, or the output pixels y, x), declaring the
 * input pixel (ih, iw) = (y·sh − ph + i, x·sw − pw + j) that output pixel (y, x) reads at offset (i, j), and runs `body`
 * where that pixel is inside the input (not in the zero padding).
 */
export function overInputReads(
  stage: ConvStage,
  [row, rows]: readonly [string, number],
  [col, cols]: readonly [string, number],
  body: string,
): string {
  const {
    input,
    stride: [sh, sw],
    padding: [ph, pw],
  } = stage;
  return `for (let ${row} = 0; ${row} < ${rows}; ${row}++) {
      const ih = y * ${sh} + i - ${ph};
      ${guard(
        inside('ih', ph, input[1]),
        `for (let ${col} = 0; ${col} < ${cols}; ${col}++) {
        const iw = x * ${sw} + j - ${pw};
        ${guard(inside('iw', pw, input[2]), body)}
      }`,
      )}
    }`;
}

/** The flat index of `[c, h, w]` in examples of `[channels, height, width]`. */
function flat(c: string, h: string, w: string, [, height, width]: Chw): string {
  return `(${c} * ${height} + ${h}) * ${width} + ${w}`;
}

/** Statements that return `s` (a gradient w.r.t. this stage's input) through the previous stage's activation. */
function returnThrough(activationBefore: Activation, s: string, a: string): string {
  if (activationBefore === 'none') return `return ${s};`;
  return `const a = ${a};\n  return ${throughActivation(activationBefore, s, 'a')};`;
}

/**
 * Conv2d forward: `act[b][(o, y, x)] = activation(bias[o] + Σ_{c,i,j} weight[o][(c, i, j)] · input[b][(c, y·sh − ph + i,
 * x·sw − pw + j)])` over the zero-padded input (terms in the padding are skipped). Output [outFeatures, batch].
 */
export function convForwardSource(stage: ConvStage, summation: Summation): string {
  const {
    input,
    output,
    kernelSize: [kh, kw],
    activation,
  } = stage;
  const term = `input[b][${flat('c', 'ih', 'iw', input)}] * weight[o][(c * ${kh} + i) * ${kw} + j]`;
  return `function convForward(input, weight, bias, one) {
  const b = this.thread.y;
  ${splitIndex('this.thread.x', ['o', 'y', 'x'], output)}
  ${declareSum(summation, 's', 'bias[o]')}
  for (let c = 0; c < ${input[0]}; c++) {
    ${overInputReads(stage, ['i', kh], ['j', kw], addTerm(summation, 's', term))}
  }
  ${activateSource(activation, 's', 'z')}
  return z;
}`;
}

/**
 * The first level of the conv weight gradient: example b's share `Σ_{y,x} g[(o, y, x)][b] · input[b][(c, y·sh − ph + i,
 * x·sw − pw + j)]` of weight (o, c, i, j), `part[(o, c, i, j)][b]`. gradSumSource adds the shares of the batch: two
 * compensated levels instead of one sum of batch × output pixels terms (200 704 for LeNet's first layer), each short
 * enough to stay accurate, with enough cells to keep a GL device busy. Output [batch, weights].
 */
export function convWeightGradPartSource(stage: ConvStage, summation: Summation): string {
  const {
    input,
    output,
    kernelSize: [kh, kw],
  } = stage;
  const term = `g[${flat('o', 'y', 'x', output)}][b] * input[b][${flat('c', 'ih', 'iw', input)}]`;
  return `function convWeightGradPart(g, input, one) {
  const b = this.thread.x;
  const o = Math.floor((this.thread.y + 0.5) / ${input[0] * kh * kw});
  const k = this.thread.y - o * ${input[0] * kh * kw};
  ${splitIndex('k', ['c', 'i', 'j'], [input[0], kh, kw])}
  ${declareSum(summation, 's')}
  ${overInputReads(stage, ['y', output[1]], ['x', output[2]], addTerm(summation, 's', term))}
  return s;
}`;
}

/** The first level of the conv bias gradient: `part[o][b] = Σ_{y,x} g[(o, y, x)][b]`. Output [batch, outChannels]. */
export function convBiasGradPartSource(stage: ConvStage, summation: Summation): string {
  const [, outHeight, outWidth] = stage.output;
  const pixels = outHeight * outWidth;
  return `function convBiasGradPart(g, one) {
  const b = this.thread.x;
  const o = this.thread.y;
  ${declareSum(summation, 's')}
  for (let p = 0; p < ${pixels}; p++) {
    ${addTerm(summation, 's', `g[o * ${pixels} + p][b]`)}
  }
  return s;
}`;
}

/**
 * The second level of a gradient sum: `invN · Σ_b part[row][b]` for row = this.thread.y · cols + this.thread.x, so that
 * the output [cols, rows] is the gradient as its parameter is stored.
 */
export function gradSumSource(summation: Summation, batch: number, cols: number): string {
  return `function gradSum(part, invN, one) {
  const row = this.thread.y * ${cols} + this.thread.x;
  ${declareSum(summation, 's')}
  for (let b = 0; b < ${batch}; b++) {
    ${addTerm(summation, 's', 'part[row][b]')}
  }
  return s * invN;
}`;
}

/**
 * The gradient w.r.t. a Conv2d's input: `gIn[(c, h, w)][b] = Σ_{o,y,x} g[(o, y, x)][b] · weight[o][(c, i, j)]` over the
 * output pixels (y, x) whose window reads (h, w), at i = h + ph − y·sh, j = w + pw − x·sw (convInputRanges), through the
 * previous stage's activation. Output [batch, inFeatures].
 */
export function convInputGradSource(stage: ConvStage, activationBefore: Activation, summation: Summation): string {
  const {
    input,
    output,
    kernelSize: [kh, kw],
  } = stage;
  const term = `g[${flat('o', 'y', 'x', output)}][b] * weight[o][(c * ${kh} + i) * ${kw} + j]`;
  return `function convInputGrad(g, weight, ${activationBefore === 'none' ? '' : 'act, '}one) {
  const b = this.thread.x;
  ${splitIndex('this.thread.y', ['c', 'h', 'w'], input)}
  ${convInputRanges(stage)}
  ${declareSum(summation, 's')}
  for (let o = 0; o < ${output[0]}; o++) {
    ${overWindowsOf(stage, addTerm(summation, 's', term))}
  }
  ${returnThrough(activationBefore, 's', 'act[b][this.thread.y]')}
}`;
}

/**
 * Declares `yLo`, `yHi`, `xLo`, `xHi`: the output pixels whose window reads input pixel (h, w), those with
 * 0 <= h + ph − y·sh < kh inside the output (likewise x). Looping over them alone skips the (i, j) that read nothing:
 * half of them for LeNet's second layer. Ceilings are floors of (n + stride − 1), all at + 0.5 (see splitIndex).
 */
export function convInputRanges(stage: ConvStage): string {
  const {
    output,
    kernelSize: [kh, kw],
    stride: [sh, sw],
    padding: [ph, pw],
  } = stage;
  const range = (o: string, at: string, k: number, s: number, p: number, size: number) =>
    s === 1
      ? `const ${o}Lo = Math.max(0, ${at} + ${p - k + 1});\n  const ${o}Hi = Math.min(${size - 1}, ${at} + ${p});`
      : `const ${o}Lo = Math.max(0, Math.floor((${at} + ${p - k + s} + 0.5) / ${s}));
  const ${o}Hi = Math.min(${size - 1}, Math.floor((${at} + ${p} + 0.5) / ${s}));`;
  return `${range('y', 'h', kh, sh, ph, output[1])}\n  ${range('x', 'w', kw, sw, pw, output[2])}`;
}

/** Loops over the output pixels (y, x) of convInputRanges, with the kernel offsets (i, j) at which they read (h, w). */
export function overWindowsOf(stage: ConvStage, body: string): string {
  const {
    stride: [sh, sw],
    padding: [ph, pw],
  } = stage;
  return `for (let y = yLo; y <= yHi; y++) {
      const i = h + ${ph} - y * ${sh};
      for (let x = xLo; x <= xHi; x++) {
        const j = w + ${pw} - x * ${sw};
        ${body}
      }
    }`;
}

/**
 * Pooling forward, per channel, over windows that fit (floor mode): the mean (sum / area) or the max of window (y, x),
 * then the stage's activation. Output [outFeatures, batch].
 */
export function poolForwardSource(stage: PoolStage, summation: Summation): string {
  const {
    input,
    output,
    kernelSize: [kh, kw],
    stride: [sh, sw],
    activation,
  } = stage;
  const at = `input[b][${flat('c', `y * ${sh} + i`, `x * ${sw} + j`, input)}]`;
  const reduce =
    stage.kind === 'avgpool2d'
      ? { init: declareSum(summation, 's'), step: addTerm(summation, 's', at), result: `s / ${kh * kw}` }
      : { init: `let s = input[b][${flat('c', `y * ${sh}`, `x * ${sw}`, input)}];`, step: `s = Math.max(s, ${at});`, result: 's' };
  return `function poolForward(input, one) {
  const b = this.thread.y;
  ${splitIndex('this.thread.x', ['c', 'y', 'x'], output)}
  ${reduce.init}
  for (let i = 0; i < ${kh}; i++) {
    for (let j = 0; j < ${kw}; j++) {
      ${reduce.step}
    }
  }
  ${activateSource(activation, reduce.result, 'z')}
  return z;
}`;
}

/**
 * The gradient w.r.t. a pooling layer's input (`act`, also the previous stage's output): each window (y, x) that holds
 * input pixel (h, w) passes it `g[(c, y, x)][b] / area` (average), or all of `g[(c, y, x)][b]` when (h, w) is the window's
 * first largest value in row-major order (max, as PyTorch). Pixels no window covers get 0. Output [batch, inFeatures].
 */
export function poolInputGradSource(stage: PoolStage, activationBefore: Activation, summation: Summation): string {
  const {
    input,
    output,
    kernelSize: [kh, kw],
    stride: [sh, sw],
  } = stage;
  const [, outHeight, outWidth] = output;
  const grad = `g[${flat('c', 'y', 'x', output)}][b]`;
  const take =
    stage.kind === 'avgpool2d'
      ? addTerm(summation, 's', grad)
      : `let m = act[b][${flat('c', `y * ${sh}`, `x * ${sw}`, input)}];
            let first = 0;
            for (let i = 0; i < ${kh}; i++) {
              for (let j = 0; j < ${kw}; j++) {
                const v = act[b][${flat('c', `y * ${sh} + i`, `x * ${sw} + j`, input)}];
                if (v > m) {
                  m = v;
                  first = i * ${kw} + j;
                }
              }
            }
            if (Math.abs(first - ((h - y * ${sh}) * ${kw} + w - x * ${sw})) < 0.5) {
              ${addTerm(summation, 's', grad)}
            }`;
  const result = stage.kind === 'avgpool2d' ? `s / ${kh * kw}` : 's';
  return `function poolInputGrad(g, act, one) {
  const b = this.thread.x;
  ${splitIndex('this.thread.y', ['c', 'h', 'w'], input)}
  ${declareSum(summation, 's')}
  const lastY = Math.floor((h + 0.5) / ${sh});
  const lastX = Math.floor((w + 0.5) / ${sw});
  for (let dy = 0; dy < ${Math.ceil(kh / sh)}; dy++) {
    const y = lastY - dy;
    if (y >= 0 && y < ${outHeight} && h - y * ${sh} < ${kh}) {
      for (let dx = 0; dx < ${Math.ceil(kw / sw)}; dx++) {
        const x = lastX - dx;
        if (x >= 0 && x < ${outWidth} && w - x * ${sw} < ${kw}) {
          ${take}
        }
      }
    }
  }
  ${returnThrough(activationBefore, result, 'act[b][this.thread.y]')}
}`;
}

/** A lone activation: `act[b][f] = activation(input[b][f])`. Output [features, batch]. */
export function activationForwardSource(activation: Activation): string {
  return `function activationForward(input) {
  ${activateSource(activation, 'input[this.thread.y][this.thread.x]', 'z')}
  return z;
}`;
}

/**
 * Through a lone activation (whose input is the previous stage's output `act`): the gradient w.r.t. its output is the
 * one w.r.t. its input, taken on through the previous stage's activation. Output [batch, rows]; rows beyond `features`
 * (padding a Linear before may need, see storedRows) are 0.
 */
export function activationInputGradSource(activationBefore: Activation, features: number, rows: number): string {
  const padding = rows > features ? `if (this.thread.y >= ${features}) {\n    return 0;\n  }` : '';
  return `function activationInputGrad(g, act) {
  ${padding}
  ${returnThrough(activationBefore, 'g[this.thread.y][this.thread.x]', 'act[this.thread.x][this.thread.y]')}
}`;
}
