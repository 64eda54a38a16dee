/**
 * The slice of gpu.js 2.24 this package uses, typed structurally. gpu.js's own `index.d.ts` describes far more
 * (and some of it loosely); naming only what we call keeps the contract small and checked.
 */

/** gpu.js modes that xbackend exposes as engines in Node. */
export type GpuJsMode = 'headlessgl' | 'webasm' | 'cpu';

/** gpu.js modes that xbackend exposes as engines in a browser. */
export type GpuJsWebMode = 'webgl2' | 'webgl';

export interface KernelSettings {
  readonly output: readonly number[];
  readonly constants?: Readonly<Record<string, number>>;
  readonly returnType?: 'Array(4)';
  /** Keep the result on the device (a texture on GL; a plain array on webasm/cpu, where there is no device). */
  readonly pipeline: boolean;
  readonly immutable: false;
  readonly precision: 'single';
  /** `precision` = highp everywhere on GL, so float math is IEEE single precision. */
  readonly tactic: 'precision';
  readonly optimizeFloatMemory: false;
}

/** Whatever a kernel hands back: a typed array (rows of typed arrays in 2-D) or, on GL with `pipeline`, a texture. */
export type KernelOutput = unknown;

export interface KernelInstance {
  readonly constructor: { readonly mode: string };
  /** Set when gpu.js degraded this kernel to another backend. */
  readonly fallbackReason?: string | null;
}

/** A compiled kernel as `gpu.createKernel` returns it: callable, with the kernel object behind it. */
export interface KernelShortcut {
  (...args: unknown[]): KernelOutput;
  readonly kernel: KernelInstance;
  destroy(removeCanvasReferences?: boolean): void;
}

export interface GpuInstance {
  readonly mode: string;
  /** gpu.js's own list of live kernels (kernel objects, not shortcuts). */
  readonly kernels: unknown[];
  createKernel(source: string, settings: KernelSettings): KernelShortcut;
  destroy(): Promise<void>;
}

/** A gpu.js backend's kernel class (for `instanceof` checks). */
export type KernelClass = abstract new (...args: never[]) => KernelInstance;

export interface GpuTexture {
  toArray(): unknown;
  delete(): void;
}

/** What a GL kernel class found out about its context; `null` until gpu.js has probed one. */
export interface GlFeatures {
  readonly features: { readonly isTextureFloat: boolean; readonly isFloatRead: boolean } | null;
}

export interface GpuJsModule {
  readonly GPU: {
    new (settings: { mode: GpuJsMode | GpuJsWebMode; context?: unknown }): GpuInstance;
    readonly isHeadlessGLSupported: boolean;
    readonly isWebAssemblySupported: boolean;
    readonly isWebGLSupported: boolean;
    readonly isWebGL2Supported: boolean;
  };
  readonly Texture: abstract new (...args: never[]) => GpuTexture;
  readonly WebAssemblyKernel: KernelClass & { readonly isSIMDSupported: boolean };
  readonly HeadlessGLKernel: KernelClass & GlFeatures;
  readonly WebGLKernel: KernelClass & GlFeatures;
  readonly WebGL2Kernel: KernelClass & GlFeatures;
  readonly CPUKernel: KernelClass;
  input(value: Float32Array | Uint8Array, size: readonly number[]): unknown;
}
