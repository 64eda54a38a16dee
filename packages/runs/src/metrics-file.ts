import { join } from 'node:path';
import type { SanityCheck } from '@xbackend/core';
import { writeFileAtomic } from '@xbackend/core/node';
import { curvesSvg } from './curves-svg.js';
import type { Hyperparameters, RunEpoch, RunIdentity } from './run-history.js';

export const METRICS_FILE = 'metrics.json';
export const CURVES_FILE = 'curves.svg';

/** How a run ended (or `running` while it is in progress: the files are rewritten after every epoch). */
export type RunStatus = 'running' | 'completed' | 'early-stopped' | 'diverged' | 'interrupted';

/** `metrics.json`: the run's identity, settings and per-epoch history. */
export interface MetricsFile extends RunIdentity {
  readonly seed: number;
  readonly hyperparameters: Hyperparameters;
  readonly history: readonly RunEpoch[];
  readonly status: RunStatus;
  /** Epoch whose weights the final model holds (the best validation epoch under early stopping). */
  readonly modelEpoch?: number;
  readonly sanityChecks?: readonly SanityCheck[];
  readonly error?: string;
  readonly updatedAt: string;
}

/** Writes metrics.json and curves.svg, each atomically, so a reader never sees half a file. */
export async function writeRunFiles(runDir: string, metrics: Omit<MetricsFile, 'updatedAt'>): Promise<void> {
  const file: MetricsFile = { ...metrics, updatedAt: new Date().toISOString() };
  await writeFileAtomic(join(runDir, METRICS_FILE), `${JSON.stringify(file, null, 2)}\n`);
  const title = `${metrics.backend}/${metrics.engine}: batch ${metrics.hyperparameters.batchSize}, lr ${metrics.hyperparameters.lr}`;
  const svg = curvesSvg(metrics.history, {
    totalEpochs: metrics.hyperparameters.epochs,
    title,
    ...(metrics.hyperparameters.valFraction !== undefined && metrics.modelEpoch !== undefined ? { bestEpoch: metrics.modelEpoch } : {}),
  });
  await writeFileAtomic(join(runDir, CURVES_FILE), svg);
}
