import type { BackendAdapter, EngineFactory } from '@xbackend/core';
import { tfjsEngines } from '#engines';
import { startEngine } from './start-engine.js';
import { TfjsBackend } from './tfjs-backend.js';
import type { TfjsAdapterOptions, TfjsEngine } from './tfjs-engine.js';

function factory(engine: TfjsEngine): EngineFactory {
  return {
    name: engine.name,
    description: engine.description,
    async unavailableReason() {
      try {
        return await engine.unavailableReason();
      } catch (error) {
        return `could not check the ${engine.name} engine: ${error instanceof Error ? error.message : String(error)}`;
      }
    },
    create: async (options) => new TfjsBackend(await startEngine(engine, options), options.profiler),
  };
}

/**
 * TensorFlow.js. In Node: 'tensorflow' (tfjs-node), then 'wasm', then 'cpu'. In a browser: 'webgpu' (where there is a
 * GPU adapter), 'webgl', 'wasm', 'cpu'. Nothing tfjs is imported until create().
 */
export function tfjsAdapter(options: TfjsAdapterOptions = {}): BackendAdapter {
  return {
    name: 'tfjs',
    description: 'TensorFlow.js ops and tf.train.sgd: native, GPU (WebGL/WebGPU), WebAssembly or JavaScript kernels',
    engines: tfjsEngines(options).map(factory),
  };
}

export const adapter: BackendAdapter = tfjsAdapter();
