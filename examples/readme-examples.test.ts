import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * Every package's README shows how to use it in a ```ts block; this test type-checks each block against the
 * workspace (strict, as a user's project would) and runs it, so a README cannot drift from the code. A block whose
 * first line is `// not run here: <reason>` is only type-checked.
 */
const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..');
const work = join(here, '.readme-examples');

interface Example {
  readonly readme: string;
  readonly index: number;
  readonly code: string;
  readonly file: string;
  readonly runReason: string | undefined;
}

function readmes(): string[] {
  const dirs = ['packages', 'apps'].flatMap((d) => readdirSync(join(root, d)).map((name) => join(d, name)));
  return dirs.filter((d) => existsSync(join(root, d, 'package.json'))).map((d) => join(d, 'README.md'));
}

function examplesOf(readme: string): Example[] {
  const text = existsSync(join(root, readme)) ? readFileSync(join(root, readme), 'utf8') : '';
  const blocks = [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1] as string);
  return blocks.map((code, index) => ({
    readme,
    index,
    code,
    file: join(work, `${readme.replaceAll('/', '-').replace('-README.md', '')}-${index + 1}.ts`),
    runReason: /^\/\/ not run here: (.+)$/m.exec(code.split('\n')[0] ?? '')?.[1],
  }));
}

const packages = readmes();
const examples = packages.flatMap(examplesOf);

describe('README examples', () => {
  beforeAll(() => {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'package.json'), '{ "type": "module", "private": true }\n');
    for (const e of examples) writeFileSync(e.file, e.code);
  });

  it.each(packages)('%s shows a ```ts usage example', (readme) => {
    expect(existsSync(join(root, readme)), `${readme} is missing`).toBe(true);
    expect(examplesOf(readme).length, `${readme} has no \`\`\`ts block`).toBeGreaterThan(0);
  });

  it('type-check against the workspace (strict, NodeNext)', () => {
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(here, 'tsconfig.readme.json')], {
      cwd: here,
      encoding: 'utf8',
    });
    expect(tsc.stdout + tsc.stderr, 'tsc reports errors in README examples').toBe('');
    expect(tsc.status).toBe(0);
  });

  describe.each(examples.filter((e) => e.runReason === undefined))('$readme block $index', (e) => {
    it('runs', { timeout: 120_000 }, () => {
      const run = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', e.file], {
        cwd: here,
        encoding: 'utf8',
        timeout: 110_000,
      });
      expect(run.status, `${e.readme} block ${e.index + 1} failed:\n${run.stdout}\n${run.stderr}`).toBe(0);
    });
  });

  describe.each(examples.filter((e) => e.runReason !== undefined))('$readme block $index', (e) => {
    it.skip(`not run here: ${e.runReason}`, () => {});
  });
});
