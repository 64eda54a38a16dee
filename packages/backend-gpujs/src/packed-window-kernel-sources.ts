/**
 * The webasm mode's convolution kernels: four channels per kernel cell, for the reason packed-kernel-sources.ts gives
 * (a value gathered across SIMD lanes feeds four sums; what the four channels read apart does not vary across lanes, so
 * it is one load each). WindowKernels uses them for convolutions of at least 4 input channels, with the measurements.
 *
 * Layout: a cell of a packed result holds channels 4·quad … 4·quad + 3 (`quads` = ceil(channels / 4)). Channels beyond
 * the last one are computed from the last channel's values and never read.
 */
import { type Activation, activateSource, throughActivation } from './activation-sources.js';
import type { ConvStage } from './model-plan.js';
import { PACK } from './packed-kernel-sources.js';
import { addTerm, declareSum } from './summation.js';
import { convInputRanges, overInputReads, overWindowsOf } from './window-kernel-sources.js';

const LANES = Array.from({ length: PACK }, (_, t) => t);

/** Channels per packed cell's group. */
export function quads(channels: number): number {
  return Math.ceil(channels / PACK);
}

/** Declares `${name}0` … `${name}3`: channels 4·quad + t, the ones past `channels − 1` held at the last. */
function channelsOfQuad(name: string, quad: string, channels: number): string {
  return LANES.map((t) => `const ${name}${t} = Math.min(${quad} * ${PACK} + ${t}, ${channels - 1});`).join('\n  ');
}

/** Declares `b` and `q` from this.thread.y = b · quads + q. */
function exampleAndQuad(quadCount: number): string {
  return `const b = Math.floor((this.thread.y + 0.5) / ${quadCount});
  const q = this.thread.y - b * ${quadCount};`;
}

/**
 * convForwardSource for output channels 4·q … 4·q + 3 of output pixel this.thread.x = y·OW + x of example b, where
 * this.thread.y = b · quads + q. Output [outPixels, batch · quads] of Array(4); unpackChannelsSource makes it plain.
 */
export function convForwardPackedSource(stage: ConvStage): string {
  const {
    input,
    output,
    kernelSize: [kh, kw],
    activation,
  } = stage;
  const [outChannels, , outWidth] = output;
  const terms = [
    `const v = input[b][(c * ${input[1]} + ih) * ${input[2]} + iw];`,
    ...LANES.map((t) => addTerm('compensated', `s${t}`, `v * weight[o${t}][(c * ${kh} + i) * ${kw} + j]`)),
  ].join('\n');
  return `function convForwardPacked(input, weight, bias, one) {
  ${exampleAndQuad(quads(outChannels))}
  const y = Math.floor((this.thread.x + 0.5) / ${outWidth});
  const x = this.thread.x - y * ${outWidth};
  ${channelsOfQuad('o', 'q', outChannels)}
  ${LANES.map((t) => declareSum('compensated', `s${t}`, `bias[o${t}]`)).join('\n')}
  for (let c = 0; c < ${input[0]}; c++) {
    ${overInputReads(stage, ['i', kh], ['j', kw], terms)}
  }
  ${LANES.map((t) => activateSource(activation, `s${t}`, `z${t}`)).join('\n  ')}
  return [${LANES.map((t) => `z${t}`).join(', ')}];
}`;
}

/** A packed conv output as the plain `act[b][(o, y, x)]`; output [outFeatures, batch]. */
export function unpackChannelsSource(stage: ConvStage): string {
  const [outChannels, outHeight, outWidth] = stage.output;
  const pixels = outHeight * outWidth;
  return `function unpackChannels(p) {
  const o = Math.floor((this.thread.x + 0.5) / ${pixels});
  const q = Math.floor(o / ${PACK});
  return p[this.thread.y * ${quads(outChannels)} + q][this.thread.x - o * ${pixels}][o - q * ${PACK}];
}`;
}

/**
 * convWeightGradPartSource for output channels 4·q … 4·q + 3 of weight offset this.thread.x = (c·kh + i)·kw + j and
 * example b, where this.thread.y = b · quads + q. Output [in·kh·kw, batch · quads] of Array(4); gradSumPackedSource
 * adds the examples' shares.
 */
export function convWeightGradPartPackedSource(stage: ConvStage): string {
  const {
    input,
    output,
    kernelSize: [kh, kw],
  } = stage;
  const [outChannels, outHeight, outWidth] = output;
  const terms = [
    `const v = input[b][(c * ${input[1]} + ih) * ${input[2]} + iw];`,
    ...LANES.map((t) => addTerm('compensated', `s${t}`, `g[(o${t} * ${outHeight} + y) * ${outWidth} + x][b] * v`)),
  ].join('\n');
  return `function convWeightGradPartPacked(g, input, one) {
  ${exampleAndQuad(quads(outChannels))}
  const c = Math.floor((this.thread.x + 0.5) / ${kh * kw});
  const cR = this.thread.x - c * ${kh * kw};
  const i = Math.floor((cR + 0.5) / ${kw});
  const j = cR - i * ${kw};
  ${channelsOfQuad('o', 'q', outChannels)}
  ${LANES.map((t) => declareSum('compensated', `s${t}`)).join('\n')}
  ${overInputReads(stage, ['y', outHeight], ['x', outWidth], terms)}
  return [${LANES.map((t) => `s${t}`).join(', ')}];
}`;
}

/** gradSumSource over a packed first level: `invN · Σ_b part[b · quads + o / 4][k][o % 4]`; output [in·kh·kw, out]. */
export function gradSumPackedSource(batch: number, outChannels: number): string {
  return `function gradSumPacked(part, invN, one) {
  const q = Math.floor(this.thread.y / ${PACK});
  const t = this.thread.y - q * ${PACK};
  ${declareSum('compensated', 's')}
  for (let b = 0; b < ${batch}; b++) {
    ${addTerm('compensated', 's', `part[b * ${quads(outChannels)} + q][this.thread.x][t]`)}
  }
  return s * invN;
}`;
}

/**
 * convInputGradSource for input channels 4·q … 4·q + 3 of input pixel (h, w) of example this.thread.x, where
 * this.thread.y = (q·H + h)·W + w. Output [batch, quads · H · W] of Array(4); unpackInputChannelsSource makes it plain.
 */
export function convInputGradPackedSource(stage: ConvStage, activationBefore: Activation): string {
  const {
    input,
    output,
    kernelSize: [kh, kw],
  } = stage;
  const [channels, height, width] = input;
  const [outChannels, outHeight, outWidth] = output;
  const terms = [
    `const v = g[(o * ${outHeight} + y) * ${outWidth} + x][b];`,
    ...LANES.map((t) => addTerm('compensated', `s${t}`, `v * weight[o][(c${t} * ${kh} + i) * ${kw} + j]`)),
  ].join('\n');
  const result = (t: number) =>
    activationBefore === 'none'
      ? `const r${t} = s${t};`
      : `const a${t} = act[b][(c${t} * ${height} + h) * ${width} + w];\n  const r${t} = ${throughActivation(activationBefore, `s${t}`, `a${t}`)};`;
  return `function convInputGradPacked(g, weight, ${activationBefore === 'none' ? '' : 'act, '}one) {
  const b = this.thread.x;
  const q = Math.floor((this.thread.y + 0.5) / ${height * width});
  const qR = this.thread.y - q * ${height * width};
  const h = Math.floor((qR + 0.5) / ${width});
  const w = qR - h * ${width};
  ${channelsOfQuad('c', 'q', channels)}
  ${convInputRanges(stage)}
  ${LANES.map((t) => declareSum('compensated', `s${t}`)).join('\n')}
  for (let o = 0; o < ${outChannels}; o++) {
    ${overWindowsOf(stage, terms)}
  }
  ${LANES.map(result).join('\n  ')}
  return [${LANES.map((t) => `r${t}`).join(', ')}];
}`;
}

/** A packed input gradient as the plain transposed `gIn[(c, h, w)][b]`; output [batch, inFeatures]. */
export function unpackInputChannelsSource(stage: ConvStage): string {
  const [, height, width] = stage.input;
  const pixels = height * width;
  return `function unpackInputChannels(p) {
  const c = Math.floor((this.thread.y + 0.5) / ${pixels});
  const q = Math.floor(c / ${PACK});
  return p[q * ${pixels} + this.thread.y - c * ${pixels}][this.thread.x][c - q * ${PACK}];
}`;
}
