import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/** Every workspace package imports the others' TypeScript sources, so tests need no build (tRPC style). */
const workspaces = ['packages', 'apps'].flatMap((dir) =>
  readdirSync(`${root}${dir}`, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => ({ dir: `${dir}/${d.name}`, name: d.name })),
);
/** The example scripts, and the test that type-checks and runs every README's examples. */
const examples = { dir: 'examples', name: 'examples' };
const alias = workspaces.map(({ dir, name }) => ({
  find: new RegExp(`^@xbackend/${name}$`),
  replacement: `${root}${dir}/src/index.ts`,
}));

/**
 * Training tests are CPU-bound and single-threaded: one file per core. The browser tests run last and alone, since they
 * hold a page's timers to 100 ms while Chromium trains.
 */
const WORKERS = Math.min(availableParallelism(), 4);
const ALONE = new Set(['playground']);

export default defineConfig({
  test: {
    projects: [...workspaces, examples].map(({ dir, name }) => ({
      resolve: { alias },
      // 'source' picks a package's TypeScript sources, for its `exports` and its own `#imports` alike.
      ssr: { resolve: { conditions: ['source', 'module', 'node', 'development|production'] } },
      test: {
        name,
        root: `${root}${dir}`,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts', '*.test.ts'],
        environment: 'node',
        setupFiles: [`${root}vitest.setup.ts`],
        testTimeout: 120_000,
        hookTimeout: 120_000,
        maxWorkers: ALONE.has(name) ? 1 : WORKERS,
        sequence: { groupOrder: ALONE.has(name) ? 1 : 0 },
      },
    })),
  },
});
