import { type Output, progressBar } from '@xbackend/runs';
import { BROWSER_PREFIX } from './browser-targets.js';
import { oneLine, seconds } from './format.js';
import type { ProgressMessage } from './protocol.js';
import type { RunRecord } from './results.js';
import type { BenchEvent } from './run-bench.js';
import { median } from './stats.js';

const PHASES: Record<ProgressMessage['phase'], string> = {
  data: 'loading data',
  build: 'building',
  warmup: 'warm-up',
  measure: 'measuring',
};

function runSummary(record: RunRecord): string {
  const m = record.measurement;
  if (record.status === 'failed' || !m) return `FAILED: ${oneLine(record.error ?? '', 300)}`;
  const measured = m.epochs.filter((e) => !e.warmup).map((e) => e.trainMs);
  const last = m.epochs.at(-1);
  const used = `${m.backend}/${m.engine}` === record.target.replace(BROWSER_PREFIX, '') ? '' : ` (ran as ${m.backend}/${m.engine})`;
  return `${measured.length > 0 ? seconds(median(measured)) : '?'} s/epoch (median of ${measured.length}), train loss ${last?.trainLoss.toFixed(4)}, test acc ${last?.testAcc.toFixed(4)}${used}`;
}

function prefix(index: number, total: number): string {
  return `[${String(index).padStart(String(total).length)}/${total}]`;
}

/** Turns bench events into a display: a redrawn bar per run on a terminal, plain lines in logs and CI. */
export function createProgress(out: Output, enabled: boolean): (event: BenchEvent) => void {
  if (!enabled) return () => {};
  let total = 0;
  let current = '';
  const bar = progressBar(out, '{run} {where} [{bar}] {value}/{total} batches | {duration_formatted}', 24);
  return (event) => {
    switch (event.type) {
      case 'plan':
        total = event.totalRuns;
        out.write(
          `xbackend-bench: ${event.totalRuns} run${event.totalRuns === 1 ? '' : 's'}: ${event.targets.map((t) => t.label).join(', ')}\n`,
        );
        for (const s of event.skipped) out.write(`  not run: ${s.label}: ${s.reason.replaceAll('\n', ' ')}\n`);
        break;
      case 'run-start':
        current = `${prefix(event.index, total)} ${event.target.label} B=${event.batchSize}${event.repeat > 1 ? ` repeat ${event.repeat}` : ''}`;
        if (!out.isTTY) out.write(`${current}: started\n`);
        break;
      case 'run-progress': {
        const m = event.message;
        const where = m.epoch === undefined ? PHASES[m.phase] : `${PHASES[m.phase]} epoch ${m.epoch}/${m.totalEpochs}`;
        if (out.isTTY) {
          if (m.batch !== undefined && m.numBatches !== undefined) bar.update(m.batch, m.numBatches, { run: current, where });
        } else if (m.batch !== undefined && m.batch === m.numBatches) {
          out.write(`${current}: ${where} done\n`);
        }
        break;
      }
      case 'run-end':
        bar.stop();
        out.write(`${current}: ${runSummary(event.record)}\n`);
        break;
    }
  };
}
