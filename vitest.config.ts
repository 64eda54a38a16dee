import { readdirSync } from 'node:fs';
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

export default defineConfig({
  test: {
    // Training tests are CPU-bound; on 2 cores, files in parallel only slow each other down.
    fileParallelism: false,
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
      },
    })),
  },
});
