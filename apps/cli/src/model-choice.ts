import { type DataIter, MODEL_PRESETS, type ModelPreset, type ModelSpec, parameterShapes, presetLayers, sizeOf } from '@xbackend/core';
import { describeInit, presetInit, UsageError, type WeightInit } from '@xbackend/runs';

/** The book's model `preset` (`--model`), sized from the data. */
export function presetModel(preset: ModelPreset, data: Pick<DataIter, 'sampleShape' | 'numClasses'>): ModelSpec {
  const { sampleShape, numClasses } = data;
  return { layers: presetLayers(preset, sampleShape, numClasses), inputShape: [...sampleShape], numClasses };
}

/** The preset a model is (a checkpoint records layers, not names), or undefined for any other model. */
export function presetOf(model: ModelSpec): ModelPreset | undefined {
  const layers = JSON.stringify(model.layers);
  return MODEL_PRESETS.find(
    (preset) => JSON.stringify(presetModel(preset, { sampleShape: model.inputShape, numClasses: model.numClasses }).layers) === layers,
  );
}

/** `lenet (12 layers, 61706 parameters)`, for a run's header. */
export function describeModel(model: ModelSpec): string {
  const parameters = parameterShapes(model.layers).reduce((sum, p) => sum + sizeOf(p.shape), 0);
  return `${presetOf(model) ?? 'a custom model'} (${model.layers.length} layers, ${parameters} parameters)`;
}

/** The presets the book initialises N(0, std), which `--init-std` applies to. */
export function normalInitPresets(): ModelPreset[] {
  return MODEL_PRESETS.filter((preset) => presetInit(preset).kind === 'normal');
}

/** The book's init of `preset`, or N(0, initStd) when `--init-std` is given, which only normal-initialised models have. */
export function weightInitOf(preset: ModelPreset, initStd: number | undefined): WeightInit {
  const book = presetInit(preset);
  if (initStd === undefined) return book;
  if (book.kind !== 'normal') {
    throw new UsageError(
      `--init-std sets the standard deviation of N(0, std) initial weights, but --model ${preset} is initialised ${describeInit(book)} ` +
        `as in the book, which has no std. Leave out --init-std (it applies to ${normalInitPresets().join(' and ')}).`,
    );
  }
  return { kind: 'normal', std: initStd };
}
