import { describe, expect, it } from 'vitest';
import type { CheckName } from './check.js';
import { PARITY_CHECKS } from './checks.js';
import type { EngineRef } from './engine-ref.js';
import { REFERENCE_TOLERANCES } from './reference-tolerances.js';
import { control, MUTANTS, type Mutant, toFloat16 } from './test-mutants.js';

/** The check that catches each broken backend (others may catch it too; this one must). */
const CAUGHT_BY: Readonly<Record<keyof typeof MUTANTS, CheckName>> = {
  weightDecayIgnored: 'sgdStep',
  biasGradientTimesBatchSize: 'sgdStep',
  softmaxWithoutMaxSubtraction: 'extremeLogits',
  labelsOffByOneInLastPartialBatch: 'trajectory',
  lastPartialBatchDropped: 'trajectory',
  updateInFloat16: 'sgdStep',
  convolutionNotCrossCorrelation: 'lenetLogits',
};

/** The mutants wrap reference/float32, so they are held to its tolerances. */
const tolerances = REFERENCE_TOLERANCES.float32;
if (!tolerances) throw new Error('reference-tolerances.ts states no tolerances for float32');

function maxOf(name: CheckName): number {
  const max = tolerances?.checks[name]?.max;
  if (max === undefined) throw new Error(`reference-tolerances.ts states no float32 tolerance for ${name}`);
  return max;
}

function measure(mutant: Mutant, name: CheckName): Promise<number> {
  const check = PARITY_CHECKS.find((c) => c.name === name);
  if (!check) throw new Error(`no check ${name}`);
  const ref: EngineRef = { adapter: mutant.adapter, engine: 'float32' };
  return check.measure(ref);
}

describe('mutation tests: a deliberately broken backend fails the parity suite', () => {
  it('rounds to float16 as IEEE half precision does', () => {
    expect([1, 1 + 2 ** -12, 1 + 2 ** -10, 65504, 65520, 2 ** -24, 2 ** -26, 0.1].map(toFloat16)).toEqual([
      1,
      1,
      1 + 2 ** -10,
      65504,
      Number.POSITIVE_INFINITY,
      2 ** -24,
      0,
      0.0999755859375,
    ]);
  });

  for (const name of [...new Set(Object.values(CAUGHT_BY))]) {
    it(`the unbroken wrapper passes ${name} (so a mutant fails because of its mutation)`, { timeout: 300_000 }, async () => {
      expect(await measure(control, name)).toBeLessThanOrEqual(maxOf(name));
    });
  }

  for (const [key, mutant] of Object.entries(MUTANTS) as [keyof typeof MUTANTS, Mutant][]) {
    const name = CAUGHT_BY[key];
    it(`${mutant.name}: fails ${name}`, { timeout: 300_000 }, async () => {
      const measured = await measure(mutant, name);
      expect(measured, `${mutant.name} measures ${measured} in ${name}, within its tolerance ${maxOf(name)}`).toBeGreaterThan(maxOf(name));
    });
  }
});
