/**
 * `--browser`: the same measurement in the playground page in real headless Chromium, next to the Node rows, on tiny
 * fixture data. Without Chromium the tests are explicit skips, unless XB_REQUIRE_ENGINES requires the browser engines
 * every Chromium runs (CI), which makes them failures.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEngineRequirement } from '@xbackend/conformance';
import { chromiumPath, NO_CHROMIUM } from '@xbackend/runs/browser';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BenchReport, BenchRow } from './results.js';
import { FIXTURE_TRAIN, fixtureFlags, readReport, runBenchCli, tempDir } from './test-fixtures.js';
import { BENCH_FILES } from './write-outputs.js';

const EPOCHS = 2;
const BATCH = 64;
const STEPS = Math.ceil(FIXTURE_TRAIN / BATCH);
/**
 * How far tfjs/wasm's final train loss in the browser may be from the Node reference/float32 row's, relative: 10× the
 * 1.97e-8 measured here (XNNPACK's float32 sums in another order than the reference's float64 ones).
 */
const FLOAT32_KERNELS = 2e-7;

const browser = chromiumPath();
const requirement = parseEngineRequirement(process.env.XB_REQUIRE_ENGINES);
const required = requirement.requires('tfjs', 'wasm');

describe('xbackend-bench --browser: bad combinations are usage errors before anything runs', () => {
  it.each([
    [['--train-examples', '100'], '--browser runs the playground page on the whole data set'],
    [['--init-std', '0.1'], "--browser runs the book's script, which initialises with N(0, 0.01)"],
    [
      ['--inject-fault', 'browser:tfjs/wasm=throw'],
      "--inject-fault makes a child process fail, and 'browser:tfjs/wasm' runs in a browser, not in a child process.",
    ],
  ])('--browser with %j', async (extra, message) => {
    const run = await runBenchCli([...(await fixtureFlags()), '--backends', 'reference/float32', '--no-baselines', '--browser', ...extra]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});

if (!browser) {
  describe('xbackend-bench --browser in headless Chromium', () => {
    if (required) {
      it(`needs headless Chromium (${requirement.source})`, () => {
        throw new Error(`${requirement.source} requires the browser engines, but there is ${NO_CHROMIUM}`);
      });
    } else it.skip(`skipped: ${NO_CHROMIUM}`, () => {});
  });
} else {
  describe('xbackend-bench --browser in headless Chromium', () => {
    let out: string;
    let report: BenchReport;
    const row = (target: string): BenchRow => {
      const found = report.rows.find((r) => r.target === target);
      if (!found) throw new Error(`no row ${target}: ${report.rows.map((r) => r.target).join(', ')}`);
      return found;
    };

    beforeAll(async () => {
      out = await tempDir();
      const run = await runBenchCli([
        ...(await fixtureFlags()),
        '--backends',
        'reference/float32',
        '--no-baselines',
        '--browser',
        'reference/float32,tfjs/wasm,tfjs/webgpu',
        '--epochs',
        String(EPOCHS),
        '--batch-sizes',
        String(BATCH),
        '--out',
        out,
      ]);
      if (run.code !== 0) throw new Error(`bench failed (${run.code}):\n${run.stderr}`);
      report = await readReport(out);
    }, 300_000);

    it('adds a browser:<backend>/<engine> row per engine, with the columns of the Node rows that apply', () => {
      expect(report.rows.map((r) => r.target).slice(0, 3)).toEqual(['reference/float32', 'browser:reference/float32', 'browser:tfjs/wasm']);
      for (const target of ['browser:reference/float32', 'browser:tfjs/wasm']) {
        const r = row(target);
        expect(r.status, r.error).toBe('ok');
        expect(r.kind).toBe('browser');
        expect(r.engine).toBe(target.split('/')[1]);
        expect(r.epochMs?.count).toBe(EPOCHS);
        expect(r.samplesPerSecond).toBeCloseTo(FIXTURE_TRAIN / ((r.epochMs?.median as number) / 1000), 6);
        expect(r.stepMs?.count).toBe(EPOCHS * STEPS); // every step of the measured epochs, none of the warm-up's
        expect(r.stepMs?.p50).toBeGreaterThan(0);
        expect(r.firstStepMs).toBeGreaterThan(0);
        expect(r.evalMs).toBeGreaterThan(0);
        expect(r.trainMs).toBeGreaterThan(0);
        expect(r.buildMs).toBeGreaterThan(0);
        expect(r.peakRssBytes).toBeUndefined();
        expect(r.split).toBeUndefined();
        expect(r.vsReference).toBeGreaterThan(0);
      }
      const run = report.runs.find((r) => r.target === 'browser:tfjs/wasm')?.measurement;
      expect(run?.epochs.map((e) => e.warmup)).toEqual([true, ...Array(EPOCHS).fill(false)]);
      expect(run?.numBatches).toBe(STEPS);
    });

    it("trains on the same batches from the same weights as Node: the final loss is the Node row's", () => {
      const node = row('reference/float32').trainLoss as number;
      const relative = (target: string) => Math.abs((row(target).trainLoss as number) - node) / node;
      console.log(
        `final train loss vs Node reference/float32: ${['browser:reference/float32', 'browser:tfjs/wasm'].map((t) => `${t} ${relative(t).toExponential(2)}`).join(', ')}`,
      );
      // The same JavaScript (float32 storage, float64 sums) run by V8 in the page and in Node: bit for bit the same.
      expect(row('browser:reference/float32').trainLoss).toBe(row('reference/float32').trainLoss);
      expect(relative('browser:tfjs/wasm')).toBeLessThanOrEqual(FLOAT32_KERNELS);
      expect(row('browser:reference/float32').testAcc).toBe(row('reference/float32').testAcc);
    });

    it("an engine the browser cannot run is a skipped row with the page's reason (webgpu without a GPU adapter)", () => {
      const skipped = report.skipped.find((s) => s.label === 'browser:tfjs/webgpu');
      const ran = report.rows.find((r) => r.target === 'browser:tfjs/webgpu');
      expect(Boolean(skipped) !== Boolean(ran)).toBe(true);
      if (skipped) expect(skipped.reason).toMatch(/WebGPU.*; use /);
    });

    it('records the browser as the machine of those rows and shows them in REPORT.md and the chart', async () => {
      const b = report.machine.browser;
      expect(b?.version).toMatch(/^\d+\.\d+/);
      expect(b?.userAgent).toContain(`Chrome/${b?.version}`);
      expect(b?.crossOriginIsolated).toBe(true);
      expect(b?.hardwareConcurrency).toBeGreaterThan(0);
      const markdown = await readFile(join(out, BENCH_FILES.markdown), 'utf8');
      expect(markdown).toMatch(
        /\| browser:tfjs\/wasm \| [\d.]+ \([\d.]+–[\d.]+\) \| [\d,]+ \| [\d.]+ \/ [\d.]+ \| [\d.]+ \| [\d.]+ \| — \| [\d.]+ \| [\d.]+ \|/,
      );
      expect(markdown).toContain(`Rows \`browser:…\`: the playground page in Chromium ${b?.version}`);
      expect(markdown).toContain(`| user agent | ${b?.userAgent} |`);
      if (report.skipped.length > 0) expect(markdown).toMatch(/\| browser:tfjs\/webgpu \| not run: /);
      expect(await readFile(join(out, BENCH_FILES.epochChart), 'utf8')).toContain('browser:tfjs/wasm');
    });

    it('a name the page does not offer is a usage error that lists what it offers', async () => {
      const run = await runBenchCli([
        ...(await fixtureFlags()),
        '--backends',
        'reference/float32',
        '--no-baselines',
        '--browser',
        'tfjs/nope',
      ]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /--browser item 'tfjs\/nope' is not an engine of the playground page in this browser; it offers .*tfjs\/wasm/,
      );
    }, 120_000);

    it('a browser run that exceeds --run-timeout is a failed row, and the report is still written', async () => {
      const dir = await tempDir();
      const run = await runBenchCli([
        ...(await fixtureFlags()),
        '--backends',
        'reference/float32',
        '--no-baselines',
        '--browser',
        'tfjs/cpu',
        '--batch-sizes',
        String(BATCH),
        '--run-timeout',
        '0.3',
        '--out',
        dir,
      ]);
      expect(run.code).toBe(1);
      const failed = await readReport(dir);
      const browserRow = failed.rows.find((r) => r.target === 'browser:tfjs/cpu');
      expect(browserRow?.status).toBe('failed');
      expect(browserRow?.error).toBe('timed out after 0.3 s (--run-timeout); the browser was closed');
    }, 120_000);
  });
}
