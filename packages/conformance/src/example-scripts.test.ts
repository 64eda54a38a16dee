import { describe, expect, it } from 'vitest';
import { type ExampleRun, runExample } from './run-example.js';
import { discoverTargets, ORACLE } from './targets.js';
import { toleranceFor } from './tolerances.js';

const { available } = await discoverTargets();
const results = new Map<string, ExampleRun>();

function summary(run: ExampleRun): string {
  return `exit ${run.code}\n${run.stdout}\n${run.stderr.slice(-2000)}`;
}

/**
 * DESIGN.md's script, unchanged, on every backend and engine on the real data: d2l's own checks run inside
 * trainCh3 (the script exits non-zero if they fail), and the result must match the book (0.447 / 0.848 / 0.829).
 */
describe.each(available)('examples/concise-softmax-regression.ts on %s', (target) => {
  it('trains like the book and agrees with the float64 reference', { timeout: 900_000 }, async () => {
    const run = await runExample('concise-softmax-regression.ts', target);
    results.set(target, run);
    expect(run.code, summary(run)).toBe(0);
    expect(run.trainedOn).toMatch(new RegExp(`^${target} \\(float(32|64)\\)$`));
    expect(run.history).toHaveLength(10);
    const last = run.history.at(-1);
    expect(last?.trainLoss).toBeLessThan(0.46);
    expect(last?.testAcc).toBeGreaterThanOrEqual(0.82);
    const oracle = results.get(ORACLE)?.history.at(-1);
    expect(oracle, 'the oracle runs first').toBeDefined();
    expect(Math.abs((last?.testAcc ?? 0) - (oracle?.testAcc ?? 1))).toBeLessThanOrEqual(toleranceFor(target).finalTestAcc);
  });
});

/**
 * examples/concise-mlp.ts (d2l §4.3: Flatten, Linear(784, 256), ReLU, Linear(256, 10), lr 0.1, 10 epochs) on each
 * backend's first available engine. The book reports test acc ≈ 0.85; epoch-to-epoch noise is ±0.03 here too.
 */
const mlpBackends = [...new Set(available.map((t) => t.split('/')[0] as string))];
describe.each(mlpBackends)('examples/concise-mlp.ts on %s', (backend) => {
  it('trains the MLP through the same script shape', { timeout: 1_800_000 }, async () => {
    const run = await runExample('concise-mlp.ts', backend);
    expect(run.code, summary(run)).toBe(0);
    expect(run.history).toHaveLength(10);
    const last = run.history.at(-1);
    expect(last?.trainLoss).toBeLessThan(0.42);
    expect(last?.testAcc).toBeGreaterThanOrEqual(0.8);
  });
});
