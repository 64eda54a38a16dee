/** Starting the tfjs backends that exist on every platform (wasm, cpu); Node and the browser each add their own. */
import { activateBackend } from './engine-lock.js';
import type { Details } from './runtime.js';
import type { Tfc } from './tfjs-modules.js';

/** tfjs-backend-wasm's binaries: plain, SIMD, and SIMD with threads (used only where SharedArrayBuffer is allowed). */
export const WASM_BINARIES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/** Where tfjs-backend-wasm finds its binaries: a folder URL or path ending in '/', or one URL per binary. */
export type WasmPaths = string | Readonly<Record<string, string>>;

/**
 * Registers and starts tfjs's wasm backend (in Node and in a browser alike) and reports which binary it runs.
 * `wasmPaths` must be set before the backend starts; tfjs cannot move its binaries afterwards.
 */
export async function activateWasm(tf: Tfc, wasmPaths: WasmPaths | undefined, threads: number | undefined): Promise<Details> {
  const backend = await import('@tensorflow/tfjs-backend-wasm');
  if (wasmPaths !== undefined) backend.setWasmPaths(wasmPaths as string | { [name: string]: string });
  if (threads !== undefined) backend.setThreadsCount(threads);
  await activateBackend(tf, 'wasm');
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const multithread = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  return {
    tfjsBackendWasm: backend.version_wasm,
    wasmBinary: WASM_BINARIES[simd ? (multithread ? 2 : 1) : 0] as string,
    simd,
    threads: backend.getThreadsCount(),
    // Node: tfjs turns threads off whenever IS_NODE (tfjs issue #3830), its pthread workers being blob: URLs. Browser:
    // threads need a cross-origin isolated page (COOP/COEP headers), else SharedArrayBuffer is missing.
    multithreaded: multithread,
  };
}

/** Registers and starts tfjs's plain JavaScript backend. */
export async function activateCpu(tf: Tfc): Promise<Details> {
  const backend = await import('@tensorflow/tfjs-backend-cpu');
  await activateBackend(tf, 'cpu');
  return { tfjsBackendCpu: backend.version_cpu, kernels: 'JavaScript', threads: 1 };
}
