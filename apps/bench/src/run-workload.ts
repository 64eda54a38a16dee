import { XBackendError } from '@xbackend/core';
import { loadBenchData } from './bench-data.js';
import { measureOnnxruntimeFloor, ONNXRUNTIME_FLOOR } from './floor-onnxruntime.js';
import { measureTfjsFloor, TFJS_FLOOR } from './floor-tfjs.js';
import { measureAdapter } from './measure-adapter.js';
import { measureIdiomatic } from './measure-idiomatic.js';
import { measurePeer } from './measure-peer.js';
import type { FaultKind, ProgressMessage, RunMeasurement, RunRequest } from './protocol.js';

/** Progress goes over IPC; a few messages a second are enough for a display, even at batch size 1. */
const PROGRESS_INTERVAL_MS = 100;

function throttled(send: (message: ProgressMessage) => void): (message: ProgressMessage) => void {
  let last = 0;
  let lastKey = '';
  return (message) => {
    const key = `${message.phase}/${message.epoch}`;
    const now = performance.now();
    const endOfEpoch = message.batch !== undefined && message.batch === message.numBatches;
    if (key !== lastKey || endOfEpoch || now - last >= PROGRESS_INTERVAL_MS) {
      last = now;
      lastKey = key;
      send(message);
    }
  };
}

function injectFault(kind: FaultKind): never {
  if (kind === 'crash') {
    // What an out-of-memory kill or a native abort looks like to the parent: the process vanishes mid-run.
    process.kill(process.pid, 'SIGKILL');
  }
  throw new XBackendError(
    'INJECTED_FAULT',
    'injected fault (--inject-fault): this run was told to fail halfway through its first measured epoch.',
  );
}

/** Fires the requested fault once, at the middle of the first measured epoch (or at its end where only epochs are seen). */
function withFault(fault: FaultKind | undefined, next: (message: ProgressMessage) => void): (message: ProgressMessage) => void {
  if (!fault) return next;
  return (message) => {
    const { phase, batch, numBatches } = message;
    if (phase === 'measure' && batch !== undefined && numBatches !== undefined && batch >= Math.ceil(numBatches / 2)) injectFault(fault);
    next(message);
  };
}

/** The floor of each framework that has one, by the floor row's backend name. */
const FLOORS = { [ONNXRUNTIME_FLOOR]: measureOnnxruntimeFloor, [TFJS_FLOOR]: measureTfjsFloor } as const;

/** One run, as a child process executes it: load the data, then measure the adapter or the baseline the request names. */
export async function runWorkload(request: RunRequest, send: (message: ProgressMessage) => void): Promise<RunMeasurement> {
  const progress = withFault(request.fault, throttled(send));
  progress({ type: 'progress', phase: 'data' });
  const data = await loadBenchData(request.data, request.batchSize, request.seed);
  switch (request.kind) {
    case 'adapter':
      return measureAdapter(request, data, progress);
    case 'idiomatic':
      return measureIdiomatic(request, data, progress);
    case 'peer':
      return measurePeer(request, data, progress);
    case 'floor': {
      const floor = FLOORS[request.backend as keyof typeof FLOORS];
      if (!floor) throw new Error(`internal: no floor named '${request.backend}'`);
      return floor(request, data, progress);
    }
    case 'browser':
      throw new Error('internal: browser rows run in the parent (measure-browser.ts), not in a child process');
  }
}
