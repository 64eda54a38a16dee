import { defaultRegistry, type EngineStatus } from '@xbackend/core';
import { describe, expect, it } from 'vitest';
import { formatBackends } from './backends.js';
import { runCli } from './test-fixtures.js';

describe('xbackend backends', () => {
  it('lists every backend and engine with its availability, and why an unavailable one cannot run', async () => {
    const json = await runCli(['backends', '--json']);
    expect(json.code).toBe(0);
    const statuses = JSON.parse(json.stdout) as EngineStatus[];
    expect([...new Set(statuses.map((s) => s.backend))]).toEqual(defaultRegistry.names);
    expect(statuses.filter((s) => s.backend === 'reference').map((s) => [s.engine, s.available])).toEqual([
      ['float32', true],
      ['float64', true],
    ]);
    for (const s of statuses) if (!s.available) expect(s.reason).toBeTruthy();

    const table = await runCli(['backends']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    for (const s of statuses) {
      const line = lines.find((l) => l.startsWith(`${s.backend}/${s.engine} `));
      expect(line, `${s.backend}/${s.engine}`).toMatch(s.available ? / available {3}/ : / unavailable /);
      if (s.reason) expect(table.stdout).toContain(s.reason.split('\n')[0]);
    }
    expect(lines.find((l) => l.startsWith('onnxruntime/cpu'))).toContain('[default backend]');
  });

  it('indents multi-line reasons under their engine', () => {
    const lines = formatBackends([
      { backend: 'x', engine: 'fast', description: 'fast engine', available: false, reason: 'no GPU\nrun under xvfb-run -a' },
      { backend: 'x', engine: 'slow', description: 'slow engine', available: true },
    ]);
    expect(lines).toEqual([
      'x/fast      unavailable  fast engine',
      '              no GPU',
      '              run under xvfb-run -a',
      'x/slow      available    slow engine',
    ]);
  });
});
