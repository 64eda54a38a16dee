/** onnxruntime engines in a browser (`#engines` under the `browser` condition): onnxruntime-web's wasm and webgpu. */
import type { EngineFactory } from '@xbackend/core';
import { onnxEngine } from './onnx-backend.js';
import { loadOrt } from './ort.browser.js';
import type { SessionOptions } from './ort.js';

type WebProvider = 'wasm' | 'webgpu';

interface GpuLike {
  requestAdapter(): Promise<{ readonly info?: { readonly isFallbackAdapter?: boolean }; readonly isFallbackAdapter?: boolean } | null>;
}

/** The page's globals this file reads, typed structurally (the package compiles without the DOM library). */
const page = globalThis as { crossOriginIsolated?: boolean; navigator?: { gpu?: GpuLike }; WebAssembly?: unknown };

function sessionOptions(provider: WebProvider): SessionOptions {
  return { executionProviders: [provider], executionMode: 'sequential', graphOptimizationLevel: 'all', logSeverityLevel: 4 };
}

async function wasmReason(): Promise<string | undefined> {
  return typeof page.WebAssembly === 'object'
    ? undefined
    : 'this browser has no WebAssembly (or it is disabled); onnxruntime-web needs it.';
}

/** A WebGPU adapter that is a GPU; a software fallback (SwiftShader) would run far slower than the wasm engine. */
async function webgpuReason(): Promise<string | undefined> {
  const gpu = page.navigator?.gpu;
  const adapter = await gpu?.requestAdapter();
  if (adapter && !(adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter)) return undefined;
  if (!gpu)
    return 'this browser offers no WebGPU (navigator.gpu is missing; Chromium on Linux needs --enable-unsafe-webgpu); use engine wasm.';
  return adapter
    ? 'the only WebGPU adapter here is a software fallback (SwiftShader on the CPU), not a GPU; use engine wasm.'
    : 'the browser has WebGPU but found no adapter (no GPU, or its driver is blocklisted); use engine wasm.';
}

let webgpuAnswer: Promise<string | undefined> | undefined;

function webEngine(provider: WebProvider, description: string, check: () => Promise<string | undefined>): EngineFactory {
  return onnxEngine({
    name: provider,
    description,
    check,
    async start(threads) {
      const ort = await loadOrt();
      // A page-wide setting, read when the first session starts: later values are ignored by onnxruntime-web.
      if (threads !== undefined) ort.env.wasm.numThreads = threads;
      const details = {
        onnxruntimeWeb: ort.env.versions.web ?? 'unknown',
        executionProvider: provider,
        wasmThreads: ort.env.wasm.numThreads ?? (page.crossOriginIsolated ? 'onnxruntime-web default (up to 4)' : 1),
        crossOriginIsolated: page.crossOriginIsolated === true,
      };
      return { ort, session: { options: sessionOptions(provider), writesIntoOutputs: false }, details };
    },
  });
}

export const wasmEngine: EngineFactory = webEngine(
  'wasm',
  'onnxruntime-web CPU kernels in WebAssembly (SIMD; threads on a cross-origin isolated page)',
  wasmReason,
);

export const webgpuEngine: EngineFactory = webEngine(
  'webgpu',
  'onnxruntime-web WebGPU execution provider (needs a WebGPU GPU adapter; float64 nodes run on the CPU)',
  () => {
    webgpuAnswer ??= webgpuReason();
    return webgpuAnswer;
  },
);

/** The engines in a browser: 'wasm' first (it runs everywhere), 'webgpu' only when asked for or when wasm is missing. */
export const ONNX_ENGINES: readonly EngineFactory[] = [wasmEngine, webgpuEngine];
