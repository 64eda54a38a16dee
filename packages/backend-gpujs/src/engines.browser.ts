/** gpu.js engines in a browser (`#engines` under the `browser` condition): WebGL 2 and WebGL 1 kernels. */
import type { EngineFactory } from '@xbackend/core';
import type { GlFeatures, GpuJsModule, GpuJsWebMode } from './gpujs-api.js';
import { GpuJsBackend } from './gpujs-backend.js';
import { gpuJsEngine, unavailable } from './gpujs-engine.js';
import { GpuRuntime } from './runtime.js';

let loading: Promise<GpuJsModule> | undefined;

/** gpu.js's browser build is UMD: a bundler hands it over as the module's default export. */
function loadGpuJs(): Promise<GpuJsModule> {
  loading ??= import('gpu.js').then((m: unknown) => ((m as { default?: GpuJsModule }).default ?? m) as GpuJsModule);
  return loading;
}

function kernelClass(gpujs: GpuJsModule, mode: GpuJsWebMode): GlFeatures {
  return mode === 'webgl2' ? gpujs.WebGL2Kernel : gpujs.WebGLKernel;
}

/** Why `mode` cannot run here, or undefined; gpu.js probes a throw-away canvas (OffscreenCanvas in a worker). */
async function probe(mode: GpuJsWebMode): Promise<string | undefined> {
  let gpujs: GpuJsModule;
  try {
    gpujs = await loadGpuJs();
  } catch (error) {
    return `gpu.js could not be loaded (${error instanceof Error ? error.message : String(error)}); install it: pnpm add gpu.js@2.24.1`;
  }
  const supported = mode === 'webgl2' ? gpujs.GPU.isWebGL2Supported : gpujs.GPU.isWebGLSupported;
  const name = mode === 'webgl2' ? 'WebGL 2' : 'WebGL';
  if (!supported) return `the browser gives gpu.js no ${name} context (disabled, or no GPU nor software renderer); use another engine.`;
  const features = kernelClass(gpujs, mode).features;
  if (!features?.isTextureFloat || !features.isFloatRead) {
    return `this ${name} cannot render to and read float textures, which single precision needs; use another engine.`;
  }
  return undefined;
}

async function create(mode: GpuJsWebMode): Promise<GpuJsBackend> {
  const reason = await probe(mode);
  if (reason) throw unavailable(mode, reason);
  const gpujs = await loadGpuJs();
  const details = {
    mode,
    precision: 'float32',
    summation: 'compensated (Kahan) for dot products and batch sums',
    canvas: typeof (globalThis as { document?: unknown }).document === 'undefined' ? 'OffscreenCanvas (worker)' : 'canvas',
  };
  // gpu.js creates and owns the canvas and its context; gpu.destroy() releases them.
  const runtime = new GpuRuntime(gpujs, new gpujs.GPU({ mode }), mode);
  return new GpuJsBackend(runtime, details, () => {});
}

const DESCRIPTIONS: Record<GpuJsWebMode, string> = {
  webgl2: 'gpu.js kernels as WebGL 2 fragment shaders on float textures',
  webgl: 'gpu.js kernels as WebGL 1 fragment shaders on float textures (OES_texture_float)',
};

/** Highest priority first: core picks the first available one when no engine is named. */
export const ENGINE_MODES: readonly GpuJsWebMode[] = ['webgl2', 'webgl'];

export const engines: readonly EngineFactory[] = ENGINE_MODES.map((mode) =>
  gpuJsEngine({ mode, description: DESCRIPTIONS[mode], probe: () => probe(mode), create: () => create(mode) }),
);
