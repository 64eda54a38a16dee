/**
 * Activations as kernel source text: applied to a stage's output inside the kernel that computes it, and their
 * derivatives applied by the kernel that computes the gradient with respect to that output.
 */

export type Activation = 'none' | 'relu' | 'sigmoid';

/**
 * Statements declaring `out` = activation(`z`) (`z` an expression evaluated once). The sigmoid is the stable form: with
 * `e = exp(-|z|)`, `1 / (1 + e)` for z >= 0 and `e / (1 + e)` below, so exp never overflows (0 and 1 at ∓1000, not NaN).
 */
export function activateSource(activation: Activation, z: string, out: string): string {
  switch (activation) {
    case 'none':
      return `const ${out} = ${z};`;
    case 'relu':
      return `const ${out} = Math.max(${z}, 0);`;
    case 'sigmoid':
      return `const ${out}Z = ${z};
  const ${out}E = Math.exp(-Math.abs(${out}Z));
  let ${out} = 1 / (1 + ${out}E);
  if (${out}Z < 0) {
    ${out} = ${out}E / (1 + ${out}E);
  }`;
  }
}

/**
 * `grad` (a gradient with respect to an activation's output `a`) as one with respect to its input, as an expression:
 * ReLU passes it where a > 0; the sigmoid multiplies it by `(1 − a)·a`, as PyTorch's backward does from the stored
 * output (0 where the sigmoid saturated).
 */
export function throughActivation(activation: Activation, grad: string, a: string): string {
  switch (activation) {
    case 'none':
      return grad;
    case 'relu':
      return `(${a} > 0 ? ${grad} : 0)`;
    case 'sigmoid':
      return `${grad} * (1 - ${a}) * ${a}`;
  }
}
