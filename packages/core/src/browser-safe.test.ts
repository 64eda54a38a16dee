import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/**
 * Core must run in a browser: bundling its entry for the browser (as a user's bundler would, with the 'browser'
 * condition) succeeds only if nothing it imports comes from `node:` or another Node built-in.
 */
describe('@xbackend/core in a browser', () => {
  it('bundles for the browser without any Node built-in', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('./index.ts', import.meta.url))],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      conditions: ['browser', 'source'],
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]?.text ?? '';
    expect(code).toContain('function loadBackend');
    expect(code).not.toMatch(/from\s*["']node:|require\(["']node:/);
  });

  it('fails the same bundle when a Node built-in sneaks in (the check can fail)', async () => {
    const attempt = build({
      stdin: {
        contents: "export { writeFileAtomic } from './node.ts';",
        resolveDir: fileURLToPath(new URL('.', import.meta.url)),
        loader: 'ts',
      },
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      logLevel: 'silent',
    });
    await expect(attempt).rejects.toThrow(/node:/);
  });
});
