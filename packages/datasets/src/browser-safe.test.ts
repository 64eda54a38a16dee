import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { type BuildOptions, build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as decode from './decode.js';
import { sha256Hex } from './node-runtime.js';
import * as portable from './portable.js';

/**
 * The pure part of datasets must run in a browser: bundling it for the browser (as a user's bundler would, with the
 * 'browser' condition) succeeds only if nothing it imports comes from `node:` or another Node built-in, and running
 * the bundle where there is no `Buffer` or `process` shows that it does not lean on Node's globals either.
 */
const srcDir = fileURLToPath(new URL('.', import.meta.url));
const forBrowser: BuildOptions = {
  bundle: true,
  write: false,
  platform: 'browser',
  conditions: ['browser', 'source'],
  logLevel: 'silent',
};
/** The pure modules: the portable entry, and decoding (which the browser entry will use with its own runtime). */
const pureEntry = "export * from './portable.ts'; export { decodeFile } from './decode.ts';";

type PureApi = typeof portable & Pick<typeof decode, 'decodeFile'>;

/**
 * Parses, batches, splits, labels and decodes a few tiny IDX files, and reports what came out. It runs once in
 * Node and once inside the browser-like sandbox; it must refer to nothing outside itself but its arguments.
 */
async function exercise(d: PureApi, hash: (bytes: Uint8Array) => string): Promise<string> {
  const pixels = Uint8Array.from({ length: 6 * 2 * 2 }, (_, i) => i * 10);
  const imagesFile = d.encodeIdx([6, 2, 2], pixels);
  const labelsFile = d.encodeIdx([6], Uint8Array.from([0, 1, 2, 3, 4, 9]));
  const images = d.parseIdx(imagesFile, 3);
  const labels = await d.decodeFile(
    'train-labels-idx1-ubyte',
    labelsFile,
    { sha256: hash(labelsFile) },
    {
      gunzip: () => Promise.reject(new Error('not gzip')),
      sha256Hex: hash,
    },
  );
  const split = d.splitTrainValidation({ images: images.data, labels: labels.data, count: 6, rows: 2, cols: 2 }, { validationSize: 2 });
  const iter = d.createDataIter(split.train.images, split.train.labels, { batchSize: 3, sampleShape: [1, 2, 2], shuffle: true, resize: 3 });
  // Each batch is read as it is drawn: the iterator reuses its buffers for the next one.
  const batches = Array.from(iter.epoch(1), (b) => ({ size: b.size, x: Array.from(b.x), y: b.y.slice() }));
  const failures = [Uint8Array.of(1, 2, 3, 4), new Uint8Array()].map((bytes) => {
    try {
      d.parseIdx(bytes, 1);
      return 'parsed';
    } catch (error) {
      return `${(error as Error).name}: ${(error as Error).message}`;
    }
  });
  return JSON.stringify({
    dims: images.dims,
    sizes: batches.map((b) => b.size),
    x: batches.map((b) => b.x),
    names: batches.map((b) => d.getFashionMnistLabels(b.y)),
    validation: Array.from(split.validation.labels),
    failures,
    files: d.FASHION_MNIST_FILES.length,
  });
}

async function bundle(options: BuildOptions): Promise<string> {
  const result = await build({ ...forBrowser, ...options });
  return result.outputFiles?.[0]?.text ?? '';
}

describe('the pure part of @xbackend/datasets in a browser', () => {
  it('bundles for the browser without any Node built-in', async () => {
    const code = await bundle({ stdin: { contents: pureEntry, resolveDir: srcDir, loader: 'ts' }, format: 'esm' });
    expect(code).toContain('function parseIdx');
    expect(code).toContain('function createDataIter');
    expect(code).not.toMatch(/from\s*["']node:|require\(["']node:/);
  });

  it('runs where there is no Buffer and no process, with the same results as in Node', async () => {
    const code = await bundle({ stdin: { contents: pureEntry, resolveDir: srcDir, loader: 'ts' }, format: 'iife', globalName: 'pure' });
    const sandbox = { hash: sha256Hex };
    expect(runInNewContext('[typeof Buffer, typeof process, typeof require]', sandbox)).toEqual(['undefined', 'undefined', 'undefined']);
    const inSandbox = await runInNewContext(`${code}\n(${exercise.toString()})(pure, hash)`, sandbox);
    const inNode = await exercise({ ...portable, decodeFile: decode.decodeFile }, sha256Hex);
    expect(inSandbox).toBe(inNode);
    expect(JSON.parse(inNode).failures).toEqual([
      'ContentError: Invalid Fashion-MNIST content: invalid IDX: bad magic number 01020304: an IDX file starts with 00 00',
      'ContentError: Invalid Fashion-MNIST content: empty (0 bytes)',
    ]);
  });

  it('fails the same bundle when a Node built-in sneaks in (the check can fail)', async () => {
    const attempt = bundle({
      stdin: { contents: "export { loadFashionMnist } from './fashion-mnist.ts';", resolveDir: srcDir, loader: 'ts' },
      format: 'esm',
    });
    await expect(attempt).rejects.toThrow(/node:/);
  });
});
