import type { BackendAdapter, BackendOptions, EngineFactory } from '@xbackend/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckName } from './check.js';
import { PARITY_CHECKS } from './checks.js';
import { describeEachEngine } from './describe-each-engine.js';
import type { EngineRef } from './engine-ref.js';
import type { EngineRequirement } from './engine-requirement.js';
import { isOracle } from './oracle.js';
import { type CheckRecord, parityDir, writeEngineRecord } from './parity-record.js';
import { type BackendTolerances, MAX_TOLERANCE_FACTOR, type Tolerance, toleranceProblems } from './tolerance.js';
import { trainLoopTests } from './train-loop-suite.js';

export interface DescribeBackendOptions {
  /** Per engine: how far it may be from the float64 reference in each check, measured, with the reason. */
  readonly tolerances: BackendTolerances;
  /** The engines to test (default: every engine of the adapter). */
  readonly engines?: readonly string[];
  /** Passed to every `loadBackend` of the suite, e.g. `{ threads: 1 }`. */
  readonly backendOptions?: BackendOptions;
  /** Which unavailable engines fail rather than skip (default: XB_REQUIRE_ENGINES). */
  readonly requirement?: EngineRequirement;
  /**
   * Checks this adapter does not run, each with the reason (e.g. the LeNet checks for an adapter without Conv2d). Each
   * stays in the test list as a skipped test that gives the reason; its tolerance may be left out.
   */
  readonly skip?: Readonly<Partial<Record<CheckName, string>>>;
}

/** Long enough for the slowest engine's epoch or MLP run on a busy 2-core machine. */
const CHECK_TIMEOUT_MS = 600_000;

/**
 * The conformance suite of an adapter, as one vitest call in the adapter's own tests: for every engine, each parity
 * check against the float64 reference (with the engine's tolerance) and d2l's training loop. Engines that cannot
 * run here are skipped with the reason, or fail where XB_REQUIRE_ENGINES requires them.
 */
export function describeBackend(adapter: BackendAdapter, options: DescribeBackendOptions): void {
  describeEachEngine(adapter, `${adapter.name} conformance`, (engine) => describeEngine(adapter, engine, options), options);
}

function describeEngine(adapter: BackendAdapter, engine: EngineFactory, options: DescribeBackendOptions): void {
  const ref: EngineRef = { adapter, engine: engine.name, ...(options.backendOptions ? { options: options.backendOptions } : {}) };
  const label = `${adapter.name}/${engine.name}`;
  if (isOracle(adapter.name, engine.name)) {
    it('is the float64 oracle itself: never compared with itself (checked by finite differences and the book instead)', () => {
      throw new Error(`${label} is the oracle; leave it out of describeBackend with the 'engines' option.`);
    });
    return;
  }
  const tolerances = options.tolerances[engine.name];
  const checks = PARITY_CHECKS.filter((c) => options.skip?.[c.name] === undefined);
  if (tolerances) {
    it(`states a tolerance for every check, each at most ${MAX_TOLERANCE_FACTOR}× its measured error, with the reason`, () => {
      expect(
        toleranceProblems(
          tolerances,
          checks.map((c) => c.name),
        ),
      ).toEqual([]);
    });
  } else {
    // The checks below still run, so that each failure reports the measurement to state.
    it('has a tolerance table', () => {
      throw new Error(`No tolerances are stated for ${label}: add '${engine.name}' to the adapter's src/tolerances.ts.`);
    });
  }

  describe('parity with the float64 reference', () => {
    const records: CheckRecord[] = [];
    for (const check of PARITY_CHECKS) {
      const skipped = options.skip?.[check.name];
      if (skipped !== undefined) {
        it.skip(`${check.title} — not run: ${skipped}`, () => {});
        continue;
      }
      it(check.title, { timeout: CHECK_TIMEOUT_MS }, async () => {
        const tolerance = tolerances?.checks[check.name];
        let measured: number;
        try {
          measured = await check.measure(ref);
        } catch (error) {
          if (tolerance) records.push(recordOf(check.name, tolerance, null, error));
          throw error;
        }
        const relativeTo = `relative to ${check.relativeTo}`;
        if (!tolerance) throw new Error(`${label} ${check.name}: measured ${measured} (${relativeTo}); no tolerance is stated.`);
        records.push(recordOf(check.name, tolerance, measured));
        expect(
          measured,
          `${label} ${check.name}: measured error ${measured} (${relativeTo}) exceeds the tolerance ${tolerance.max}`,
        ).toBeLessThanOrEqual(tolerance.max);
      });
    }
    afterAll(async () => {
      const dir = parityDir();
      if (!dir || !tolerances || records.length === 0) return;
      const order = PARITY_CHECKS.map((c) => c.name);
      records.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
      await writeEngineRecord(dir, {
        backend: adapter.name,
        engine: engine.name,
        description: engine.description,
        reason: tolerances.reason,
        measuredOn: tolerances.measuredOn,
        checks: records,
      });
    });
  });

  describe("d2l's training loop (trainCh3)", () => trainLoopTests(ref));
}

function recordOf(name: CheckName, tolerance: Tolerance, measured: number | null, error?: unknown): CheckRecord {
  const check = PARITY_CHECKS.find((c) => c.name === name);
  return {
    name,
    title: check?.title ?? name,
    relativeTo: check?.relativeTo ?? '',
    measured,
    max: tolerance.max,
    toleranceMeasured: tolerance.measured,
    ...(tolerance.reason ? { reason: tolerance.reason } : {}),
    ...(error === undefined ? {} : { error: error instanceof Error ? error.message : String(error) }),
  };
}
