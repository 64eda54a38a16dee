// Test helper (lenet.test.ts): the reference backend, loaded by its path as XB_BACKEND, that writes what a script
// hands it (the model, its initial weights, the first step's hyperparameters) to $XB_RECORD_TO as JSON and stops the
// script at its first training step.
import { writeFileSync } from 'node:fs';
import { adapter as reference } from '@xbackend/backend-reference';
import type { BackendAdapter, ModelSpec, ParameterTensor, StepHyperparameters } from '@xbackend/core';

export interface FirstStep {
  readonly spec: ModelSpec;
  readonly initial: { name: string; shape: number[]; data: number[] }[];
  readonly hyper: StepHyperparameters;
}

export const STOPPED = 'first-step-recorder: recorded the first training step, stopping the script';

function record(spec: ModelSpec, initial: readonly ParameterTensor[], hyper: StepHyperparameters): never {
  const to = process.env.XB_RECORD_TO;
  if (!to) throw new Error('first-step-recorder: set XB_RECORD_TO to the JSON file to write');
  const first: FirstStep = { spec, initial: initial.map((p) => ({ name: p.name, shape: [...p.shape], data: Array.from(p.data) })), hyper };
  writeFileSync(to, JSON.stringify(first));
  throw new Error(STOPPED);
}

export const adapter: BackendAdapter = {
  name: 'reference',
  description: 'the reference backend, recording the first training step',
  engines: reference.engines.map((engine) => ({
    ...engine,
    create: async (options) => {
      const backend = await engine.create(options);
      return {
        ...backend,
        dispose: () => backend.dispose(),
        compile: async (spec, initial) => {
          const compiled = await backend.compile(spec, initial);
          return { ...compiled, trainStep: async (_batch, hyper) => record(spec, initial, hyper) };
        },
      };
    },
  })),
};
