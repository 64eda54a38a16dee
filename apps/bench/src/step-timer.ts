import type { Module } from '@xbackend/core';

/** Wall time of every `trainStep` of a model while `recording` is on, and of the very first one. */
export interface StepTimer {
  recording: boolean;
  readonly stepMs: number[];
  readonly firstStepMs: number | undefined;
}

/**
 * Times `net.trainStep` by wrapping it on this one instance, so core's own `trainEpochCh3` still drives the epoch
 * (the bench measures the loop users run, not a copy of it) while each step is timed without the batch assembly
 * around it.
 */
export function timeTrainSteps(net: Module): StepTimer {
  const step = net.trainStep.bind(net);
  let first: number | undefined;
  const timer = {
    recording: false,
    stepMs: [] as number[],
    get firstStepMs() {
      return first;
    },
  };
  net.trainStep = async (batch, hyper) => {
    const started = performance.now();
    const stats = await step(batch, hyper);
    const ms = performance.now() - started;
    first ??= ms;
    if (timer.recording) timer.stepMs.push(ms);
    return stats;
  };
  return timer;
}
