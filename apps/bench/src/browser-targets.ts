import { type EngineStatus, InvalidArgumentError } from '@xbackend/core';
import type { Target, TargetPlan } from './targets.js';

/** Browser rows are named `browser:<backend>/<engine>`, next to the same engine's Node row. */
export const BROWSER_PREFIX = 'browser:';

export function isBrowserLabel(label: string): boolean {
  return label.startsWith(BROWSER_PREFIX);
}

/** What `--browser` asks for: every engine the page offers, or `name` / `name/engine` items. */
export type BrowserRequest = 'all' | readonly string[];

/**
 * Turns `--browser` into rows from the engines the playground page lists in this browser: a name alone stands for
 * each of its engines there; an engine the browser cannot run (webgpu without a GPU adapter) is a skipped row with the
 * page's reason. A name or engine the page does not have is an error before anything runs.
 */
export function planBrowserTargets(requested: BrowserRequest, statuses: readonly EngineStatus[]): TargetPlan {
  const refOf = (s: EngineStatus) => `${s.backend}/${s.engine}`;
  const chosen: EngineStatus[] = [];
  for (const item of requested === 'all' ? statuses.map(refOf) : requested) {
    const matching = statuses.filter((s) => refOf(s) === item || s.backend === item);
    if (matching.length === 0) {
      throw new InvalidArgumentError(
        `--browser item '${item}' is not an engine of the playground page in this browser; it offers ${statuses.map(refOf).join(', ')}.`,
      );
    }
    for (const s of matching) if (!chosen.includes(s)) chosen.push(s);
  }
  const targets: Target[] = [];
  const skipped: TargetPlan['skipped'] = [];
  for (const s of chosen) {
    const label = `${BROWSER_PREFIX}${refOf(s)}`;
    if (s.available) targets.push({ backend: s.backend, engine: s.engine, label, unavailable: [], kind: 'browser', baseline: false });
    else skipped.push({ label, reason: s.reason ?? 'not available in this browser' });
  }
  return { targets, skipped };
}
