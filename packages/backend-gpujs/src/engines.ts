/** gpu.js engines in Node (`#engines` under the `node` and default conditions); the browser's are in engines.browser.ts. */
import type { Backend, EngineFactory } from '@xbackend/core';
import { type GlContext, trackGlObjects } from './gl-objects.js';
import type { GpuJsMode, GpuJsModule } from './gpujs-api.js';
import { GpuJsBackend } from './gpujs-backend.js';
import { gpuJsEngine, unavailable } from './gpujs-engine.js';
import { gpuJsVersion, loadGpuJs } from './gpujs-node.js';
import { createGlContext, describeGlContext, destroyGlContext } from './headless-gl.js';
import { GpuRuntime } from './runtime.js';

function loadOrReason(): { gpujs: GpuJsModule } | { reason: string } {
  try {
    return { gpujs: loadGpuJs() };
  } catch (error) {
    const detail = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    return { reason: `gpu.js could not be loaded (${detail}). Install it: pnpm add gpu.js@2.24.1` };
  }
}

/** Why `mode` cannot run here, or undefined; a GL probe context is created and destroyed again. */
function probe(mode: GpuJsMode): string | undefined {
  const loaded = loadOrReason();
  if ('reason' in loaded) return loaded.reason;
  const { GPU, HeadlessGLKernel } = loaded.gpujs;
  switch (mode) {
    case 'headlessgl': {
      const gl = createGlContext();
      if ('reason' in gl) return gl.reason;
      destroyGlContext(gl.context);
      if (!GPU.isHeadlessGLSupported)
        return "gpu.js found no usable headless-gl context although 'gl' works here; use the 'webasm' engine.";
      const features = HeadlessGLKernel.features;
      if (!features?.isTextureFloat || !features.isFloatRead) {
        return "the GL context cannot render to and read float textures (OES_texture_float), which single precision needs; use the 'webasm' engine.";
      }
      return undefined;
    }
    case 'webasm':
      return GPU.isWebAssemblySupported
        ? undefined
        : "this JavaScript runtime has no WebAssembly support; use Node.js >= 20 or the 'cpu' engine.";
    case 'cpu':
      return undefined;
  }
}

function create(mode: GpuJsMode): Backend {
  const reason = probe(mode);
  if (reason) throw unavailable(mode, reason);
  const gpujs = loadGpuJs();
  const details: Record<string, string | number | boolean> = {
    'gpu.js': gpuJsVersion(),
    mode,
    precision: 'float32',
    summation:
      mode === 'cpu'
        ? 'float64 inside each kernel (JavaScript), so plain sums; float32 between kernels'
        : 'compensated (Kahan) for dot products and batch sums',
    // gpu.js runs webasm kernels on worker threads only under its async contract, which adds a hop per kernel.
    threads: 1,
  };
  let context: GlContext | undefined;
  if (mode === 'headlessgl') {
    const gl = createGlContext();
    if ('reason' in gl) throw unavailable(mode, gl.reason);
    context = gl.context;
    details.renderer = describeGlContext(context);
  }
  if (mode === 'webasm') details.simd = gpujs.WebAssemblyKernel.isSIMDSupported;
  const glObjects = context ? trackGlObjects(context) : undefined;
  const gpu = new gpujs.GPU(context ? { mode, context } : { mode });
  const runtime = new GpuRuntime(gpujs, gpu, mode, glObjects);
  return new GpuJsBackend(runtime, details, () => {
    if (context) destroyGlContext(context);
  });
}

const DESCRIPTIONS: Record<GpuJsMode, string> = {
  headlessgl: 'WebGL kernels through headless-gl (the optional `gl` package; needs an X display, e.g. xvfb-run -a)',
  webasm: 'gpu.js kernels compiled to WebAssembly (f32, SIMD) on the CPU',
  cpu: 'gpu.js kernels compiled to plain JavaScript on the CPU',
};

/** Highest priority first: core picks the first available one when no engine is named. */
export const ENGINE_MODES: readonly GpuJsMode[] = ['headlessgl', 'webasm', 'cpu'];

export const engines: readonly EngineFactory[] = ENGINE_MODES.map((mode) =>
  gpuJsEngine({ mode, description: DESCRIPTIONS[mode], probe: () => probe(mode), create: () => create(mode) }),
);
