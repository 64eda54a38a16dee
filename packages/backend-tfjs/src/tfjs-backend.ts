import type { Backend, CompiledModel, ModelSpec, ParameterTensor, Profiler } from '@xbackend/core';
import { XBackendError } from '@xbackend/core';
import type { Details, TfjsEngineName, TfjsRuntime } from './runtime.js';
import { TfjsModel } from './tfjs-model.js';

/**
 * One tfjs engine as an xbackend Backend. dispose() frees every model it compiled (tensor count back to where it
 * was); the tfjs backend itself stays registered, because tfjs keeps one per process and others may share it.
 */
export class TfjsBackend implements Backend {
  readonly name = 'tfjs';
  readonly dtype = 'float32';
  /** Examples per evaluation call: the test set in 4 calls, with the float32 copy of one call's bytes at 8 MB. */
  readonly evalBatchSize = 2500;
  private readonly models = new Set<TfjsModel>();
  private disposed = false;

  constructor(
    private readonly runtime: TfjsRuntime,
    private readonly profiler?: Profiler,
  ) {}

  get engine(): TfjsEngineName {
    return this.runtime.engine;
  }

  get details(): Details {
    return this.runtime.details;
  }

  async compile(spec: ModelSpec, initial: readonly ParameterTensor[]): Promise<CompiledModel> {
    if (this.disposed) throw new XBackendError('DISPOSED', `This tfjs/${this.engine} backend was disposed; load the backend again.`);
    const model = await TfjsModel.create(this.runtime, spec, initial, (m) => this.models.delete(m), this.profiler);
    this.models.add(model);
    return model;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const model of [...this.models]) await model.dispose();
  }
}
