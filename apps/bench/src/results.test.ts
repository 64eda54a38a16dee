import { describe, expect, it } from 'vitest';
import type { EpochSplit, RunMeasurement } from './protocol.js';
import { ResultTable } from './results.js';
import type { Target } from './targets.js';

const target = (label: string, kind: Target['kind'] = 'adapter'): Target => {
  const [backend = '', engine] = label.split('/');
  return { kind, backend, ...(engine ? { engine } : {}), label, baseline: false, unavailable: [] };
};

/**
 * A run whose measured epochs took `epochMs` each (training plus a 10 + i ms evaluation), after one warm-up epoch of
 * 999 ms, and whose steps took `stepMs`.
 */
function measurement(epochMs: number[], stepMs: number[], testAcc = 0.8, split?: EpochSplit): RunMeasurement {
  return {
    backend: 'x',
    engine: 'y',
    dtype: 'float32',
    details: { threads: 1 },
    numTrainExamples: 1000,
    numTestExamples: 100,
    numBatches: 4,
    buildMs: 5,
    epochs: [
      { warmup: true, trainLoss: 1, trainAcc: 0.5, testAcc: 0.5, trainMs: 900, evalMs: 99 },
      ...epochMs.map((ms, i) => ({
        warmup: false,
        trainLoss: 0.5 - i * 0.1,
        trainAcc: 0.8,
        testAcc,
        trainMs: ms - (10 + i),
        evalMs: 10 + i,
        ...(split ? { split } : {}),
      })),
    ],
    stepMs,
    firstStepMs: 50,
    peakRssBytes: 100 * 2 ** 20,
  };
}

describe('ResultTable', () => {
  it('summarises measured epochs only, pools repeats, and keeps the last epoch of the first repeat as the final metrics', () => {
    const table = new ResultTable();
    const t = target('reference/float32');
    table.add(t, 64, 1, { ok: true, measurement: measurement([100, 300], [1, 2]) });
    table.add(t, 64, 2, { ok: true, measurement: { ...measurement([200], [3]), peakRssBytes: 300 * 2 ** 20 } });
    const [row] = table.rows([t], [64]);
    expect(row).toMatchObject({
      status: 'ok',
      okRepeats: 2,
      epochMs: { median: 200, min: 100, max: 300, count: 3 },
      trainMs: 190, // 90, 289 (first repeat) and 190 (second)
      samplesPerSecond: 1000 / 0.2,
      evalMs: 10, // median of 10, 11 (first repeat) and 10 (second)
      buildMs: 5,
      firstStepMs: 50,
      peakRssBytes: 300 * 2 ** 20,
      trainLoss: 0.4,
      testAcc: 0.8,
      vsFastest: 1,
      vsReference: 1,
    });
    expect(row?.stepMs).toMatchObject({ count: 3, min: 1, p50: 2, max: 3 });
    // bench.json keeps a summary of the steps, not every step.
    expect(table.runs[0]?.measurement?.stepMs).toMatchObject({ count: 2, p50: 1.5 });
  });

  it('takes ratios within a batch size: against the fastest, reference/float32 and the idiomatic tfjs baseline', () => {
    const table = new ResultTable();
    const targets = [
      target('reference/float32'),
      target('tfjs/wasm'),
      target('tfjs-idiomatic/wasm', 'idiomatic'),
      target('onnxruntime/cpu'),
    ];
    const times: Record<string, number> = {
      'reference/float32': 400,
      'tfjs/wasm': 300,
      'tfjs-idiomatic/wasm': 200,
      'onnxruntime/cpu': 100,
    };
    for (const b of [64, 256]) {
      for (const t of targets)
        table.add(t, b, 1, { ok: true, measurement: measurement([(times[t.label] as number) * (b === 64 ? 2 : 1)], []) });
    }
    const rows = table.rows(targets, [64, 256]);
    expect(rows.map((r) => [r.target, r.batchSize])).toEqual([64, 256].flatMap((b) => targets.map((t) => [t.label, b])));
    for (const b of [64, 256]) {
      const at = (label: string) => rows.find((r) => r.target === label && r.batchSize === b);
      expect(at('tfjs/wasm')).toMatchObject({ vsFastest: 3, vsReference: 0.75, vsIdiomatic: 1.5 });
      expect(at('onnxruntime/cpu')).toMatchObject({ vsFastest: 1, vsReference: 0.25 });
      expect(at('onnxruntime/cpu')?.vsIdiomatic).toBeUndefined();
      expect(at('tfjs-idiomatic/wasm')?.vsIdiomatic).toBeUndefined();
      expect(at('reference/float32')?.stepMs).toBeNull();
    }
  });

  it("compares an adapter with its framework's floor row, and reports its time split and the share outside the framework", () => {
    const table = new ResultTable();
    const adapter = target('onnxruntime/cpu');
    const floor = target('onnxruntime-floor/cpu', 'floor');
    const split: EpochSplit = { data: 20, compute: 130, read: 5, eval: 30, other: 15, write: 4 };
    table.add(adapter, 256, 1, { ok: true, measurement: measurement([200, 200], [1], 0.8, split) });
    table.add(floor, 256, 1, { ok: true, measurement: measurement([160], []) });
    const [row, floorRow] = table.rows([adapter, floor], [256]);
    expect(row?.vsFloor).toBeCloseTo(1.25, 12);
    expect(row?.split).toEqual(split);
    expect(row?.outsideShare).toBeCloseTo((20 + 15 + 4) / (200 + 4), 12);
    expect(floorRow?.vsFloor).toBeUndefined();
    expect(floorRow?.split).toBeUndefined();
  });

  it('marks a row failed when a repeat failed, keeping the numbers of the repeats that ran', () => {
    const table = new ResultTable();
    const ok = target('reference/float32');
    const broken = target('gpujs/webasm');
    table.add(ok, 64, 1, { ok: true, measurement: measurement([100], [1]) });
    table.add(broken, 64, 1, { ok: false, error: 'kernel compile failed' });
    table.add(broken, 64, 2, { ok: true, measurement: measurement([50], [1]) });
    const other = target('tfjs/cpu');
    table.add(other, 64, 1, { ok: false, error: 'out of memory' });
    const rows = table.rows([ok, broken, other], [64]);
    expect(rows[1]).toMatchObject({ status: 'failed', error: 'kernel compile failed', okRepeats: 1, vsFastest: 1 });
    expect(rows[0]).toMatchObject({ status: 'ok', vsFastest: 2 });
    expect(rows[2]).toMatchObject({ status: 'failed', error: 'out of memory', okRepeats: 0 });
    expect(rows[2]?.epochMs).toBeUndefined();
    expect(table.runs.map((r) => r.status)).toEqual(['ok', 'failed', 'ok', 'failed']);
  });
});
