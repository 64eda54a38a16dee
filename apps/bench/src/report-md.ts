import { isBrowserLabel } from './browser-targets.js';
import { cell, count, gibibytes, megabytes, milliseconds, ratio, seconds } from './format.js';
import { PEERS } from './measure-peer.js';
import type { BenchReport, BenchRow, BenchSettings } from './results.js';
import { isBaselineLabel } from './targets.js';

const dash = '—';

/** The book's models, as the report names them. */
const MODEL_TITLES: Readonly<Record<BenchSettings['model'], string>> = {
  softmax: 'Softmax regression (d2l §3.7)',
  mlp: 'MLP (d2l §4.3)',
  lenet: 'LeNet (d2l §7.6)',
};

/** `N(0, 0.01) init`, `xavierUniform init (PyTorch's default biases)`. */
function initText(init: BenchSettings['init']): string {
  return init.kind === 'normal' ? `N(0, ${init.std}) init` : "xavierUniform init (PyTorch's default biases)";
}

/** What each baseline row is, for the model measured. */
function baselinesText(s: BenchSettings): string {
  const tfjsFloor =
    s.model === 'softmax'
      ? 'the step in plain tfjs ops with hand-written gradients'
      : "plain tfjs autodiff: the forward pass in tfjs ops (NHWC), gradients from tfjs's tape (`tf.variableGrads`), the convolutions' as forward convolutions (tfjs-backend-wasm has no filter-gradient kernel and a slow input-gradient one); the adapter's own gradient ops can beat it (× floor below 1)";
  const pytorch = PEERS.pytorch.scripts[s.model].loop;
  return (
    "- Baselines: **tfjs-idiomatic** is the same training as plain tf.layers `model.fitDataset`; **onnxruntime-floor** runs xbackend's exported training graph straight through onnxruntime-node over batches gathered in advance; " +
    `**tfjs-floor** is ${tfjsFloor}, batches gathered in advance; ${s.model === 'softmax' ? '**numpy** is a plain numpy loop and ' : ''}**pytorch** ${pytorch}, run by Python. ` +
    'Every row trains on the same batches in the same order from the same initial weights.'
  );
}

function machineLine(report: BenchReport): string {
  const m = report.machine;
  return (
    `${m.cpuModel}, ${m.cores} logical cores, ${gibibytes(m.memoryBytes)} GiB RAM, ${m.platform} ${m.osRelease} ${m.arch}, ` +
    `Node ${m.node}; load average at start ${m.loadAverage.join(' / ')}`
  );
}

/** The browser rows' machine: the browser on this machine, as it reported itself. */
function browserLine(report: BenchReport): string[] {
  const b = report.machine.browser;
  if (!b) return [];
  return [
    `Rows \`browser:…\`: the playground page in ${b.name} ${b.version} (\`${b.executable}\`, headless), user agent \`${b.userAgent}\`, ` +
      `${b.hardwareConcurrency} logical cores offered to the page, ${b.crossOriginIsolated ? 'cross-origin isolated (WebAssembly threads)' : 'not cross-origin isolated (no WebAssembly threads)'}.`,
    '',
  ];
}

/** A row with numbers; when some repeats failed, the first error follows the name. */
function rowCells(row: BenchRow, e: NonNullable<BenchRow['epochMs']>): string[] {
  const failed = row.status === 'failed' ? `**failed**: ${cell(row.error ?? '')}` : '';
  const steps = row.stepMs ? `${milliseconds(row.stepMs.p50)} / ${milliseconds(row.stepMs.p95)}` : dash;
  const opt = (value: number | undefined, format: (v: number) => string) => (value === undefined ? dash : format(value));
  return [
    row.target + (failed ? ` (${failed})` : ''),
    `${seconds(e.median)} (${seconds(e.min)}–${seconds(e.max)})`,
    count(row.samplesPerSecond ?? 0),
    steps,
    opt(row.evalMs, seconds),
    opt(row.buildMs, seconds),
    opt(row.peakRssBytes, megabytes),
    opt(row.trainLoss, (v) => v.toFixed(4)),
    opt(row.testAcc, (v) => v.toFixed(4)),
    opt(row.vsFastest, ratio),
    opt(row.vsReference, ratio),
    opt(row.vsFloor, ratio),
    opt(row.vsIdiomatic, ratio),
  ];
}

const MAIN_COLUMNS = 13;

function mainTable(rows: readonly BenchRow[], notRun: BenchReport['skipped'] = []): string[] {
  const header =
    '| backend/engine | epoch s, median (min–max) | samples/s | step ms p50 / p95 | eval s | build s | peak RSS MB | train loss | test acc | × fastest | × reference | × floor | × idiomatic |';
  const lines = [
    header,
    `|---|${Array(MAIN_COLUMNS - 1)
      .fill('---:')
      .join('|')}|`,
  ];
  const empty = Array(MAIN_COLUMNS - 2)
    .fill(' ')
    .join('|');
  for (const row of rows) {
    if (row.epochMs) lines.push(`| ${rowCells(row, row.epochMs).join(' | ')} |`);
    else lines.push(`| ${row.target} | **failed**: ${cell(row.error ?? '')} |${empty}|`);
  }
  for (const k of notRun) lines.push(`| ${k.label} | not run: ${cell(k.reason)} |${empty}|`);
  return lines;
}

/** Where the epochs of the adapter rows went (medians of the measured epochs), and the share outside the framework. */
function splitTable(rows: readonly BenchRow[]): string[] {
  const lines = [
    '| backend/engine | epoch ms | data | compute | host reads | eval | other | writes | outside the framework |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const { split, epochMs } = row;
    if (!split || !epochMs) continue;
    const ms = (v: number) => milliseconds(v);
    const parts = [split.data, split.compute, split.read, split.eval, split.other, split.write].map(ms);
    lines.push(`| ${row.target} | ${ms(epochMs.median)} | ${parts.join(' | ')} | ${((row.outsideShare ?? 0) * 100).toFixed(1)} % |`);
  }
  return lines;
}

function detailsText(details: Readonly<Record<string, string | number | boolean>> | undefined): string {
  if (!details) return '';
  const text = Object.entries(details)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return cell(text, 1000);
}

function enginesTable(rows: readonly BenchRow[]): string[] {
  const seen = new Set<string>();
  const lines = ['| backend/engine | engine used | dtype | details |', '|---|---|---|---|'];
  for (const row of rows) {
    if (seen.has(row.target) || !row.engine) continue;
    seen.add(row.target);
    lines.push(`| ${row.target} | ${row.engine} | ${row.dtype ?? ''} | ${detailsText(row.details)} |`);
  }
  return lines;
}

function scalingTable(report: BenchReport): string[] {
  const sizes = report.settings.batchSizes;
  const targets = [...new Set(report.rows.map((r) => r.target))];
  const lines = [`| backend/engine | ${sizes.map((b) => `B=${b}`).join(' | ')} |`, `|---|${sizes.map(() => '---:').join('|')}|`];
  for (const target of targets) {
    const cells = sizes.map((b) => {
      const row = report.rows.find((r) => r.target === target && r.batchSize === b);
      return row?.epochMs ? seconds(row.epochMs.median) : row ? 'failed' : '';
    });
    lines.push(`| ${target} | ${cells.join(' | ')} |`);
  }
  return lines;
}

/** Baselines and browser engines that could not run here: their rows say why (the first batch size's table). */
function peersNotRun(report: BenchReport, batchSize: number): BenchReport['skipped'] {
  const shown = (label: string) => isBaselineLabel(label) || isBrowserLabel(label) || label === 'browser';
  return batchSize === report.settings.batchSizes[0] ? report.skipped.filter((k) => shown(k.label)) : [];
}

/** The per-batch-size tables alone, for the terminal. */
export function resultTables(report: BenchReport): string {
  return report.settings.batchSizes
    .flatMap((batchSize) => {
      const rows = report.rows.filter((r) => r.batchSize === batchSize);
      return [`Batch size ${batchSize}:`, '', ...mainTable(rows, peersNotRun(report, batchSize)), '', ...splitTable(rows), ''];
    })
    .join('\n');
}

/** REPORT.md: the tables of a bench, the machine, and the command that reproduces it. */
export function reportMarkdown(report: BenchReport): string {
  const s = report.settings;
  const firstOk = report.runs.find((r) => r.measurement)?.measurement;
  const examples = firstOk ? `${firstOk.numTrainExamples} training / ${firstOk.numTestExamples} test examples` : 'Fashion-MNIST';
  const lines = [
    `# xbackend bench: ${MODEL_TITLES[s.model]}`,
    '',
    `${s.architecture}, ${initText(s.init)}, SGD lr ${s.lr}, on Fashion-MNIST (${examples}); seed ${s.seed}. ` +
      `Every backend/engine runs in its own child process${report.machine.browser ? ' (a browser row in its own headless Chromium)' : ''} on the same batches in the same order from the same initial weights: ` +
      `${s.warmupEpochs} warm-up epoch${s.warmupEpochs === 1 ? '' : 's'}, then ${s.epochs} measured epoch${s.epochs === 1 ? '' : 's'}` +
      `${s.repeat > 1 ? `, ${s.repeat} repeats (fresh processes)` : ''}.`,
    '',
    `Measured ${report.createdAt} on ${machineLine(report)}.`,
    '',
    ...browserLine(report),
  ];
  for (const batchSize of s.batchSizes) {
    const rows = report.rows.filter((r) => r.batchSize === batchSize);
    lines.push(`## Batch size ${batchSize}`, '', ...mainTable(rows, peersNotRun(report, batchSize)), '');
    lines.push('Where each epoch goes (adapter rows; milliseconds, medians of the measured epochs):', '', ...splitTable(rows), '');
  }
  if (s.batchSizes.length > 1) lines.push('## Median epoch time (s) by batch size', '', ...scalingTable(report), '');
  lines.push(
    '### Columns',
    '',
    "- **epoch s**: one epoch is a training pass over the training set plus one full test-set evaluation (core `trainEpochCh3` + `evaluateAccuracy` for adapters; the run's own loop for baselines); median, min and max over the measured epochs of all repeats.",
    '- **samples/s**: training examples / median epoch time. **step ms**: wall time of each `trainStep` (forward, loss, backward, update, and the two scalars back to the host); baselines have none.',
    '- **eval s**: one full test-set evaluation (median). **build s**: `loadBackend` until the model is compiled with its initial weights (baselines: engine start, model or session build).',
    "- **peak RSS**: the child process's peak resident memory (`maxRSS`, VmHWM), the data set included (a peer row: the Node process that prepared its data, not Python). **train loss / test acc**: after the last epoch, so a fast but wrong row shows.",
    "- **× fastest**, **× reference** (reference/float32), **× floor** (an adapter over its framework's floor row: the adapter's overhead), **× idiomatic** (tfjs/E over tfjs-idiomatic/E): median epoch time ratios at the same batch size.",
    baselinesText(s),
    "- **browser:** rows: the same script in the playground page in headless Chromium (`--browser`), one fresh browser per run, timed in its training worker: **epoch s** is `trainEpochCh3` plus `evaluateAccuracy` there, **step ms** each `trainStep`, **build s** `loadBackend` in the page; **peak RSS** is not measured for the browser's processes.",
    "- **Where each epoch goes**: from core's profiling hook inside the run: drawing batches (**data**), train steps (**compute**) without their **host reads**, test evaluation (**eval**), the rest of the epoch (**other**: core's loop, metrics, progress messages), and the **writes** `xbackend train` does after each epoch (metrics.json, curves.svg; not part of the epoch time). **Outside the framework**: (data + other + writes) / (epoch + writes).",
    '',
    '## Engines as they reported themselves',
    '',
    ...enginesTable(report.rows),
    '',
  );
  if (report.skipped.length > 0) {
    lines.push('## Not run', '');
    for (const k of report.skipped) lines.push(`- **${k.label}**: ${k.reason.replaceAll('\n', ' ')}`);
    lines.push('');
  }
  const failed = report.runs.filter((r) => r.status === 'failed');
  if (failed.length > 0) {
    lines.push('## Failed runs', '');
    for (const r of failed)
      lines.push(
        `- **${r.target}** (B=${r.batchSize}, repeat ${r.repeat}):`,
        '',
        '  ```',
        ...(r.error ?? '').split('\n').map((l) => `  ${l}`),
        '  ```',
        '',
      );
  }
  const m = report.machine;
  lines.push('## Machine and versions', '', '| | |', '|---|---|');
  lines.push(`| CPU | ${m.cpuModel} (${m.cores} logical cores) |`, `| memory | ${gibibytes(m.memoryBytes)} GiB |`);
  lines.push(`| OS | ${m.platform} ${m.osRelease} ${m.arch} |`, `| Node | ${m.node} (V8 ${m.v8}) |`);
  if (m.gitCommit) lines.push(`| xbackend commit | ${m.gitCommit}${m.gitDirty ? ' with uncommitted changes' : ''} |`);
  if (m.browser) {
    lines.push(`| browser (\`browser:\` rows) | ${m.browser.name} ${m.browser.version} (\`${m.browser.executable}\`) |`);
    lines.push(`| user agent | ${cell(m.browser.userAgent, 1000)} |`);
  }
  for (const [name, version] of Object.entries(m.packages)) lines.push(`| ${name} | ${version ?? 'not installed'} |`);
  lines.push(
    '',
    '## Reproduce',
    '',
    '```sh',
    report.command,
    '```',
    '',
    'All numbers are in `bench.json` next to this file; charts: `epoch-time.svg`, `batch-scaling.svg`.',
    '',
  );
  return lines.join('\n');
}
