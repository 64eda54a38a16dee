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
  /** `Array(4)`: each cell returns four values (packed-kernel-sources.ts); otherwise one number. */
  readonly returnType?: 'Array(4)';
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
  /** cpu mode: a flat copy of each 2-D kernel result passed on (see `asFlatInput`), by result. */
  private readonly flatCopies = new WeakMap<object, { readonly flat: Float32Array; readonly input: unknown }>();

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
      ...(spec.returnType ? { returnType: spec.returnType } : {}),
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
    const result = kernel(...(this.mode === 'cpu' ? args.map((arg) => this.asFlatInput(arg)) : args));
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

  /**
   * A 2-D result of a cpu-mode kernel is an array of row arrays, and a kernel that reads it looks its row up again
   * at every read. Such a result is passed on as one flat input instead, as the webasm mode passes every argument:
   * copied into a buffer kept for that result, which the cpu backend reuses from call to call. Measured on the book's
   * run: 1.99 → 1.69 s per epoch (the weight gradient 3.3 → 2.8 ms per call).
   */
  private asFlatInput(arg: unknown): unknown {
    if (!Array.isArray(arg) || !(arg[0] instanceof Float32Array)) return arg;
    const rows = arg as Float32Array[];
    const cols = (rows[0] as Float32Array).length;
    let copy = this.flatCopies.get(rows);
    if (!copy) {
      const flat = new Float32Array(rows.length * cols);
      copy = { flat, input: this.gpujs.input(flat, [cols, rows.length]) };
      this.flatCopies.set(rows, copy);
    }
    for (let r = 0; r < rows.length; r++) copy.flat.set(rows[r] as Float32Array, r * cols);
    return copy.input;
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
