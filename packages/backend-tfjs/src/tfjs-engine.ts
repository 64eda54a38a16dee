import type { WasmPaths } from './activate.js';
import type { Details, TfjsEngineName } from './runtime.js';
import type { Tfc } from './tfjs-modules.js';

/**
 * One tfjs backend as an xbackend engine; the xbackend engine name is the tfjs backend name. Which engines exist
 * depends on the platform: `#engines` is `engines.ts` in Node and `engines.browser.ts` in a browser.
 */
export interface TfjsEngine {
  readonly name: TfjsEngineName;
  readonly description: string;
  unavailableReason(): Promise<string | undefined>;
  /** Imports the backend package (which registers it with tfjs), initialises it and returns what it runs on. */
  activate(tf: Tfc, threads: number | undefined): Promise<Details>;
}

export interface TfjsAdapterOptions {
  /**
   * Where tfjs-backend-wasm's three `.wasm` files are served: a folder ending in '/', or one URL per file name.
   * Node: the package's own dist folder. Browser: tfjs's default (next to the script that loads them), which a bundler
   * does not keep, so a bundled page passes the URLs its bundler gives (Vite: `…/tfjs-backend-wasm-simd.wasm?url`).
   * tfjs has one wasm backend per page or process: the first engine started fixes the paths.
   */
  readonly wasmPaths?: WasmPaths;
}
