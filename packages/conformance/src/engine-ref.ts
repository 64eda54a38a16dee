import { type BackendAdapter, type BackendOptions, type LoadedBackend, loadBackend } from '@xbackend/core';

/** One engine of an adapter, as the suite tests it: loaded through core's `loadBackend`, as a user's script would. */
export interface EngineRef {
  readonly adapter: BackendAdapter;
  readonly engine: string;
  /** Passed to every `loadBackend` (e.g. `{ threads: 1 }`). */
  readonly options?: BackendOptions;
}

export function engineLabel({ adapter, engine }: EngineRef): string {
  return `${adapter.name}/${engine}`;
}

/** The engine with the book's namespaces bound to it, initial weights drawn from `seed`. */
export function loadEngine(ref: EngineRef, seed: number): Promise<LoadedBackend> {
  return loadBackend(ref.adapter, { ...ref.options, engine: ref.engine, seed });
}

/** Runs `use` on a freshly loaded engine and disposes it (and every model built on it) afterwards. */
export async function withEngine<T>(ref: EngineRef, seed: number, use: (loaded: LoadedBackend) => Promise<T>): Promise<T> {
  const loaded = await loadEngine(ref, seed);
  try {
    return await use(loaded);
  } finally {
    await loaded.dispose();
  }
}
