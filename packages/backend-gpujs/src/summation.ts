/**
 * Kernel source text that adds up terms (dot products and batch sums), in the JavaScript subset gpu.js translates.
 *
 * `compensated`: Kahan summation, for kernels that compute in float32 (webasm, GL), where a plain running sum of 784
 * terms loses several ulps. `plain`: a running sum, for gpu.js's cpu mode, whose kernels are JavaScript and so
 * accumulate in float64 (each product of two float32 values is exact there and the sum's error is ~1e-13, far below
 * the float32 rounding of the kernel's output): compensation would only cost time.
 */
export type Summation = 'compensated' | 'plain';

export interface SumSpec {
  readonly summation: Summation;
  /** The loop variable. */
  readonly index: string;
  /** How many terms (indices 0 … count - 1); baked into the source, as kernels are built per size anyway. */
  readonly count: number;
  /**
   * Partial sums per total over interleaved indices (index mod chains), added up at the end. A running sum is one
   * chain of dependent additions, each waiting for the last; independent chains let the CPU overlap them. Measured
   * on the book's forward pass (256×784 by 784×10) on the cpu mode: 3.1 ms one chain, 2.0 ms four. 1 keeps the
   * running sum.
   */
  readonly chains: number;
  /** The variables the sums end up in; the generated code declares them. */
  readonly totals: readonly string[];
  /** What total `t` starts from (an expression; default 0): a value added inside the compensated sum, not after it. */
  readonly initial?: (t: number) => string;
  /** Declarations of values that every total's term at index `i` reads (one load shared by several sums); their names end in `tag`. */
  readonly shared?: (i: string, tag: string) => string;
  /** Total `t`'s term at index `i` (an expression that may use the names `shared` declared with `tag`). */
  readonly term: (t: number, i: string, tag: string) => string;
}

/**
 * Statements summing `term` over the index into each total. Compensated sums need a kernel argument `one` equal to
 * 1: multiplying each new partial sum by it hides `(t - s) - y` from GLSL compilers, which otherwise fold the
 * compensation to zero under fast-math rules (Mesa llvmpipe does); on WebAssembly the multiply is exact and harmless.
 */
export function sumSource(spec: SumSpec): string {
  const { summation, index, count, totals } = spec;
  const chains = Math.max(1, Math.min(spec.chains, count));
  const main = count - (count % chains);
  const partial = (t: number, c: number) => (chains === 1 ? (totals[t] as string) : `${totals[t]}C${c}`);
  const lines: string[] = [];
  for (let t = 0; t < totals.length; t++) {
    for (let c = 0; c < chains; c++) {
      const start = c === 0 && spec.initial ? spec.initial(t) : '0';
      lines.push(declareSum(summation, partial(t, c), start));
    }
  }
  /** One term of every total at index `i`, into chain `c`. */
  const step = (i: string, c: number, tag: string) => {
    const body = [spec.shared?.(i, tag) ?? ''];
    for (let t = 0; t < totals.length; t++) body.push(addTerm(summation, partial(t, c), spec.term(t, i, tag)));
    return body.filter((line) => line !== '').join('\n');
  };
  if (main > 0) {
    const steps = Array.from({ length: chains }, (_, c) => step(c === 0 ? index : `${index} + ${c}`, c, `${c}`));
    lines.push(`for (let ${index} = 0; ${index} < ${main}; ${index} += ${chains}) {\n${steps.join('\n')}\n}`);
  }
  // The remaining count % chains terms, one per chain, with literal indices.
  for (let c = 0; c < count - main; c++) lines.push(step(`${main + c}`, c, `R${c}`));
  if (chains > 1) {
    for (let t = 0; t < totals.length; t++) {
      const parts = Array.from({ length: chains }, (_, c) => partial(t, c));
      lines.push(summation === 'compensated' ? combineCompensated(totals[t] as string, parts) : `let ${totals[t]} = ${parts.join(' + ')};`);
    }
  }
  return lines.join('\n');
}

/**
 * `total` = the sum of compensated partial sums, rounded once: each partial's true value is its sum minus its running
 * compensation `E`; the partials are added with their exact rounding errors (TwoSum), which join the compensations.
 */
function combineCompensated(total: string, parts: readonly string[]): string {
  const lines = [`let ${total}V = ${parts[0]};`, `let ${total}R = -${parts[0]}E;`];
  for (const part of parts.slice(1)) {
    lines.push(`const ${part}S = (${total}V + ${part}) * one;
const ${part}B = (${part}S - ${total}V) * one;
${total}R = ${total}R + (((${total}V - (${part}S - ${part}B)) + (${part} - ${part}B)) - ${part}E);
${total}V = ${part}S;`);
  }
  lines.push(`let ${total} = ${total}V + ${total}R;`);
  return lines.join('\n');
}

/**
 * Declares a running sum `total` starting at `initial` (and its compensation), for kernels that add their terms in
 * loops of their own (`addTerm`) rather than through `sumSource`'s single loop. Compensated sums need the `one`
 * argument (see `sumSource`).
 */
export function declareSum(summation: Summation, total: string, initial = '0'): string {
  return summation === 'compensated' ? `let ${total} = ${initial};\nlet ${total}E = 0;` : `let ${total} = ${initial};`;
}

/** Statements adding `term` to the running sum `total` (declared by `declareSum`). */
export function addTerm(summation: Summation, total: string, term: string): string {
  if (summation === 'plain') return `${total} += ${term};`;
  return `const ${total}Y = (${term}) - ${total}E;
const ${total}T = (${total} + ${total}Y) * one;
${total}E = (${total}T - ${total}) - ${total}Y;
${total} = ${total}T;`;
}
