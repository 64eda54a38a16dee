import { describe, expect, it } from 'vitest';
import type { CheckRecord, EngineRecord } from './parity-record.js';
import { failures, renderParityReport } from './parity-report.js';

const check = (name: CheckRecord['name'], measured: number | null, max: number): CheckRecord => ({
  name,
  title: `${name} title`,
  relativeTo: `${name} scale`,
  measured,
  max,
  toleranceMeasured: max / 10,
});

const record = (engine: string, checks: CheckRecord[]): EngineRecord => ({
  backend: 'toy',
  engine,
  description: 'a toy engine',
  reason: 'float32 sums',
  measuredOn: '2026-01-01, test',
  checks,
});

const machine = { cpu: 'Test CPU', cores: 2, memoryGiB: 4, os: 'linux', node: 'v20', date: '2026-01-02' };

describe('parity report', () => {
  it('lists each engine and check with its measured error, tolerance and ratio, and the machine and date', () => {
    const text = renderParityReport(
      [record('a', [check('logits', 2e-7, 1e-6), check('initialWeights', 0, 0)])],
      [{ backend: 'toy', engine: 'gpu', description: '', available: false, reason: 'no GPU here' }],
      machine,
    );
    expect(text).toContain('Measured on 2026-01-02: Test CPU, 2 logical cores, 4 GiB, linux, Node v20.');
    expect(text).toContain('| toy/a | 2/2 | 0.20 (logits) | pass |');
    expect(text).toContain('| `logits` | 2.00e−7 | 1.00e−6 | 0.20 | 1.00e−7 |  |');
    expect(text).toContain('| `initialWeights` | 0 | 0 | 0.00 | 0 |  |');
    expect(text).toContain('| toy/gpu | not run here: no GPU here |');
    expect(failures([record('a', [check('logits', 2e-7, 1e-6)])])).toEqual([]);
  });

  it('fails an error above its tolerance, and a check that threw', () => {
    const bad = record('b', [check('logits', 3e-6, 1e-6), { ...check('losses', null, 1e-6), error: 'boom' }]);
    expect(failures([bad])).toEqual(['toy/b logits: measured 3.00e−6 > tolerance 1.00e−6', 'toy/b losses: boom']);
    expect(renderParityReport([bad], [], machine)).toContain('| toy/b | 0/2 | ∞ (losses) | **FAIL** |');
  });
});
