// Test helper: drives the playground page the way a person would, and reads what it shows and downloads.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import type { RunSettings } from './node-run.ts';

/** The metrics JSON the page offers for download (metrics-file.ts), as far as the tests read it. */
export interface RunRecord {
  readonly backend: string;
  readonly engine: string;
  readonly state: string;
  readonly history: { epoch: number; trainLoss: number; trainAcc: number; testAcc: number; seconds: number }[];
  readonly msPerStep: (number | null)[];
  readonly trainLossCurves: number[][];
  readonly dataOrigins: Record<string, 'network' | 'cache'>;
  readonly parameters: { name: string; shape: number[]; data: number[] }[];
  readonly predictions: { labels: number[]; predicted: number[] };
}

export interface EngineRow {
  readonly engine: string;
  readonly available: boolean;
  readonly reason: string;
}

export async function openPage(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('body[data-state=ready]', { timeout: 60_000 });
}

/** The "Engines in this browser" table: every engine of the registry, with why it is unavailable where it is. */
export function engineRows(page: Page): Promise<EngineRow[]> {
  return page.$$eval('[data-testid=engines] tbody tr', (rows) =>
    rows.map((row) => ({
      engine: row.getAttribute('data-engine') ?? '',
      available: row.getAttribute('data-available') === 'true',
      reason: row.querySelectorAll('td')[2]?.textContent ?? '',
    })),
  );
}

export async function fillSettings(page: Page, backend: string, s: RunSettings): Promise<void> {
  await page.selectOption('[data-testid=backend]', backend);
  await page.fill('[data-testid=batch-size]', String(s.batchSize));
  await page.fill('[data-testid=lr]', String(s.lr));
  await page.fill('[data-testid=epochs]', String(s.epochs));
  await page.fill('[data-testid=seed]', String(s.seed));
}

/** Starts a timer in the page that records the longest gap between its 10 ms ticks. */
export function watchResponsiveness(page: Page): Promise<void> {
  return page.evaluate(() => {
    const w = window as unknown as { gapWatch?: { max: number; ticks: number; timer: number } };
    if (w.gapWatch) clearInterval(w.gapWatch.timer);
    let last = performance.now();
    const watch = { max: 0, ticks: 0, timer: 0 };
    watch.timer = window.setInterval(() => {
      const now = performance.now();
      watch.max = Math.max(watch.max, now - last);
      watch.ticks++;
      last = now;
    }, 10);
    w.gapWatch = watch;
  });
}

/** The longest gap between two ticks of the page's timer since `watchResponsiveness`, and how many ticks there were. */
export function responsiveness(page: Page): Promise<{ maxGapMs: number; ticks: number }> {
  return page.evaluate(() => {
    const watch = (window as unknown as { gapWatch: { max: number; ticks: number; timer: number } }).gapWatch;
    clearInterval(watch.timer);
    return { maxGapMs: watch.max, ticks: watch.ticks };
  });
}

export const RUN_END = '[data-testid=run]:is([data-state=done], [data-state=error], [data-state=stopped])';

/** Presses Train and waits for the run to end; returns its state and, on an error, the message the page shows. */
export async function trainAndWait(page: Page, timeoutMs: number): Promise<{ state: string; error: string }> {
  await page.click('[data-testid=train]');
  const run = await page.waitForSelector(RUN_END, { timeout: timeoutMs });
  const state = (await run.getAttribute('data-state')) ?? '';
  const error = state === 'error' ? ((await page.textContent('[data-testid=error]')) ?? '') : '';
  return { state, error };
}

/** Clicks the page's download link and parses the metrics JSON it saves. */
export async function downloadRecord(page: Page): Promise<RunRecord> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-metrics]')]);
  const path = await download.path();
  return JSON.parse(await readFile(path, 'utf8')) as RunRecord;
}
