// The page's unattended mode (`?autostart=1&backend=…&warmup=…&epochs=…`): trains as soon as the engines are listed,
// and tells a program driving the page (the bench's browser rows) what happens, through the function it exposed.
import type { EngineStatus } from '@xbackend/core';
import { HARNESS_BINDING, type HarnessMessage, type PageBrowser } from '@xbackend/runs/page-harness';
import type { RunListener } from './training-run.ts';

export type Report = (message: HarnessMessage) => void;

/** The driver's function, or nothing (a person's browser): the page reports to no one. */
export function harnessReport(): Report {
  const exposed = (globalThis as Record<string, unknown>)[HARNESS_BINDING];
  return typeof exposed === 'function' ? (message) => void exposed(message) : () => {};
}

export function pageBrowser(): PageBrowser {
  return { userAgent: navigator.userAgent, hardwareConcurrency: navigator.hardwareConcurrency, crossOriginIsolated };
}

/** The warm-up epochs of an unattended run, or undefined when the URL does not ask for one (`autostart=1`). */
export function unattendedWarmup(query: URLSearchParams): number | undefined {
  if (query.get('autostart') !== '1') return undefined;
  return Number(query.get('warmup') ?? 0);
}

/** What is wrong with the URL's `warmup`, if anything. */
export function warmupProblem(warmup: number): { code: string; message: string } | undefined {
  return Number.isSafeInteger(warmup) && warmup >= 0
    ? undefined
    : { code: 'SETTINGS', message: `warmup must be a whole number >= 0, got ${warmup}` };
}

/** Settings of the URL that the form has no field for, for every run of the page. */
export function runExtras(query: URLSearchParams): { threads?: number; verifyData?: boolean } {
  const threads = query.get('threads');
  return {
    ...(threads === null ? {} : { threads: Number(threads) }),
    ...(query.get('verify') === '0' ? { verifyData: false } : {}),
  };
}

/** Why the engine the URL names cannot run here, or undefined when it can. */
export function cannotRun(wanted: string, statuses: readonly EngineStatus[]): { code: string; message: string } | undefined {
  const status = statuses.find((s) => `${s.backend}/${s.engine}` === wanted);
  if (!status) {
    const known = statuses.map((s) => `${s.backend}/${s.engine}`).join(', ');
    return { code: 'UNKNOWN_ENGINE', message: `This page has no engine '${wanted}'; it has: ${known}.` };
  }
  return status.available ? undefined : { code: 'UNAVAILABLE', message: status.reason ?? 'unavailable in this browser' };
}

/** A run's events as the driver reads them: epochs `1..warmup` are warm-up, the first step of a run compiles. */
export function reportingListener(report: Report, warmup: number): RunListener {
  return {
    onStarted: ({ backend, engine, dtype, details, loadMs }) => report({ type: 'started', backend, engine, dtype, details, loadMs }),
    onBatch: ({ epoch, batch, numBatches, trainLosses }) => report({ type: 'batch', epoch, batch, numBatches, trainLosses }),
    onEpoch: ({ metrics: m, stepMs, evalMs }) =>
      report({
        type: 'epoch',
        record: {
          epoch: m.epoch,
          warmup: m.epoch <= warmup,
          trainLoss: m.trainLoss,
          trainAcc: m.trainAcc,
          testAcc: m.testAcc,
          trainMs: m.seconds * 1000 - evalMs,
          evalMs,
          stepMs,
        },
      }),
    onEnd: (run) => {
      if (run.state === 'done') report({ type: 'done' });
      else report({ type: 'error', code: run.error?.code ?? 'STOPPED', message: run.error?.message ?? `the run ended ${run.state}` });
    },
  };
}
