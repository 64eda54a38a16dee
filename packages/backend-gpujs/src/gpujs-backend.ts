import { type Backend, type CompiledModel, type ModelSpec, type ParameterTensor, type Profiler, XBackendError } from '@xbackend/core';
import { GpuJsModel } from './gpujs-model.js';
import { planModel } from './model-plan.js';
import type { GpuRuntime, LiveResources } from './runtime.js';

export const BACKEND_NAME = 'gpujs';

/** gpu.js in one mode. Owns the GPU instance (and on 'headlessgl' its GL context) and every model compiled on it. */
export class GpuJsBackend implements Backend {
  readonly name = BACKEND_NAME;
  readonly dtype = 'float32' as const;
  /** Examples per evaluation call: the test set in 4 calls; kernels are compiled once for this capacity. */
  readonly evalBatchSize = 2500;
  private readonly models = new Set<GpuJsModel>();
  private disposed = false;
  private profiler: Profiler | undefined;

  constructor(
    private readonly runtime: GpuRuntime,
    readonly details: Readonly<Record<string, string | number | boolean>>,
    /** Releases what gpu.js does not: the GL context, which gpu.destroy() only destroys while it still has kernels. */
    private readonly releaseContext: () => void,
  ) {}

  get engine(): string {
    return this.runtime.mode;
  }

  /** Times the host reads of the models compiled from now on (see core's `BackendOptions.profiler`). */
  withProfiler(profiler: Profiler): this {
    this.profiler = profiler;
    return this;
  }

  async compile(spec: ModelSpec, initial: readonly ParameterTensor[]): Promise<CompiledModel> {
    if (this.disposed) throw new XBackendError('DISPOSED', `This gpujs/${this.engine} backend was disposed; load the backend again.`);
    const model = new GpuJsModel(this.runtime, planModel(spec, BACKEND_NAME), initial, (m) => this.models.delete(m), this.profiler);
    this.models.add(model);
    return model;
  }

  resources(): LiveResources {
    return this.runtime.resources();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const model of [...this.models]) await model.dispose();
    this.runtime.destroyAllKernels();
    const gpuJsDestroysContext = this.runtime.gpu.kernels.length > 0;
    await this.runtime.gpu.destroy();
    if (!gpuJsDestroysContext) this.releaseContext();
  }
}
