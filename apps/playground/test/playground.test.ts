/**
 * The built playground in real headless Chromium: the book's model for one epoch, and LeNet's first steps, on every
 * engine the browser offers, compared with the same seed's run in Node; the data's error, cache and Stop;
 * responsiveness; the race view.
 * What must run follows XB_REQUIRE_ENGINES (conformance's engine requirement): an unavailable engine, or Chromium
 * itself, is an explicit skip with the reason unless required (CI), where it fails instead.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  BROWSER_CHECK_NAMES,
  MAX_TOLERANCE_FACTOR,
  maxRelativeError,
  parseEngineRequirement,
  toleranceProblems,
  updateError,
} from '@xbackend/conformance';
import { FASHION_MNIST_FILES, SYSTEM_DATASET_DIR } from '@xbackend/datasets';
import { chromiumPath, HARNESS_BINDING, type HarnessMessage, launchChromium, NO_CHROMIUM, unattendedQuery } from '@xbackend/runs/browser';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_TOLERANCES } from './browser-tolerances.ts';
import { APP_ROOT, ensureBuilt, servePage } from './built-page.ts';
import { type RunSettings, runInNode, type ScriptRun } from './node-run.ts';
import {
  downloadRecord,
  engineRows,
  fillSettings,
  openPage,
  RUN_END,
  type RunRecord,
  responsiveness,
  trainAndWait,
  watchResponsiveness,
} from './page-driver.ts';

/** d2l's settings, one epoch: enough to compare every step's loss and the weights it ends with. */
const BOOK: RunSettings = { batchSize: 256, lr: 0.1, epochs: 1, seed: 0 };
/** The Node side of each comparison: the float64 reference, as the conformance suite uses it. */
const ORACLE_BACKEND = 'reference/float64';
/** Engines that every Chromium with WebAssembly and WebGL (SwiftShader included) runs: requiring one requires Chromium. */
const EVERYWHERE = ['onnxruntime/wasm', 'tfjs/wasm', 'tfjs/webgl', 'gpujs/webgl2'];
/** The page must keep running its timers while a worker trains: no gap between 10 ms ticks above this. */
const MAX_TIMER_GAP_MS = 100;
/**
 * Whose run the timer is held to: JavaScript kernels, which would freeze the page for the whole epoch on the main
 * thread. Every run logs its longest gap; GPU engines share SwiftShader's GPU process with the page's own drawing,
 * and on a loaded 2-core machine that alone delays the page's frames by 100 ms now and then.
 */
const RESPONSIVENESS_ENGINE = 'tfjs/cpu';
/** LeNet as §7.6 trains it (lr 0.9), compared step by step for its first LENET_STEPS steps. */
const LENET: RunSettings = { model: 'lenet', batchSize: 64, lr: 0.9, epochs: 1, seed: 0 };
const LENET_STEPS = 3;
/** CI keeps this folder: the screenshot and each run's metrics JSON. */
const OUTPUT_DIR = join(APP_ROOT, 'test-output');

const browserPath = chromiumPath();
const requirement = parseEngineRequirement(process.env.XB_REQUIRE_ENGINES);
const required = (ref: string): boolean => requirement.requires(...(ref.split('/') as [string, string]));

let browser: Browser | undefined;
let page: Page | undefined;
let site: Awaited<ReturnType<typeof servePage>> | undefined;
let engines: Awaited<ReturnType<typeof engineRows>> = [];

if (browserPath) {
  await ensureBuilt();
  site = await servePage();
  browser = await launchChromium(browserPath);
  page = await browser.newPage({ viewport: { width: 1200, height: 900 }, acceptDownloads: true });
  await openPage(page, site.url);
  engines = await engineRows(page);
}

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

function ready(): { page: Page; site: NonNullable<typeof site>; browser: Browser } {
  if (!page || !site || !browser) throw new Error('internal: the browser was not started');
  return { page, site, browser };
}

async function keep(name: string, content: string | Buffer): Promise<void> {
  await mkdir(OUTPUT_DIR, { recursive: true });
  await writeFile(join(OUTPUT_DIR, name), content);
}

let oracle: Promise<ScriptRun> | undefined;
const nodeOracle = (): Promise<ScriptRun> => {
  oracle ??= runInNode(ORACLE_BACKEND, BOOK);
  return oracle;
};
let lenetRun: Promise<ScriptRun> | undefined;
const lenetOracle = (): Promise<ScriptRun> => {
  lenetRun ??= runInNode(ORACLE_BACKEND, LENET, LENET_STEPS);
  return lenetRun;
};

/** Runs the book's settings on `backend` in the page and returns the metrics JSON it offers. */
async function trainOnPage(p: Page, backend: string, settings: RunSettings = BOOK): Promise<RunRecord & { maxGapMs: number }> {
  await fillSettings(p, backend, settings);
  await watchResponsiveness(p);
  const { state, error } = await trainAndWait(p, 300_000);
  const { maxGapMs } = await responsiveness(p);
  expect(error).toBe('');
  expect(state).toBe('done');
  return { ...(await downloadRecord(p)), maxGapMs };
}

if (!browserPath) {
  describe('the playground in headless Chromium', () => {
    const needed = EVERYWHERE.filter(required);
    if (needed.length > 0) {
      it(`needs headless Chromium (${requirement.source} requires ${needed.join(', ')})`, () => {
        throw new Error(`${requirement.source} requires browser engines, but there is ${NO_CHROMIUM}`);
      });
    } else {
      it.skip(`skipped: ${NO_CHROMIUM}`, () => {});
    }
  });
}

if (browserPath) {
  describe('the playground in headless Chromium', () => {
    it('lists every engine of the registry, each unavailable one with its reason', () => {
      expect(engines.map((e) => e.engine)).toEqual(
        expect.arrayContaining([
          'tfjs/webgl',
          'tfjs/wasm',
          'tfjs/cpu',
          'onnxruntime/wasm',
          'gpujs/webgl2',
          'gpujs/webgl',
          'tfjs/webgpu',
          'onnxruntime/webgpu',
        ]),
      );
      for (const e of engines.filter((row) => !row.available)) expect(e.reason, e.engine).toMatch(/\w{3,}.*; use /);
    });

    describe('one epoch of the book on each engine, against the same seed in Node (float64 reference)', () => {
      beforeAll(() => nodeOracle(), 120_000);

      it(`every tolerance has its reason and measurement, and is at most ${MAX_TOLERANCE_FACTOR}× that measurement`, () => {
        expect(Object.keys(BROWSER_TOLERANCES).length).toBeGreaterThanOrEqual(8);
        for (const [engine, t] of Object.entries(BROWSER_TOLERANCES)) {
          expect(toleranceProblems(t, BROWSER_CHECK_NAMES), engine).toEqual([]);
        }
      });

      for (const { engine, available, reason } of engines) {
        // E.g. the webgpu engines where the only WebGPU adapter is SwiftShader's fallback: never silently passed.
        if (!available && !required(engine)) {
          it.skip(`${engine}: not available here (${reason})`, () => {});
          continue;
        }
        const responsive = engine === RESPONSIVENESS_ENGINE ? `; a 10 ms timer in the page keeps firing within ${MAX_TIMER_GAP_MS} ms` : '';
        it(`${engine}: same train-loss curve, weights and test accuracy as Node${responsive}`, async () => {
          expect(available, `${engine} is unavailable: ${reason}`).toBe(true);
          const tolerance = BROWSER_TOLERANCES[engine];
          const record = await trainOnPage(ready().page, engine);
          await keep(`${engine.replace('/', '-')}.metrics.json`, JSON.stringify(record));
          const node = await nodeOracle();
          const curve = maxRelativeError(record.trainLossCurves[0] ?? [], node.curve);
          const weights = updateError(
            record.parameters.map((p) => ({ ...p, data: Float64Array.from(p.data) })),
            node.trained,
            node.start,
          );
          const testAcc = Math.abs((record.history[0]?.testAcc ?? 0) - (node.history[0]?.testAcc ?? 0));
          console.log(
            `${engine}: curve ${curve.toExponential(3)}, weights ${weights.toExponential(3)}, test acc ${testAcc}, ` +
              `timer gap ${record.maxGapMs.toFixed(0)} ms, ${record.msPerStep[0]?.toFixed(1)} ms/step`,
          );
          expect(tolerance, `no measured tolerance for ${engine}: measure it and add it to its adapter's BROWSER_TOLERANCES`).toBeDefined();
          if (!tolerance) return;
          expect(curve).toBeLessThanOrEqual(tolerance.checks.epochCurve.max);
          expect(weights).toBeLessThanOrEqual(tolerance.checks.epochWeights.max);
          expect(testAcc).toBeLessThanOrEqual(tolerance.checks.testAcc.max);
          if (responsive) expect(record.maxGapMs).toBeLessThan(MAX_TIMER_GAP_MS);
        }, 360_000);
      }
    });

    it('shows the finished run: curves, predict_ch3 grid with true and predicted labels (screenshot kept)', async () => {
      const { page: p } = ready();
      const predictions = p.locator('[data-testid=predictions] figure');
      expect(await predictions.count()).toBe(18);
      expect(await p.locator('[data-testid=predictions] .true-label').first().textContent()).toBe('ankle boot');
      expect(await p.locator('[data-testid=epochs] tbody tr').count()).toBe(1);
      expect(await p.locator('svg.animator path[data-series="test acc"]').getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+$/);
      await keep('playground.png', await p.screenshot({ fullPage: true }));
    });

    it('Stop ends a run at once and the page offers Train again', async () => {
      const { page: p } = ready();
      await fillSettings(p, 'gpujs/webgl2', { ...BOOK, epochs: 3 });
      await p.click('[data-testid=train]');
      await p.waitForFunction(() => Number(document.querySelector<HTMLProgressElement>('[data-testid=epoch-progress]')?.value) >= 5, null, {
        timeout: 120_000,
      });
      await p.click('[data-testid=stop]');
      await p.waitForSelector('[data-testid=run][data-state=stopped]', { timeout: 5000 });
      const label = await p.textContent('[data-testid=progress-label]');
      await p.waitForTimeout(1500);
      expect(await p.textContent('[data-testid=progress-label]')).toBe(label);
      expect(await p.textContent('[data-testid=status]')).toMatch(/^stopped gpujs\/webgl2 after 0 epoch/);
      expect(await p.isEnabled('[data-testid=train]')).toBe(true);
      expect(await p.isDisabled('[data-testid=stop]')).toBe(true);
    }, 180_000);

    it('races two engines on the same seed: steps per second for each, their weights within float32 distance', async () => {
      const { page: p } = ready();
      await fillSettings(p, 'tfjs/wasm', { ...BOOK, batchSize: 1024 });
      await p.click('.race-picker summary');
      for (const box of await p.locator('[data-testid=race-choices] input').all()) await box.setChecked(false);
      await p.check('#race-tfjs-wasm');
      await p.check('#race-onnxruntime-wasm');
      await p.click('[data-testid=race-button]');
      await p.waitForSelector('[data-testid=race][data-state=done]', { timeout: 240_000 });
      const speeds = await p.locator('[data-testid=race] [data-testid=steps-per-second]').allInnerTexts();
      expect(speeds.map(Number).every((v) => v > 0)).toBe(true);
      const distance = Number(await p.textContent('[data-pair="tfjs/wasm|onnxruntime/wasm"]'));
      console.log(`race distance tfjs/wasm vs onnxruntime/wasm: ${distance}`);
      expect(distance).toBeGreaterThan(0);
      expect(distance).toBeLessThan(1e-4);
    }, 300_000);
  });

  describe('LeNet (d2l §7.6) on the page', () => {
    let context: BrowserContext | undefined;
    afterAll(() => context?.close());

    /** A page of its own, so that no earlier test has typed into its fields; `report` hears what the page tells its driver. */
    async function freshPage(query = '', report?: (message: HarnessMessage) => void): Promise<Page> {
      await context?.close();
      context = await ready().browser.newContext();
      const p = await context.newPage();
      if (report) await p.exposeFunction(HARNESS_BINDING, report);
      await openPage(p, `${ready().site.url}${query}`);
      return p;
    }

    it("the lr follows the picked model's book value until the user sets it", async () => {
      const p = await freshPage();
      const lr = () => p.inputValue('[data-testid=lr]');
      expect(await p.inputValue('[data-testid=model]')).toBe('softmax');
      expect(await lr()).toBe('0.1');
      await p.selectOption('[data-testid=model]', 'lenet');
      expect(await lr()).toBe('0.9');
      await p.selectOption('[data-testid=model]', 'mlp');
      expect(await lr()).toBe('0.1');
      await p.fill('[data-testid=lr]', '0.5');
      await p.selectOption('[data-testid=model]', 'lenet');
      expect(await lr()).toBe('0.5');
    });

    /** Starts `?autostart=1&model=lenet` on `engine` and returns the running train loss of its first LENET_STEPS steps. */
    async function lenetSteps(engine: string): Promise<{ page: Page; losses: number[] }> {
      const losses: number[] = [];
      let settle: (failure?: string) => void = () => {};
      const reached = new Promise<string | undefined>((resolve) => {
        settle = resolve;
      });
      const query = unattendedQuery({ backend: engine, ...LENET, warmupEpochs: 0 });
      const p = await freshPage(query, (message) => {
        if (message.type === 'batch') losses.push(...message.trainLosses);
        if (message.type === 'error') settle(`${message.code}: ${message.message}`);
        if (losses.length >= LENET_STEPS) settle();
      });
      const failure = await reached;
      expect(failure).toBeUndefined();
      return { page: p, losses: losses.slice(0, LENET_STEPS) };
    }

    describe(`its first ${LENET_STEPS} steps on each engine, against the same seed in Node (float64 reference)`, () => {
      beforeAll(() => lenetOracle(), 120_000);

      for (const { engine, available, reason } of engines) {
        if (!available && !required(engine)) {
          it.skip(`${engine}: not available here (${reason})`, () => {});
          continue;
        }
        it(`${engine}: ?autostart=1&model=lenet shows LeNet's script and trains it: the running loss of every step is Node's, the first included`, async () => {
          expect(available, `${engine} is unavailable: ${reason}`).toBe(true);
          const started = performance.now();
          const { page: p, losses } = await lenetSteps(engine);
          const seconds = (performance.now() - started) / 1000;
          const node = await lenetOracle();
          const error = maxRelativeError(losses, node.curve);
          const first = maxRelativeError(losses.slice(0, 1), node.curve.slice(0, 1));
          const msPerStep = await p.textContent('[data-testid=ms-per-step]');
          console.log(
            `LeNet on ${engine}: first ${LENET_STEPS} steps ${error.toExponential(3)}, first step ${first.toExponential(3)}, ` +
              `${msPerStep}, ${seconds.toFixed(1)} s in all`,
          );
          const tolerance = BROWSER_TOLERANCES[engine]?.checks.lenetSteps;
          expect(tolerance, `no measured tolerance for ${engine}: measure it and add it to its adapter's BROWSER_TOLERANCES`).toBeDefined();
          expect(error).toBeLessThanOrEqual(tolerance?.max ?? 0);
          expect(await p.textContent('[data-testid=error]')).toBe('');
          expect(await p.textContent('[data-testid=status]')).toMatch(new RegExp(`^training on ${engine} \\(float(32|64)\\)$`));
          const script = (await p.textContent('[data-testid=script] code')) ?? '';
          for (const line of [
            '  nn.Conv2d(1, 6, { kernelSize: 5, padding: 2 }),',
            '  nn.AvgPool2d({ kernelSize: 2, stride: 2 }),',
            '  nn.Linear(84, 10),',
            'net.apply(init.xavierUniform());',
            `{ lr: ${LENET.lr} }`,
          ]) {
            expect(script).toContain(line);
          }
          await p.click('[data-testid=stop]');
          await p.waitForSelector('[data-testid=run][data-state=stopped]', { timeout: 5000 });
        }, 180_000);
      }
    });
  });

  describe('the data in the browser', () => {
    let context: BrowserContext | undefined;
    let temp: string | undefined;
    afterAll(async () => {
      await context?.close();
      if (temp) await rm(temp, { recursive: true, force: true });
    });

    it('a reload reads the four files from Cache Storage, not from the server', async () => {
      const { browser: b } = ready();
      const fresh = await servePage(); // a new port: a new origin with an empty cache
      context = await b.newContext({ acceptDownloads: true });
      try {
        const p = await context.newPage();
        await openPage(p, fresh.url);
        // One step per epoch: the run is about the data, not the training.
        const settings = { ...BOOK, batchSize: 60_000 };
        const first = await trainOnPage(p, 'tfjs/wasm', settings);
        expect(Object.values(first.dataOrigins)).toEqual(['network', 'network', 'network', 'network']);
        const fetched = fresh.dataRequests();
        expect(fetched).toBe(4);
        await p.reload();
        await p.waitForSelector('body[data-state=ready]');
        const again = await trainOnPage(p, 'tfjs/wasm', settings);
        expect(Object.values(again.dataOrigins)).toEqual(['cache', 'cache', 'cache', 'cache']);
        expect(fresh.dataRequests()).toBe(fetched);
        expect(again.history.map((h) => h.trainLoss)).toEqual(first.history.map((h) => h.trainLoss));
      } finally {
        await fresh.close();
      }
    }, 240_000);

    it('a missing file and a corrupt file each show an error on the page that names the file and the fix', async () => {
      const { browser: b } = ready();
      temp = await mkdtemp(join(tmpdir(), 'xb-playground-data-'));
      const missing = join(temp, 'missing');
      const corrupt = join(temp, 'corrupt');
      await mkdir(missing);
      await mkdir(corrupt);
      for (const file of FASHION_MNIST_FILES) {
        if (file !== 'train-images-idx3-ubyte') await symlink(join(SYSTEM_DATASET_DIR, `${file}.gz`), join(missing, `${file}.gz`));
        if (file !== 't10k-labels-idx1-ubyte') await symlink(join(SYSTEM_DATASET_DIR, `${file}.gz`), join(corrupt, `${file}.gz`));
      }
      // A label file of the right size whose content is not Fashion-MNIST's: only the SHA-256 can tell.
      const labels = Buffer.alloc(10_008);
      labels.writeUInt32BE(0x801, 0);
      labels.writeUInt32BE(10_000, 4);
      await writeFile(join(corrupt, 't10k-labels-idx1-ubyte.gz'), gzipSync(labels));
      const cases = [
        {
          dir: missing,
          expected: /train-images-idx3-ubyte\.gz was not found on the server \(HTTP 404\)[\s\S]*How to fix:[\s\S]*dataset-fashion-mnist/,
        },
        { dir: corrupt, expected: /t10k-labels-idx1-ubyte\) is corrupt[\s\S]*SHA-256[\s\S]*How to fix:/ },
      ];
      for (const { dir, expected } of cases) {
        const server = await servePage(dir);
        context = await b.newContext();
        try {
          const p = await context.newPage();
          await openPage(p, server.url);
          await fillSettings(p, 'tfjs/cpu', BOOK);
          const { state, error } = await trainAndWait(p, 60_000);
          expect(state).toBe('error');
          expect(error).toMatch(expected);
          expect(await p.textContent('[data-testid=status]')).toMatch(/failed \(DATASET\)/);
          expect(await p.locator(RUN_END).count()).toBe(1);
        } finally {
          await context.close();
          context = undefined;
          await server.close();
        }
      }
    }, 120_000);
  });
}
