import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/**
 * What a user's bundler gets from each package under the `browser` condition: no Node built-in anywhere in its module
 * graph (frameworks left out; they bring their own browser builds). Vite would only warn and leave a `node:` import
 * to fail at run time, so this bundles with esbuild, which refuses.
 */
/** Each entry, and a name its browser bundle must define. */
const ENTRIES: Readonly<Record<string, string>> = {
  '@xbackend/backend-onnxruntime': 'adapter',
  '@xbackend/backend-tfjs': 'tfjsAdapter',
  '@xbackend/backend-gpujs': 'adapter',
  '@xbackend/datasets': 'loadDataFashionMnist',
  '@xbackend/core': 'loadBackend',
  '@xbackend/runs/weight-init': 'presetInit',
};
const FRAMEWORKS = ['onnxruntime-web', 'onnxruntime-common', 'onnx-proto', '@tensorflow/*', 'gpu.js'];

function bundle(entry: string) {
  return build({
    stdin: { contents: `export * from '${entry}';`, resolveDir: import.meta.dirname, loader: 'ts' },
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    // esbuild adds 'browser' itself for platform 'browser'; 'source' reads the workspace's TypeScript.
    conditions: ['source'],
    external: FRAMEWORKS,
    logLevel: 'silent',
  });
}

describe('the browser entries of the packages the page uses', () => {
  for (const [entry, name] of Object.entries(ENTRIES)) {
    it(`${entry} bundles for the browser without any Node built-in`, async () => {
      const result = await bundle(entry);
      const code = result.outputFiles[0]?.text ?? '';
      expect(code).toContain(name);
      expect(code).not.toMatch(/from\s*["']node:|require\(["']node:|import\(["']node:/);
    });
  }

  it("fails on a Node-only module: tfjs's Node engine list (the check can fail)", async () => {
    await expect(bundle(new URL('../../../packages/backend-tfjs/src/engines.ts', import.meta.url).pathname)).rejects.toThrow(/node:/);
  });
});
