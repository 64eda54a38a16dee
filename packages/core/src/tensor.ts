/** Element type of a backend's parameters and arithmetic. */
export type DType = 'float32' | 'float64';

export type FloatArray = Float32Array | Float64Array;

/** A named parameter as the host sees it: row-major data plus its shape. */
export interface ParameterTensor {
  /** PyTorch-style name, e.g. `1.weight` for the weight of the second layer of a Sequential. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: FloatArray;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function allocate(dtype: DType, length: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

/** Copies parameters into a fresh array of the given dtype (float64 → float32 rounds). */
export function castParameters(params: readonly ParameterTensor[], dtype: DType): ParameterTensor[] {
  return params.map((p) => {
    const data = allocate(dtype, p.data.length);
    data.set(p.data);
    return { name: p.name, shape: [...p.shape], data };
  });
}
