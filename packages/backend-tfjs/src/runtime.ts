import { activateBackend, exclusive } from './engine-lock.js';
import type { Tfc, Tfl } from './tfjs-modules.js';

/** tfjs backend names used as engines: Node has tensorflow, wasm, cpu; a browser webgpu, webgl, wasm, cpu. */
export type TfjsEngineName = 'tensorflow' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export type Details = Readonly<Record<string, string | number | boolean>>;

/** One started tfjs engine: the tfjs modules plus the name of the tfjs backend this engine runs on. */
export interface TfjsRuntime {
  readonly tf: Tfc;
  readonly tfl: Tfl;
  readonly engine: TfjsEngineName;
  readonly details: Details;
  /** Runs `work` with this engine's tfjs backend active and no other tfjs work of this adapter interleaved. */
  run<T>(work: () => Promise<T> | T): Promise<T>;
}

export function createRuntime(tf: Tfc, tfl: Tfl, engine: TfjsEngineName, details: Details): TfjsRuntime {
  return {
    tf,
    tfl,
    engine,
    details,
    run: (work) =>
      exclusive(async () => {
        await activateBackend(tf, engine);
        return work();
      }),
  };
}
