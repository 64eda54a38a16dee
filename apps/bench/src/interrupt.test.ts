import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { DEFAULTS } from './bench-options.js';
import { childCommand } from './child-runner.js';
import { runBench } from './run-bench.js';
import { fixtureDataDir, fixtureFlags, tempDir } from './test-fixtures.js';
import { BENCH_FILES } from './write-outputs.js';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it('an aborted bench kills the running child and leaves the previous report untouched', async () => {
  const out = await tempDir();
  const previous = { [BENCH_FILES.json]: '{"previous": true}\n', [BENCH_FILES.markdown]: '# previous report\n' };
  for (const [name, text] of Object.entries(previous)) await writeFile(join(out, name), text);
  const controller = new AbortController();
  const children: ChildProcess[] = [];
  const bench = runBench(
    {
      ...DEFAULTS,
      backends: ['reference'],
      epochs: 50,
      data: { dataDir: await fixtureDataDir(), verify: false, download: false },
      baselines: false,
      out,
      command: 'test',
    },
    {
      signal: controller.signal,
      onChild: (child) => children.push(child),
      onEvent: (event) => {
        if (event.type === 'run-progress' && event.message.phase === 'measure') controller.abort();
      },
    },
  );
  await expect(bench).rejects.toMatchObject({ name: 'AbortError' });
  expect(children).toHaveLength(1);
  expect(isRunning(children[0]?.pid as number)).toBe(false);
  expect(children[0]?.signalCode).toBe('SIGKILL');
  expect((await readdir(out)).sort()).toEqual(Object.keys(previous).sort());
  for (const [name, text] of Object.entries(previous)) expect(await readFile(join(out, name), 'utf8')).toBe(text);
});

it('Ctrl-C (SIGINT) on the command exits with 130 and writes no report', async () => {
  const out = join(await tempDir(), 'out');
  const { execArgv } = childCommand();
  const bin = fileURLToPath(new URL('./bin.ts', import.meta.url));
  const args = [...(await fixtureFlags()).filter((f) => f !== '--no-progress'), '--backends', 'reference', '--epochs', '50', '--out', out];
  const proc = spawn(process.execPath, [...execArgv, bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (text: string) => {
    stderr += text;
    // Interrupt once a run is in its measured epochs, i.e. while a child is working.
    if (stderr.includes('warm-up epoch 1/51 done') && proc.exitCode === null) proc.kill('SIGINT');
  });
  expect(await exited).toBe(130);
  expect(stderr).toContain('xbackend-bench: interrupted');
  expect(stderr).not.toContain('Wrote');
  await expect(readdir(out)).rejects.toMatchObject({ code: 'ENOENT' });
});
