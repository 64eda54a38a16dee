import type { EngineStatus } from '@xbackend/core';
import type { FromWorker } from './messages.ts';
import { startWorker } from './training-run.ts';

/**
 * Every engine of the page's registry with its availability, asked of a worker: that is where training runs, and
 * what a worker offers (OffscreenCanvas, WebGPU) is what counts.
 */
export function listEngines(): Promise<EngineStatus[]> {
  const worker = startWorker();
  return new Promise<EngineStatus[]>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      if (event.data.type === 'engines') resolve(event.data.statuses);
      else if (event.data.type === 'error') reject(new Error(event.data.message));
    };
    worker.onerror = (event) => reject(new Error(event.message || 'the worker that lists the engines failed to start'));
    worker.postMessage({ type: 'list' });
  }).finally(() => worker.terminate());
}
