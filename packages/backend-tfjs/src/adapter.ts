import type { BackendAdapter, EngineFactory } from '@xbackend/core';
import { startEngine, TFJS_ENGINES, type TfjsEngine } from './engines.js';
import { TfjsBackend } from './tfjs-backend.js';

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
    create: async (options) => new TfjsBackend(await startEngine(engine, options)),
  };
}

/** TensorFlow.js: 'tensorflow' (tfjs-node), then 'wasm', then 'cpu'. Nothing tfjs is imported until create(). */
export const adapter: BackendAdapter = {
  name: 'tfjs',
  description: 'TensorFlow.js high-level API (tf.layers, tf.train.sgd): native, WebAssembly or JavaScript kernels',
  engines: TFJS_ENGINES.map(factory),
};
