import {
  type Backend,
  type BackendAdapter,
  type BackendOptions,
  type CompiledModel,
  type DType,
  InvalidArgumentError,
  type ModelSpec,
  type ParameterTensor,
} from '@xbackend/core';
import { ReferenceModel } from './reference-model.js';

function createReferenceBackend(engine: DType): Backend {
  return {
    name: 'reference',
    engine,
    dtype: engine,
    details: { implementation: 'plain TypeScript typed arrays', threads: 1 },
    async compile(spec: ModelSpec, initial: readonly ParameterTensor[]): Promise<CompiledModel> {
      return new ReferenceModel(spec, engine, initial);
    },
    async dispose() {},
  };
}

function engine(dtype: DType, description: string) {
  return {
    name: dtype,
    description,
    unavailableReason: async () => undefined,
    async create(options: BackendOptions): Promise<Backend> {
      if (options.dtype && options.dtype !== dtype) {
        throw new InvalidArgumentError(`reference/${dtype} computes in ${dtype}; for ${options.dtype} use reference/${options.dtype}.`);
      }
      return createReferenceBackend(dtype);
    },
  };
}

/** The engines are the two precisions; float32 first because it is what the other backends compute in. */
export const adapter: BackendAdapter = {
  name: 'reference',
  description: 'from-scratch TypeScript math (d2l §3.6); the parity oracle',
  engines: [
    engine('float32', 'Float32Array storage, float64 accumulation'),
    engine('float64', 'Float64Array throughout (the parity oracle)'),
  ],
};
