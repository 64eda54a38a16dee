/** tfjs engines in a browser (`#engines` under the `browser` condition); Node's are in engines.ts. */
import { XBackendError } from '@xbackend/core';
import { activateCpu, activateWasm } from './activate.js';
import { activateBackend } from './engine-lock.js';
import type { Details } from './runtime.js';
import type { TfjsAdapterOptions, TfjsEngine } from './tfjs-engine.js';
import type { Tfc } from './tfjs-modules.js';

/** The few WebGL and WebGPU calls made here, typed structurally (the package compiles without the DOM library). */
interface GlProbe {
  getExtension(name: string): { loseContext?: () => void } | null;
}
interface CanvasLike {
  getContext(kind: 'webgl2' | 'webgl'): GlProbe | null;
}
interface GpuAdapterLike {
  readonly info?: { readonly vendor?: string; readonly architecture?: string; readonly isFallbackAdapter?: boolean };
  readonly isFallbackAdapter?: boolean;
}
interface BrowserGlobals {
  readonly OffscreenCanvas?: new (width: number, height: number) => CanvasLike;
  readonly document?: { createElement(tag: 'canvas'): CanvasLike };
  readonly navigator?: { readonly gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } };
}

const browser = globalThis as BrowserGlobals;

/** Why tfjs's WebGL backend cannot run in float32 here, or undefined. The probe context is released right away. */
function webglReason(): string | undefined {
  const canvas = browser.OffscreenCanvas ? new browser.OffscreenCanvas(1, 1) : browser.document?.createElement('canvas');
  if (!canvas) return 'there is no canvas here (neither OffscreenCanvas nor a document); use engine wasm.';
  const gl2 = canvas.getContext('webgl2');
  const gl = gl2 ?? canvas.getContext('webgl');
  if (!gl)
    return 'the browser gives no WebGL context (WebGL is disabled, or there is neither a GPU nor a software renderer); use engine wasm.';
  // float32 render targets: a core feature of WebGL 2 behind EXT_color_buffer_float, an extension pair in WebGL 1.
  const float32 = gl2
    ? gl.getExtension('EXT_color_buffer_float')
    : gl.getExtension('OES_texture_float') && gl.getExtension('WEBGL_color_buffer_float');
  gl.getExtension('WEBGL_lose_context')?.loseContext?.();
  return float32 ? undefined : 'this WebGL cannot render to float32 textures, so tfjs would compute in float16; use engine wasm.';
}

/** Why there is no WebGPU *GPU* adapter here, or undefined. A software fallback adapter (SwiftShader) does not count. */
async function webgpuReason(): Promise<string | undefined> {
  const gpu = browser.navigator?.gpu;
  if (!gpu)
    return 'this browser offers no WebGPU (navigator.gpu is missing; Chromium on Linux needs --enable-unsafe-webgpu); use engine webgl.';
  const adapter = await gpu.requestAdapter();
  if (!adapter) return 'the browser has WebGPU but found no adapter (no GPU, or its driver is blocklisted); use engine webgl.';
  if (adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter) {
    return 'the only WebGPU adapter here is a software fallback (SwiftShader on the CPU), not a GPU; use engine webgl or wasm.';
  }
  return undefined;
}

/** Answers once per page: probing creates a context each time, and browsers limit how many a page may hold. */
function once(probe: () => Promise<string | undefined>): () => Promise<string | undefined> {
  let answer: Promise<string | undefined> | undefined;
  return () => {
    answer ??= probe();
    return answer;
  };
}

async function activateWebgl(tf: Tfc): Promise<Details> {
  const backend = await import('@tensorflow/tfjs-backend-webgl');
  await activateBackend(tf, 'webgl');
  if (!tf.env().getBool('WEBGL_RENDER_FLOAT32_CAPABLE')) {
    throw new XBackendError(
      'ENGINE_INIT_FAILED',
      'tfjs/webgl cannot render to float32 textures here and would compute in float16; use engine wasm.',
    );
  }
  return {
    tfjsBackendWebgl: backend.version_webgl,
    webglVersion: tf.env().getNumber('WEBGL_VERSION'),
    float32Textures: true,
    kernels: 'GLSL fragment shaders',
  };
}

async function activateWebgpu(tf: Tfc): Promise<Details> {
  await import('@tensorflow/tfjs-backend-webgpu');
  await activateBackend(tf, 'webgpu');
  const info = (tf.backend() as { adapterInfo?: { vendor?: string; architecture?: string } }).adapterInfo;
  return {
    // The package exports no version of its own; it is released in lockstep with tfjs-core.
    tfjsBackendWebgpu: tf.version_core,
    adapter: [info?.vendor, info?.architecture].filter(Boolean).join(' ') || 'unknown',
    kernels: 'WGSL compute shaders',
  };
}

function wasmEngine(wasmPaths: TfjsAdapterOptions['wasmPaths']): TfjsEngine {
  return {
    name: 'wasm',
    description: 'XNNPACK kernels in WebAssembly through @tensorflow/tfjs-backend-wasm (SIMD; threads on a cross-origin isolated page)',
    async unavailableReason() {
      return typeof (globalThis as { WebAssembly?: unknown }).WebAssembly === 'object'
        ? undefined
        : 'this browser has no WebAssembly (or it is disabled); use engine cpu.';
    },
    activate: (tf, threads) => activateWasm(tf, wasmPaths, threads),
  };
}

const webgpu: TfjsEngine = {
  name: 'webgpu',
  description: 'WGSL compute shaders through @tensorflow/tfjs-backend-webgpu (needs a WebGPU GPU adapter)',
  unavailableReason: once(webgpuReason),
  activate: activateWebgpu,
};

const webgl: TfjsEngine = {
  name: 'webgl',
  description: 'GLSL shaders on float32 textures through @tensorflow/tfjs-backend-webgl (WebGL 2, else 1)',
  unavailableReason: once(async () => webglReason()),
  activate: activateWebgl,
};

const cpu: TfjsEngine = {
  name: 'cpu',
  description: 'plain JavaScript kernels through @tensorflow/tfjs-backend-cpu (single thread)',
  unavailableReason: async () => undefined,
  activate: activateCpu,
};

/** The engines in a browser, highest priority first (tfjs's own order): WebGPU, WebGL, WebAssembly, JavaScript. */
export function tfjsEngines(options: TfjsAdapterOptions): readonly TfjsEngine[] {
  return [webgpu, webgl, wasmEngine(options.wasmPaths), cpu];
}
