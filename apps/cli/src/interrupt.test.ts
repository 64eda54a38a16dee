import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { fixtureFlags, runCli, tempDir } from './test-fixtures.js';

it('an aborted run (Ctrl-C) exits with 130 and its metrics say interrupted', async () => {
  const out = await tempDir();
  const controller = new AbortController();
  controller.abort();
  const run = await runCli(['train', ...(await fixtureFlags()), '--epochs', '1', '--no-progress', '--out', out], {
    signal: controller.signal,
  });
  expect(run.code).toBe(130);
  expect(run.stderr).toContain('xbackend: interrupted');
  const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
  expect(metrics.status).toBe('interrupted');
});
