import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ModelPreset, sizeOf } from '@xbackend/core';
import { epochOrder } from '@xbackend/datasets';
import type { BenchData } from './bench-data.js';
import { initialWeights } from './initial-weights.js';
import { peakRssBytes } from './peak-memory.js';
import type { EpochRecord, ProgressMessage, RunMeasurement, RunRequest } from './protocol.js';

interface PeerScript {
  /** Under apps/bench/python. */
  readonly script: string;
  /** What the row runs, in words (its `loop` detail). */
  readonly loop: string;
}

/** A Python peer row: the modules it imports, its script for each model it is written for, and why the others have none. */
interface Peer {
  readonly modules: readonly string[];
  readonly scripts: Readonly<Partial<Record<ModelPreset, PeerScript>>>;
  /** Why the models without a script have none. */
  readonly otherwise?: string;
}

/** The Python peer rows. */
export const PEERS = {
  numpy: {
    modules: ['numpy'],
    scripts: { softmax: { script: 'numpy_loop.py', loop: 'plain numpy loop (float32)' } },
    otherwise: 'it is softmax regression with hand-written gradients (the PyTorch row is the Python peer of the other models)',
  },
  pytorch: {
    modules: ['numpy', 'torch'],
    scripts: {
      softmax: { script: 'pytorch_d2l.py', loop: "d2l §3.7's PyTorch code (train_epoch_ch3), data in memory" },
      mlp: { script: 'pytorch_d2l.py', loop: "d2l §4.3's PyTorch code (train_epoch_ch3), data in memory" },
      lenet: { script: 'pytorch_lenet.py', loop: "d2l §7.6's PyTorch code (train_ch6), data in memory" },
    },
  },
} as const satisfies Record<string, Peer>;

export type PeerName = keyof typeof PEERS;

function peerScript(peer: PeerName, model: ModelPreset): PeerScript | undefined {
  return (PEERS[peer] as Peer).scripts[model];
}

/** Why `peer` has no row for `model`, or undefined when it has a script for it. */
export function peerNotWrittenFor(peer: PeerName, model: ModelPreset): string | undefined {
  if (peerScript(peer, model)) return undefined;
  const why = (PEERS[peer] as Peer).otherwise;
  return `the ${peer} peer has no ${model} script${why ? `: ${why}` : ''}.`;
}

export function isPeer(name: string): name is PeerName {
  return Object.hasOwn(PEERS, name);
}

/** The interpreter the peers run on: Debian's python3 (where apt puts python3-numpy and python3-torch), else PATH's. */
export const DEFAULT_PYTHON = '/usr/bin/python3';

const PYTHON_DIR = fileURLToPath(new URL('../python/', import.meta.url));

/** Debian package of each module, for the message that says how to get it. */
const DEBIAN_PACKAGES: Readonly<Record<string, string>> = { numpy: 'python3-numpy', torch: 'python3-torch' };

/** Runs `python` with `args`; resolves with its exit code and output (never rejects: a missing python is a result). */
function runPython(
  python: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string; error?: string }> {
  return new Promise((resolve) => {
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.on('error', (error) => resolve({ code: null, stdout, stderr, error: error.message }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Why `peer` cannot run `model` with `python` (and how to fix that), or undefined when it can. */
export async function peerUnavailable(python: string, peer: PeerName, model: ModelPreset): Promise<string | undefined> {
  const notWritten = peerNotWrittenFor(peer, model);
  if (notWritten !== undefined) return notWritten;
  const modules = PEERS[peer].modules;
  const probe = await runPython(python, ['-c', `import ${modules.join(', ')}`]);
  if (probe.error !== undefined) return `${python} could not be started (${probe.error}); install python3 or pass --python <interpreter>.`;
  if (probe.code === 0) return undefined;
  const missing = /No module named '([^']+)'/.exec(probe.stderr)?.[1];
  const pkg = missing ? DEBIAN_PACKAGES[missing] : undefined;
  return missing
    ? `${python} has no ${missing} module${pkg ? ` (Debian/Ubuntu: apt install ${pkg})` : ''}; or pass --python <an interpreter that has it>.`
    : `${python} failed to import ${modules.join(', ')}: ${probe.stderr.trim().split('\n').at(-1) ?? ''}`;
}

/**
 * The run as the Python peers read it: raw arrays (the data after --train-examples/--test-examples, the initial
 * weights one after the other in spec order, each epoch's order) and run.json (the model, sizes, the parameters'
 * names and shapes, hyperparameters), so every row trains on the same batches from the same weights.
 */
async function writePeerRun(dir: string, request: RunRequest, data: BenchData, totalEpochs: number): Promise<void> {
  const { train, sets } = data;
  const { initial } = await initialWeights(train, request);
  const parameters = new Float32Array(initial.reduce((n, p) => n + p.data.length, 0));
  let offset = 0;
  for (const p of initial) {
    parameters.set(p.data, offset);
    offset += p.data.length;
  }
  const orders = new Uint32Array(totalEpochs * train.numExamples);
  for (let e = 0; e < totalEpochs; e++) orders.set(epochOrder(train.numExamples, request.seed, e), e * train.numExamples);
  const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const files: [string, Uint8Array][] = [
    ['train-images.u8', sets.train.images],
    ['train-labels.u8', sets.train.labels],
    ['test-images.u8', sets.test.images],
    ['test-labels.u8', sets.test.labels],
    ['parameters.f32', bytes(parameters)],
    ['orders.u32', bytes(orders)],
  ];
  for (const [name, content] of files) await writeFile(join(dir, name), content);
  const run = {
    model: request.model,
    parameters: initial.map((p) => ({ name: p.name, shape: p.shape })),
    trainExamples: sets.train.count,
    testExamples: sets.test.count,
    sampleShape: train.sampleShape,
    features: sizeOf(train.sampleShape),
    classes: train.numClasses,
    batchSize: train.batchSize,
    lr: request.lr,
    epochs: totalEpochs,
    // --threads: torch's intra-op threads (null: torch's default).
    threads: request.threads ?? null,
  };
  await writeFile(join(dir, 'run.json'), JSON.stringify(run));
}

interface PeerEpochLine {
  readonly epoch: number;
  readonly trainMs: number;
  readonly evalMs: number;
  readonly trainLoss: number;
  readonly trainAcc: number;
  readonly testAcc: number;
}

/**
 * A peer row: writes the run for Python (see `writePeerRun`), runs the peer's script with `request.python` and reads
 * its JSON lines: the versions, then one line per epoch with the script's own timings (its training pass and its test
 * evaluation, as an adapter's epoch is timed).
 */
export async function measurePeer(
  request: RunRequest,
  data: BenchData,
  onProgress: (message: ProgressMessage) => void,
): Promise<RunMeasurement> {
  const peer = request.backend;
  if (!isPeer(peer)) throw new Error(`internal: '${peer}' is not a peer row`);
  const python = request.python ?? DEFAULT_PYTHON;
  const reason = await peerUnavailable(python, peer, request.model);
  const script = peerScript(peer, request.model);
  if (reason || !script) throw new Error(reason);
  onProgress({ type: 'progress', phase: 'build' });
  const started = performance.now();
  const totalEpochs = request.warmupEpochs + request.epochs;
  const dir = await mkdtemp(join(tmpdir(), 'xbackend-bench-peer-'));
  try {
    await writePeerRun(dir, request, data, totalEpochs);
    const epochs: EpochRecord[] = [];
    let details: Record<string, string | number | boolean> = { python, loop: script.loop };
    let buildMs = 0;
    // -B: no __pycache__ next to the scripts.
    const { code, stderr, error } = await runPythonLines(python, ['-B', join(PYTHON_DIR, script.script), dir], (line) => {
      const message = JSON.parse(line) as { versions?: Record<string, string>; threads?: number } | PeerEpochLine;
      if ('versions' in message && message.versions) {
        buildMs = performance.now() - started;
        details = { ...details, ...message.versions, ...(message.threads === undefined ? {} : { threads: message.threads }) };
        return;
      }
      const e = message as PeerEpochLine;
      const warmup = e.epoch < request.warmupEpochs;
      epochs.push({ warmup, trainLoss: e.trainLoss, trainAcc: e.trainAcc, testAcc: e.testAcc, trainMs: e.trainMs, evalMs: e.evalMs });
      onProgress({
        type: 'progress',
        phase: warmup ? 'warmup' : 'measure',
        epoch: e.epoch + 1,
        totalEpochs,
        batch: data.train.numBatches,
        numBatches: data.train.numBatches,
      });
    });
    if (error !== undefined || code !== 0 || epochs.length !== totalEpochs) {
      throw new Error(
        `${python} ${script.script} ${error ?? `exited with code ${code}`} after ${epochs.length} of ${totalEpochs} epochs: ${stderr.trim().slice(-2000)}`,
      );
    }
    return {
      backend: peer,
      engine: 'python',
      dtype: 'float32',
      details,
      numTrainExamples: data.train.numExamples,
      numTestExamples: data.test.numExamples,
      numBatches: data.train.numBatches,
      buildMs,
      epochs,
      stepMs: [],
      // The Python process's memory is its own; this is the Node process that prepared its data.
      peakRssBytes: peakRssBytes(),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Runs `python` and hands each stdout line to `onLine` as it arrives. When the bench kills this process (a timeout, an
 * interrupt), the script notices that its parent is gone at its next line and exits (python/common.py).
 */
function runPythonLines(
  python: string,
  args: readonly string[],
  onLine: (line: string) => void,
): Promise<{ code: number | null; stderr: string; error?: string }> {
  return new Promise((resolve) => {
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let pending = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onLine(line);
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-8000)));
    child.on('error', (e) => resolve({ code: null, stderr, error: e.message }));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}
