import { InvalidArgumentError, type ModelSpec, type ParameterTensor, parameterShapes } from '@xbackend/core';

/** Row-major `[rows, cols]` → row-major `[cols, rows]`, as float32 (PyTorch `[out, in]` ↔ tf.layers Dense `[in, out]`). */
export function transpose(data: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c] as number;
  }
  return out;
}

/** Checks that `params` are exactly the model's parameters (names, shapes, lengths) and indexes them by name. */
export function checkParameters(spec: ModelSpec, params: readonly ParameterTensor[], caller: string): Map<string, ParameterTensor> {
  const expected = parameterShapes(spec.layers);
  const byName = new Map(params.map((p) => [p.name, p]));
  const names = expected.map((e) => e.name);
  const extra = [...byName.keys()].filter((name) => !names.includes(name));
  if (extra.length > 0 || byName.size !== params.length) {
    throw new InvalidArgumentError(
      `${caller}: unexpected or repeated parameters (${extra.join(', ') || 'duplicates'}); the model has ${names.join(', ') || 'none'}.`,
    );
  }
  for (const { name, shape } of expected) {
    const given = byName.get(name);
    if (!given) throw new InvalidArgumentError(`${caller}: parameter '${name}' is missing (the model has ${names.join(', ')}).`);
    if (given.shape.join() !== shape.join()) {
      throw new InvalidArgumentError(`${caller}: '${name}' has shape [${given.shape}], the model needs [${shape}].`);
    }
    const length = shape.reduce((a, b) => a * b, 1);
    if (given.data.length !== length) {
      throw new InvalidArgumentError(`${caller}: '${name}' has ${given.data.length} values for shape [${shape}] (${length}).`);
    }
  }
  return byName;
}
