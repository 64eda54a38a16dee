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
