/**
 * The slice of gpu.js 2.24 this package uses, typed structurally. gpu.js's own `index.d.ts` describes far more
 * (and some of it loosely); naming only what we call keeps the contract small and checked.
 */
import { createRequire } from 'node:module';

/** gpu.js modes that xbackend exposes as engines. */
export type GpuJsMode = 'headlessgl' | 'webasm' | 'cpu';

export interface KernelSettings {
  readonly output: readonly number[];
  readonly constants?: Readonly<Record<string, number>>;
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

export interface GpuJsModule {
  readonly GPU: {
    new (settings: { mode: GpuJsMode; context?: unknown }): GpuInstance;
    readonly isHeadlessGLSupported: boolean;
    readonly isWebAssemblySupported: boolean;
  };
  readonly Texture: abstract new (...args: never[]) => GpuTexture;
  readonly WebAssemblyKernel: KernelClass & { readonly isSIMDSupported: boolean };
  readonly HeadlessGLKernel: KernelClass & {
    readonly features: { readonly isTextureFloat: boolean; readonly isFloatRead: boolean } | null;
  };
  readonly CPUKernel: KernelClass;
  input(value: Float32Array, size: readonly number[]): unknown;
}

const require = createRequire(import.meta.url);

/** Loads gpu.js on first use (it loads the native `gl` module when present, so never at import time). */
export function loadGpuJs(): GpuJsModule {
  return require('gpu.js') as GpuJsModule;
}

export function gpuJsVersion(): string {
  try {
    return (require('gpu.js/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
