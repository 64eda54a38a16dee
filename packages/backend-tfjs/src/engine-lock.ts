import { XBackendError } from '@xbackend/core';
import type { Tfc } from './tfjs-modules.js';

/**
 * tfjs has one process-wide engine whose *active* backend runs every op (tensors remember their own backend for
 * reads and disposal, but new tensors and kernels go to the active one). Two xbackend Backends on different tfjs
 * engines in one process therefore take turns: every tfjs call of this adapter runs inside `exclusive`, a FIFO
 * queue, and first makes its own backend active. Serialising (rather than only calling setBackend before each op)
 * matters because our calls await (`setBackend`, `data()`): without the queue, another Backend could switch the
 * engine in between. The queue lives on `globalThis` so that two copies of this module (e.g. src and dist) share it.
 */
const QUEUE = Symbol.for('@xbackend/backend-tfjs:engine-queue');

type QueueHolder = { [QUEUE]?: Promise<unknown> };

function noop(): void {}

/** Runs `work` after every earlier queued call has settled; never nest calls (that would wait on itself). */
export function exclusive<T>(work: () => Promise<T> | T): Promise<T> {
  const holder = globalThis as QueueHolder;
  const run = (holder[QUEUE] ?? Promise.resolve()).then(work);
  holder[QUEUE] = run.then(noop, noop);
  return run;
}

/** Makes `backendName` tfjs's active backend (a no-op when it already is). Call only inside `exclusive`. */
export async function activateBackend(tf: Tfc, backendName: string): Promise<void> {
  if (tf.getBackend() === backendName) return;
  const ok = await tf.setBackend(backendName);
  if (!ok) {
    throw new XBackendError('ENGINE_INIT_FAILED', `tfjs could not initialise its '${backendName}' backend (tfjs logged the cause above).`);
  }
}
