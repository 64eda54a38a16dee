/**
 * The webasm mode's matrix-product kernels: four outputs per kernel cell.
 *
 * gpu.js runs a webasm kernel four cells at a time, in the SIMD lanes of `this.thread.x`. A read whose index varies
 * across those lanes is a gather (four scalar loads and lane inserts: WebAssembly has no gather), a read whose index
 * does not is one load for all four lanes. A cell of the plain kernels computes one output and pays a gather for
 * every term. Here a cell returns four outputs (`Array(4)`, gpu.js's widest return type): each gathered value feeds
 * four sums, whose chains of dependent additions also overlap. Measured on the book's run (batch 256, 784 → 10;
 * 2-core AMD EPYC): the forward pass 8.5 → 2.2 ms per call, the weight gradient 4.4 → 2.0 ms, 3.5 → 1.4 s per epoch.
 *
 * Layout: an `Array(4)` kernel with output [cols, quads] hands back `p[quad][col]`, four values: rows 4·quad …
 * 4·quad + 3 of a matrix whose rows are padded to a multiple of 4. The unpack kernels turn that into the plain layout
 * (kernel-sources.ts) the other kernels read. The gpu.js cpu mode does not use these: there a kernel is JavaScript, and
 * reading a packed result (arrays of arrays of 4-element arrays) costs more than the reuse saves (measured).
 */
import { type Activation, activateSource } from './activation-sources.js';
import { classGradientSource, rowSoftmaxSource } from './kernel-sources.js';
import { sumSource } from './summation.js';

/** Outputs per cell of a packed kernel. */
export const PACK = 4;

const LANES = Array.from({ length: PACK }, (_, t) => t);

/** Row `4·quad + t` of a packed output, as an index expression (quad = this.thread.y). */
function packedRow(t: number): string {
  return t === 0 ? 'this.thread.y * 4' : `this.thread.y * 4 + ${t}`;
}

/**
 * Interleaved partial sums per output (`SumSpec.chains`): with four outputs a cell already has four chains; two per
 * output took the forward pass of the book's run from 2.6 to 2.2 ms per call (3 and 4: no better).
 */
const CHAINS = 2;

/**
 * `act[b][o] = activation(sum_k input[b][k] * weight[o][k] + bias[o])` for o = 4·quad … 4·quad + 3 of example b =
 * this.thread.x. `weight` and `bias` have their rows padded to a multiple of 4 (with zeros). Output [batch, quads].
 */
export function forwardPackedSource(activation: Activation, inFeatures: number): string {
  const s = sumSource({
    summation: 'compensated',
    index: 'k',
    count: inFeatures,
    chains: CHAINS,
    totals: LANES.map((t) => `s${t}`),
    initial: (t) => `bias[${packedRow(t)}]`,
    shared: (k, tag) => `const x${tag} = input[this.thread.x][${k}];`,
    term: (t, k, tag) => `x${tag} * weight[${packedRow(t)}][${k}]`,
  });
  return `function forwardPacked(input, weight, bias, one) {
  ${s}
  ${LANES.map((t) => activateSource(activation, `s${t}`, `y${t}`)).join('\n  ')}
  return [${LANES.map((t) => `y${t}`).join(', ')}];
}`;
}

/**
 * The loss gradient of classes 4·quad … 4·quad + 3 of example b = this.thread.x (see logitsGradSource), one row
 * softmax for the four; classes beyond C and padding examples get 0. Output [batch, quads].
 */
export function logitsGradPackedSource(activation: Activation, classes: number): string {
  const perClass = LANES.map(
    (t) => `let g${t} = 0;
  const j${t} = ${packedRow(t)};
  if (j${t} < ${classes}) {
    ${classGradientSource(`j${t}`, `${t}`, activation)}
  }`,
  );
  return `function logitsGradPacked(z, labels) {
  const b = this.thread.x;
  const label = labels[b];
  ${rowSoftmaxSource(classes)}
  ${perClass.join('\n  ')}
  if (label < 0) {
    ${LANES.map((t) => `g${t} = 0;`).join(' ')}
  }
  return [${LANES.map((t) => `g${t}`).join(', ')}];
}`;
}

/**
 * Mean-loss weight gradient `invN * sum_b dz[o][b] * input[b][k]` for o = 4·quad … 4·quad + 3 of input feature
 * k = this.thread.x; `dz` has its rows padded to a multiple of 4 (with zeros). Output [inFeatures, quads].
 */
export function weightGradPackedSource(batch: number): string {
  const s = sumSource({
    summation: 'compensated',
    index: 'b',
    count: batch,
    chains: CHAINS,
    totals: LANES.map((t) => `s${t}`),
    shared: (b, tag) => `const x${tag} = input[${b}][this.thread.x];`,
    term: (t, b, tag) => `dz[${packedRow(t)}][${b}] * x${tag}`,
  });
  return `function weightGradPacked(dz, input, invN, one) {
  ${s}
  return [${LANES.map((t) => `s${t} * invN`).join(', ')}];
}`;
}

/** A packed result over columns as a plain matrix: `m[r][c] = p[c / 4][r][c % 4]`; output [cols, rows]. */
export function unpackColumnsSource(): string {
  return `function unpackColumns(p) {
  return p[Math.floor(this.thread.x / 4)][this.thread.y][this.thread.x % 4];
}`;
}

/** A packed result over rows as a plain matrix (rows padded): `m[r][c] = p[r / 4][c][r % 4]`; output [cols, rows]. */
export function unpackRowsSource(): string {
  return `function unpackRows(p) {
  return p[Math.floor(this.thread.y / 4)][this.thread.x][this.thread.y % 4];
}`;
}

/** Whether gpu.js `mode` runs the matrix products through these kernels: webasm (see above for cpu and GL). */
export function packsProducts(mode: string): boolean {
  return mode === 'webasm';
}

/** How many rows a matrix whose rows are output features is stored with: padded to a multiple of PACK where packed. */
export function storedRows(rows: number, packed: boolean): number {
  return packed ? Math.ceil(rows / PACK) * PACK : rows;
}
