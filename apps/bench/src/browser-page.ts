import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EngineStatus, XBackendError } from '@xbackend/core';
import {
  builtPageIsCurrent,
  chromiumPath,
  dataDirs,
  NO_CHROMIUM,
  type PageBrowser,
  type ServedPage,
  serveStaticPage,
} from '@xbackend/runs/browser';
import { BROWSER_PREFIX, type BrowserRequest, planBrowserTargets } from './browser-targets.js';
import { drivePage } from './drive-page.js';
import type { BrowserSession } from './measure-browser.js';
import type { DataSpec } from './protocol.js';
import type { TargetPlan } from './targets.js';

/**
 * The playground app of this repository, whose built page the browser rows run. The bench does not import it (apps
 * never import each other): it serves the folder's `dist/`, built by the app's own `build` script.
 */
export const PLAYGROUND_DIR = fileURLToPath(new URL('../../playground/', import.meta.url));

/** The browser the browser rows ran in: the machine of those rows. */
export interface BrowserMachine extends PageBrowser {
  readonly name: string;
  /** As the browser reports it (playwright's `browser.version()`). */
  readonly version: string;
  readonly executable: string;
}

/** How long the page may take to list its engines (it loads every framework once to ask it). */
const LIST_TIMEOUT_MS = 120_000;

function pageError(message: string): XBackendError {
  return new XBackendError('BROWSER_PAGE', message);
}

/** Runs the playground's `build` script (pnpm run build) when its bundle is older than its sources or missing. */
async function ensurePageBuilt(signal: AbortSignal | undefined): Promise<void> {
  if (!existsSync(join(PLAYGROUND_DIR, 'package.json'))) {
    throw pageError(`--browser runs the playground page of the xbackend repository, which is not at ${PLAYGROUND_DIR}.`);
  }
  if (builtPageIsCurrent(PLAYGROUND_DIR)) return;
  const output = await new Promise<{ code: number | null; tail: string; error?: Error }>((resolve) => {
    const child = spawn('pnpm', ['run', 'build'], {
      cwd: PLAYGROUND_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(signal ? { signal } : {}),
    });
    let tail = '';
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-3000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => resolve({ code: null, tail, error }));
    child.on('close', (code) => resolve({ code, tail }));
  });
  signal?.throwIfAborted();
  if (output.code !== 0) {
    throw pageError(
      `Building the playground page (pnpm run build in ${PLAYGROUND_DIR}) failed${output.error ? `: ${output.error.message}` : ` with exit code ${output.code}`}.\n` +
        `${output.tail.trim()}\nHow to fix: run 'pnpm playground build' and fix what it reports.`,
    );
  }
}

/** The engines the page offers in this browser, each with why it cannot run where it cannot, and the browser itself. */
async function listPageEngines(
  chromium: string,
  url: string,
  signal: AbortSignal | undefined,
): Promise<{ statuses: readonly EngineStatus[]; browser: BrowserMachine }> {
  const failure = (reason: string) => pageError(`The playground page could not list its engines: ${reason}`);
  const listed = await drivePage<{ statuses: readonly EngineStatus[]; browser: BrowserMachine } | Error>(
    chromium,
    url,
    (message, version) => {
      if (message.type === 'engines') {
        return { statuses: message.statuses, browser: { name: 'Chromium', version, executable: chromium, ...message.browser } };
      }
      return message.type === 'error' ? failure(message.message) : undefined;
    },
    failure,
    { ...(signal ? { signal } : {}), timeoutMs: LIST_TIMEOUT_MS, timeoutMessage: `no answer within ${LIST_TIMEOUT_MS / 1000} s` },
  );
  if (listed instanceof Error) throw listed;
  return listed;
}

/** The browser rows of a bench: their plan, and what their runs share (none when no row can run). */
export interface BrowserRows {
  readonly plan: TargetPlan;
  readonly session?: BrowserSession;
  readonly browser?: BrowserMachine;
  /** Stops serving the page. */
  close(): Promise<void>;
}

/**
 * Prepares `--browser`: finds headless Chromium (none: every requested row is skipped with how to install it), builds
 * the playground page when its bundle is stale, serves it with the bench's data files (`data.dataDir` alone when given,
 * as the Node runs read it), and plans the rows from the engines the page lists in this browser.
 */
export async function prepareBrowserRows(
  requested: BrowserRequest,
  data: DataSpec,
  examples: BrowserSession['examples'],
  signal?: AbortSignal,
): Promise<BrowserRows> {
  const chromium = chromiumPath();
  if (!chromium) {
    const labels = requested === 'all' ? ['browser'] : requested.map((item) => `${BROWSER_PREFIX}${item}`);
    return { plan: { targets: [], skipped: labels.map((label) => ({ label, reason: NO_CHROMIUM })) }, close: async () => {} };
  }
  await ensurePageBuilt(signal);
  const page: ServedPage = await serveStaticPage(join(PLAYGROUND_DIR, 'dist'), data.dataDir === undefined ? dataDirs() : [data.dataDir]);
  try {
    const { statuses, browser } = await listPageEngines(chromium, page.url, signal);
    const plan = planBrowserTargets(requested, statuses);
    return { plan, session: { chromium, url: page.url, examples }, browser, close: () => page.close() };
  } catch (error) {
    await page.close();
    throw error;
  }
}
