import { InvalidArgumentError, type ModelSpec, type ParameterTensor, parameterShapes, sizeOf } from '@xbackend/core';

/**
 * Matches `params` to the spec's parameter list (names `${i}.weight` [out, in] and `${i}.bias` [out]) and returns them
 * in spec order; `context` starts the error message (e.g. `compile`, `exportOnnxModel`).
 */
export function orderParameters(spec: ModelSpec, params: readonly ParameterTensor[], context: string): ParameterTensor[] {
  const expected = parameterShapes(spec.layers);
  const byName = new Map(params.map((p) => [p.name, p]));
  const ordered = expected.map(({ name, shape }) => {
    const given = byName.get(name);
    if (!given) {
      throw new InvalidArgumentError(
        `${context}: parameter '${name}' [${shape}] is missing (got ${params.map((p) => p.name).join(', ') || 'none'}); pass every parameter of the model.`,
      );
    }
    if (given.shape.join() !== shape.join()) {
      throw new InvalidArgumentError(
        `${context}: parameter '${name}' has shape [${given.shape}], the model needs [${shape}] (weights are [out, in]).`,
      );
    }
    if (given.data.length !== sizeOf(shape)) {
      throw new InvalidArgumentError(
        `${context}: parameter '${name}' [${shape}] has ${given.data.length} values, expected ${sizeOf(shape)}.`,
      );
    }
    return given;
  });
  const extra = params.filter((p) => !expected.some((e) => e.name === p.name)).map((p) => p.name);
  if (extra.length > 0) {
    throw new InvalidArgumentError(
      `${context}: unexpected parameters ${extra.join(', ')}; the model has ${expected.map((e) => e.name).join(', ')}.`,
    );
  }
  return ordered;
}
