import { XBackendError } from '@xbackend/core';
import type { LiveGlObjects } from './gl-objects.js';
import type {
  GpuInstance,
  GpuJsMode,
  GpuJsModule,
  GpuJsWebMode,
  KernelClass,
  KernelInstance,
  KernelOutput,
  KernelShortcut,
} from './gpujs-api.js';

/** Live device resources of one backend: our kernels, gpu.js's kernel list and, on GL, the context's objects. */
export interface LiveResources {
  readonly kernels: number;
  readonly gpuJsKernels: number;
  readonly gl?: LiveGlObjects;
}

export interface KernelSpec {
  readonly source: string;
  readonly output: readonly number[];
  readonly constants?: Readonly<Record<string, number>>;
  /** Keep the result on the device for the next kernel (false: the result is read back to the host). */
  readonly pipeline: boolean;
}

/**
 * One gpu.js instance in one mode: creates and destroys kernels (keeping count), runs them while checking that
 * gpu.js did not silently degrade a kernel to another backend, and reads results back.
 */
export class GpuRuntime {
  private readonly live = new Set<KernelShortcut>();
  private readonly verified = new WeakSet<KernelShortcut>();

  constructor(
    readonly gpujs: GpuJsModule,
    readonly gpu: GpuInstance,
    readonly mode: GpuJsMode | GpuJsWebMode,
    private readonly glObjects?: () => LiveGlObjects,
  ) {}

  createKernel(spec: KernelSpec): KernelShortcut {
    const kernel = this.gpu.createKernel(spec.source, {
      output: spec.output,
      ...(spec.constants ? { constants: spec.constants } : {}),
      pipeline: spec.pipeline,
      immutable: false,
      precision: 'single',
      tactic: 'precision',
      optimizeFloatMemory: false,
    });
    this.live.add(kernel);
    return kernel;
  }

  destroyKernel(kernel: KernelShortcut): void {
    if (!this.live.delete(kernel)) return;
    kernel.destroy();
    // The cpu backend's destroy() leaves the kernel in gpu.kernels; drop it so the list stays flat.
    const index = this.gpu.kernels.indexOf(kernel.kernel);
    if (index !== -1) this.gpu.kernels.splice(index, 1);
  }

  run(kernel: KernelShortcut, ...args: unknown[]): KernelOutput {
    const result = kernel(...args);
    if (!this.verified.has(kernel)) {
      this.checkBackend(kernel);
      this.verified.add(kernel);
    }
    return result;
  }

  /** Host-side data (float32 values, or bytes a kernel reads as numbers) as a kernel argument of shape [rows, cols] (read as `m[row][col]`) or [length]. */
  input(values: Float32Array | Uint8Array, shape: readonly [number] | readonly [number, number]): unknown {
    return this.gpujs.input(values, shape.length === 2 ? [shape[1], shape[0]] : [shape[0]]);
  }

  /** The first `rows` rows of a kernel result of shape [*, cols], row-major. */
  read(value: KernelOutput, rows: number, cols: number): Float32Array {
    const host = value instanceof this.gpujs.Texture ? value.toArray() : value;
    const out = new Float32Array(rows * cols);
    if (host instanceof Float32Array) {
      out.set(host.subarray(0, rows * cols));
      return out;
    }
    const rowArrays = host as ArrayLike<Float32Array>;
    for (let r = 0; r < rows; r++) out.set((rowArrays[r] as Float32Array).subarray(0, cols), r * cols);
    return out;
  }

  resources(): LiveResources {
    const gl = this.glObjects?.();
    return { kernels: this.live.size, gpuJsKernels: this.gpu.kernels.length, ...(gl ? { gl } : {}) };
  }

  destroyAllKernels(): void {
    for (const kernel of [...this.live]) this.destroyKernel(kernel);
  }

  private checkBackend(kernel: KernelShortcut): void {
    const actual = kernel.kernel;
    const expected = {
      headlessgl: this.gpujs.HeadlessGLKernel,
      webasm: this.gpujs.WebAssemblyKernel,
      cpu: this.gpujs.CPUKernel,
      webgl2: this.gpujs.WebGL2Kernel,
      webgl: this.gpujs.WebGLKernel,
    }[this.mode];
    if (!isInstance(actual, expected)) {
      const reason = actual.fallbackReason ? `: ${actual.fallbackReason}` : '';
      throw new XBackendError(
        'ENGINE_FALLBACK',
        `gpu.js ran a '${this.mode}' kernel on its '${actual.constructor.mode}' backend instead${reason}. ` +
          'This is a bug in @xbackend/backend-gpujs; please report it with the model you compiled.',
      );
    }
  }
}

/** `instanceof` without narrowing (a degraded kernel is still a KernelInstance, just of another class). */
function isInstance(value: KernelInstance, cls: KernelClass): boolean {
  return value instanceof cls;
}
