import { type BackendOptions, InvalidArgumentError, XBackendError } from '@xbackend/core';
import { tfjsEngines } from '#engines';
import { exclusive } from './engine-lock.js';
import { createRuntime, type Details, type TfjsEngineName, type TfjsRuntime } from './runtime.js';
import type { TfjsEngine } from './tfjs-engine.js';
import { importTfjs } from './tfjs-modules.js';

function checkOptions(engine: TfjsEngineName, options: BackendOptions): number | undefined {
  if (options.dtype !== undefined && options.dtype !== 'float32') {
    throw new InvalidArgumentError(
      `tfjs/${engine} computes in float32 only; drop dtype '${options.dtype}' or use the reference backend for float64.`,
    );
  }
  const { threads } = options;
  if (threads !== undefined && (!Number.isSafeInteger(threads) || threads <= 0)) {
    throw new InvalidArgumentError(`threads must be a positive integer, got ${threads}.`);
  }
  return threads;
}

/** Starts an engine: loads tfjs, registers and initialises the backend. tfjs state is only touched here. */
export async function startEngine(engine: TfjsEngine, options: BackendOptions = {}): Promise<TfjsRuntime> {
  const threads = checkOptions(engine.name, options);
  const reason = await engine.unavailableReason();
  if (reason) throw new XBackendError('ENGINE_UNAVAILABLE', `tfjs engine '${engine.name}' is unavailable: ${reason}`);
  return exclusive(async () => {
    const { tf, tfl } = await importTfjs();
    let details: Details;
    try {
      details = await engine.activate(tf, threads);
    } catch (error) {
      if (error instanceof XBackendError) throw error;
      const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new XBackendError('ENGINE_INIT_FAILED', `tfjs engine '${engine.name}' failed to start: ${why}`, { cause: error });
    }
    return createRuntime(tf, tfl, engine.name, {
      tfjsCore: tf.version_core,
      tfjsLayers: tfl.version_layers,
      tfjsBackend: engine.name,
      ...details,
      ...(threads !== undefined ? { threadsRequested: threads } : {}),
      lossOp: 'stable softmax cross-entropy from logits (tf.customGrad)',
      sharedEngine: 'calls are serialised through one queue; each switches tfjs to its backend first',
    });
  });
}

/** The engine with this name, or the first available one when `name` is undefined. */
export async function findEngine(name: TfjsEngineName | undefined): Promise<TfjsEngine> {
  const engines = tfjsEngines({});
  if (name !== undefined) {
    const engine = engines.find((e) => e.name === name);
    if (!engine)
      throw new InvalidArgumentError(`tfjs has no engine '${name}' here. Its engines: ${engines.map((e) => e.name).join(', ')}.`);
    return engine;
  }
  const reasons: string[] = [];
  for (const engine of engines) {
    const reason = await engine.unavailableReason();
    if (!reason) return engine;
    reasons.push(`${engine.name}: ${reason}`);
  }
  throw new XBackendError('ENGINE_UNAVAILABLE', `No tfjs engine is available:\n  - ${reasons.join('\n  - ')}`);
}
