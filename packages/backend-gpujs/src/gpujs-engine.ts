import { type Backend, type BackendOptions, BackendUnavailableError, type EngineFactory, InvalidArgumentError } from '@xbackend/core';
import type { GpuJsMode, GpuJsWebMode } from './gpujs-api.js';
import { BACKEND_NAME, GpuJsBackend } from './gpujs-backend.js';

/** One gpu.js mode as an engine; Node and the browser supply how to probe it and how to start it. */
export interface GpuJsEngineSpec {
  readonly mode: GpuJsMode | GpuJsWebMode;
  readonly description: string;
  /** Why the mode cannot run here (and how to fix that), or undefined. */
  probe(): Promise<string | undefined> | string | undefined;
  create(): Promise<Backend> | Backend;
}

function checkOptions(mode: string, options: BackendOptions): void {
  if (options.dtype !== undefined && options.dtype !== 'float32') {
    throw new InvalidArgumentError(
      `gpujs/${mode} computes in single precision only (dtype 'float32'), got dtype '${options.dtype}'. Use the reference backend for float64.`,
    );
  }
  if (options.threads !== undefined && (!Number.isSafeInteger(options.threads) || options.threads < 1)) {
    throw new InvalidArgumentError(`threads must be a positive integer, got ${options.threads}.`);
  }
}

export function unavailable(mode: string, reason: string): BackendUnavailableError {
  return new BackendUnavailableError(BACKEND_NAME, [{ backend: BACKEND_NAME, engine: mode, reason }]);
}

export function gpuJsEngine(spec: GpuJsEngineSpec): EngineFactory {
  return {
    name: spec.mode,
    description: spec.description,
    async unavailableReason() {
      try {
        return await spec.probe();
      } catch (error) {
        return `probing gpu.js '${spec.mode}' failed: ${error instanceof Error ? error.message : String(error)}`;
      }
    },
    async create(options) {
      checkOptions(spec.mode, options);
      const backend = await spec.create();
      return options.profiler && backend instanceof GpuJsBackend ? backend.withProfiler(options.profiler) : backend;
    },
  };
}
