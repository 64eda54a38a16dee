import type { TrainingRun } from './training-run.ts';

/** A run as JSON: what it ran on, its settings, the per-epoch metrics, every batch's running loss and the weights. */
export function runRecord(run: TrainingRun): Record<string, unknown> {
  return {
    source: 'xbackend playground',
    backend: run.info?.backend,
    engine: run.info?.engine,
    dtype: run.info?.dtype,
    details: run.info?.details,
    config: run.config,
    state: run.state,
    ...(run.error ? { error: run.error } : {}),
    startedAt: run.startedAt.toISOString(),
    browser: { userAgent: navigator.userAgent, hardwareConcurrency: navigator.hardwareConcurrency, crossOriginIsolated },
    dataOrigins: run.dataOrigins,
    history: run.history,
    msPerStep: run.msPerStep,
    trainLossCurves: run.curves,
    predictions: run.predictions ? { labels: run.predictions.labels, predicted: run.predictions.predicted } : undefined,
    parameters: run.parameters?.map((p) => ({ name: p.name, shape: p.shape, data: Array.from(p.data) })),
  };
}

/** A link that downloads the run's record (a blob URL, so nothing leaves the page). */
export function downloadLink(run: TrainingRun): HTMLAnchorElement {
  const blob = new Blob([JSON.stringify(runRecord(run), null, 1)], { type: 'application/json' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  const name = `${run.info?.backend ?? 'run'}-${run.info?.engine ?? ''}-seed${run.config.seed}.metrics.json`;
  link.download = name;
  link.textContent = `Download metrics (${name})`;
  link.dataset.testid = 'download-metrics';
  return link;
}
