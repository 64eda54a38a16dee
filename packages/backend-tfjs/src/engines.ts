/** tfjs engines in Node (`#engines` under the `node` and default conditions); the browser's are in engines.browser.ts. */
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { activateCpu, activateWasm, WASM_BINARIES } from './activate.js';
import { activateBackend } from './engine-lock.js';
import { entryDirectory, hasNapiAddon, packageRoot } from './package-location.js';
import type { TfjsAdapterOptions, TfjsEngine } from './tfjs-engine.js';

const TFJS_VERSION = '4.22.0';

function missingPackage(packageName: string, engine: string): string {
  return `${packageName} is not installed (${engine} needs it): run pnpm add ${packageName}@${TFJS_VERSION} in your project.`;
}

/** Problems shared by every engine: tfjs-core and tfjs-layers must be resolvable. */
function missingCore(): string | undefined {
  for (const name of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers']) {
    if (!entryDirectory(name)) return missingPackage(name, 'every tfjs engine');
  }
  return undefined;
}

/** A variable specifier keeps TypeScript (and bundlers) from requiring the optional package at build time. */
const TFJS_NODE: string = '@tensorflow/tfjs-node';

const tensorflow: TfjsEngine = {
  name: 'tensorflow',
  description: 'native libtensorflow through @tensorflow/tfjs-node (optional dependency)',
  async unavailableReason() {
    const root = packageRoot(TFJS_NODE);
    if (!root) {
      return (
        `${TFJS_NODE} is not installed (it is an optional dependency: its install script downloads the native libtensorflow, ` +
        `so the package manager skips it where that download fails). Run pnpm add ${TFJS_NODE}@${TFJS_VERSION} on a machine with ` +
        `internet access, or use engine 'wasm' or 'cpu'.`
      );
    }
    if (!hasNapiAddon(root, 'tfjs_binding.node')) {
      return (
        `${TFJS_NODE} is installed at ${root} but its native addon (lib/napi-v*/tfjs_binding.node) is missing: the install ` +
        `script that downloads libtensorflow did not run or failed. Run pnpm rebuild ${TFJS_NODE} on a machine with internet ` +
        `access, or use engine 'wasm' or 'cpu'.`
      );
    }
    return missingCore();
  },
  async activate(tf) {
    // Importing tfjs-node registers the 'tensorflow' backend and makes it active: we are inside the engine queue here.
    const node = (await import(TFJS_NODE)) as { version?: Record<string, string> };
    await activateBackend(tf, 'tensorflow');
    const binding = (tf.backend() as { binding?: { TF_Version?: string } }).binding;
    return {
      tfjsNode: node.version?.['tfjs-node'] ?? 'unknown',
      libtensorflow: binding?.TF_Version ?? 'unknown',
      kernels: 'native libtensorflow (C++)',
      threads: 'libtensorflow thread pools (all cores; tfjs-node has no setting)',
    };
  },
};

/** Reads the .wasm files from `wasmPaths` when given, else from disk next to the package's entry (its dist folder). */
function wasmEngine(wasmPaths: TfjsAdapterOptions['wasmPaths']): TfjsEngine {
  return {
    name: 'wasm',
    description: 'XNNPACK kernels in WebAssembly through @tensorflow/tfjs-backend-wasm (SIMD where supported)',
    async unavailableReason() {
      if (typeof (globalThis as { WebAssembly?: unknown }).WebAssembly !== 'object')
        return 'this JavaScript runtime has no WebAssembly; use engine cpu.';
      const dist = entryDirectory('@tensorflow/tfjs-backend-wasm');
      if (!dist) return missingPackage('@tensorflow/tfjs-backend-wasm', 'engine wasm');
      const missing = wasmPaths === undefined ? WASM_BINARIES.filter((file) => !existsSync(join(dist, file))) : [];
      if (missing.length > 0) {
        return `@tensorflow/tfjs-backend-wasm at ${dist} lacks ${missing.join(', ')}: reinstall it (pnpm install --force).`;
      }
      return missingCore();
    },
    activate: (tf, threads) => activateWasm(tf, wasmPaths ?? `${entryDirectory('@tensorflow/tfjs-backend-wasm')}${sep}`, threads),
  };
}

const cpu: TfjsEngine = {
  name: 'cpu',
  description: 'plain JavaScript kernels through @tensorflow/tfjs-backend-cpu (single thread)',
  async unavailableReason() {
    return entryDirectory('@tensorflow/tfjs-backend-cpu') ? missingCore() : missingPackage('@tensorflow/tfjs-backend-cpu', 'engine cpu');
  },
  activate: activateCpu,
};

/** The engines in Node, highest priority first: native, then WebAssembly, then plain JavaScript. */
export function tfjsEngines(options: TfjsAdapterOptions): readonly TfjsEngine[] {
  return [tensorflow, wasmEngine(options.wasmPaths), cpu];
}
