import type { Backend, BatchStats, CompiledModel, LayerSpec, ModelSpec, Pair, StepHyperparameters } from './backend.js';
import type { Batch } from './batch.js';
import { InvalidArgumentError } from './errors.js';
import type { Initializer } from './init.js';
import { parameterShapes, weightShape } from './layer-shapes.js';
import type { Profiler } from './profile.js';
import type { Rng } from './rng.js';
import { castParameters, type FloatArray, type ParameterTensor } from './tensor.js';
import { checkBatch, checkModelSpec, checkParameters, checkStep } from './validate.js';

/** A layer as the user builds it: a spec plus nothing else, so the same objects work on every backend. */
export interface Layer {
  readonly spec: LayerSpec;
}

/** A parameter handle: its name, its shape and the model that owns it (for `optim.SGD(net.parameters())`). */
export interface Parameter {
  readonly name: string;
  readonly shape: readonly number[];
  readonly owner: Module;
}

/**
 * A model bound to one backend. Parameters live on the host until the first batch compiles the model,
 * then on the backend's device.
 */
export interface Module {
  readonly backend: Backend;
  readonly layers: readonly LayerSpec[];
  /** The timing hook given to `loadBackend` (optional); core's training loop reports to it. */
  readonly profiler?: Profiler;
  /** Applies an initializer to every Linear and Conv2d layer, in order, from this model's seeded stream. */
  apply(initializer: Initializer): this;
  parameters(): Parameter[];
  /** Compiles for examples of the given shape (done automatically by the first batch). */
  compile(sampleShape: readonly number[], numClasses: number): Promise<CompiledModel>;
  trainStep(batch: Batch, hyper: StepHyperparameters): Promise<BatchStats>;
  evaluate(batch: Batch): Promise<BatchStats>;
  /** Logits of a batch (`net(X)` in the book). */
  forward(batch: Batch): Promise<FloatArray>;
  /** Per-example cross-entropy losses. */
  losses(batch: Batch): Promise<FloatArray>;
  /** Host copy of every parameter (PyTorch's `state_dict`). */
  stateDict(): Promise<ParameterTensor[]>;
  /** Replaces every parameter; names and shapes must match. Values are cast to the backend's dtype. */
  loadStateDict(params: readonly ParameterTensor[]): Promise<void>;
  dispose(): Promise<void>;
}

function positiveInt(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new InvalidArgumentError(`${name} must be a positive integer, got ${value}.`);
  return value;
}

class Sequential implements Module {
  readonly layers: readonly LayerSpec[];
  private readonly host: ParameterTensor[];
  private compiled: CompiledModel | undefined;
  private compiledFor: ModelSpec | undefined;

  constructor(
    readonly backend: Backend,
    private readonly rng: Rng,
    layers: readonly Layer[],
    readonly profiler: Profiler | undefined,
  ) {
    if (layers.length === 0) throw new InvalidArgumentError('nn.Sequential needs at least one layer.');
    this.layers = layers.map((l) => l.spec);
    // Until an initializer runs, parameters are zero (d2l always initialises explicitly).
    this.host = parameterShapes(this.layers).map(({ name, shape }) => ({
      name,
      shape,
      data: new Float64Array(shape.reduce((a, b) => a * b, 1)),
    }));
  }

  apply(initializer: Initializer): this {
    if (this.compiled) throw new InvalidArgumentError('apply() must run before the first batch; use loadStateDict() afterwards.');
    this.layers.forEach((layer, i) => {
      const shape = weightShape(layer);
      if (!shape) return;
      const [out, inputs, ...kernel] = shape as [number, number, ...number[]];
      const receptive = kernel.reduce((a, b) => a * b, 1);
      initializer(
        { weight: this.hostData(`${i}.weight`), bias: this.hostData(`${i}.bias`), fanIn: inputs * receptive, fanOut: out * receptive },
        this.rng,
      );
    });
    return this;
  }

  parameters(): Parameter[] {
    return this.host.map((p) => ({ name: p.name, shape: p.shape, owner: this }));
  }

  async compile(sampleShape: readonly number[], numClasses: number): Promise<CompiledModel> {
    if (this.compiled && this.compiledFor) {
      const same = this.compiledFor.inputShape.join() === sampleShape.join() && this.compiledFor.numClasses === numClasses;
      if (!same)
        throw new InvalidArgumentError(`The model was compiled for examples [${this.compiledFor.inputShape}], got [${sampleShape}].`);
      return this.compiled;
    }
    const spec: ModelSpec = { layers: this.layers, inputShape: [...sampleShape], numClasses };
    checkModelSpec(spec);
    this.compiled = await this.backend.compile(spec, castParameters(this.host, this.backend.dtype));
    this.compiledFor = spec;
    return this.compiled;
  }

  /** The compiled model, after checking `batch` against it (compiling first for the first batch). */
  private async ready(batch: Batch, usesLabels: boolean): Promise<CompiledModel> {
    if (!this.compiled) {
      const last = this.layers.findLast((l) => l.kind === 'linear');
      await this.compile(batch.sampleShape, last?.kind === 'linear' ? last.outFeatures : 0);
    }
    checkBatch(this.compiledFor as ModelSpec, batch, usesLabels);
    return this.compiled as CompiledModel;
  }

  async trainStep(batch: Batch, hyper: StepHyperparameters): Promise<BatchStats> {
    checkStep(hyper);
    return (await this.ready(batch, true)).trainStep(batch, hyper);
  }

  async evaluate(batch: Batch): Promise<BatchStats> {
    return (await this.ready(batch, true)).evaluate(batch);
  }

  async forward(batch: Batch): Promise<FloatArray> {
    return (await this.ready(batch, false)).logits(batch);
  }

  async losses(batch: Batch): Promise<FloatArray> {
    return (await this.ready(batch, true)).losses(batch);
  }

  async stateDict(): Promise<ParameterTensor[]> {
    return this.compiled ? this.compiled.readParameters() : castParameters(this.host, this.backend.dtype);
  }

  async loadStateDict(params: readonly ParameterTensor[]): Promise<void> {
    const ordered = checkParameters(this.layers, params, 'loadStateDict');
    ordered.forEach((p, i) => {
      (this.host[i] as ParameterTensor).data.set(p.data);
    });
    await this.compiled?.writeParameters(castParameters(this.host, this.backend.dtype));
  }

  async dispose(): Promise<void> {
    await this.compiled?.dispose();
    this.compiled = undefined;
  }

  private hostData(name: string): Float64Array {
    const p = this.host.find((q) => q.name === name);
    if (!p) throw new Error(`internal: no parameter ${name}`);
    return p.data as Float64Array;
  }
}

/** The `nn` namespace of a loaded backend (PyTorch's names, as in the book). */
export interface Nn {
  Sequential(...layers: Layer[]): Module;
  Flatten(): Layer;
  Linear(inFeatures: number, outFeatures: number): Layer;
  ReLU(): Layer;
  Sigmoid(): Layer;
  /** PyTorch's `nn.Conv2d(in, out, kernel_size, stride=1, padding=0)`; a number means the same on both axes. */
  Conv2d(inChannels: number, outChannels: number, options: Conv2dOptions): Layer;
  /** PyTorch's `nn.AvgPool2d(kernel_size, stride=kernel_size)`. */
  AvgPool2d(options: Pool2dOptions): Layer;
  /** PyTorch's `nn.MaxPool2d(kernel_size, stride=kernel_size)`. */
  MaxPool2d(options: Pool2dOptions): Layer;
}

export interface Conv2dOptions {
  readonly kernelSize: number | Pair;
  readonly stride?: number | Pair;
  readonly padding?: number | Pair;
}

export interface Pool2dOptions {
  readonly kernelSize: number | Pair;
  /** Default: the kernel size (windows side by side). */
  readonly stride?: number | Pair;
}

/** `value` as `[height, width]`, each an integer >= `min`. */
function pairOf(name: string, value: number | Pair, min: number): Pair {
  const pair: readonly number[] = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((v) => Number.isSafeInteger(v) && v >= min)) {
    throw new InvalidArgumentError(`${name} must be an integer >= ${min} or a pair of them, got ${JSON.stringify(value)}.`);
  }
  return [pair[0] as number, pair[1] as number];
}

function pool2d(kind: 'avgpool2d' | 'maxpool2d', name: string, { kernelSize, stride = kernelSize }: Pool2dOptions): Layer {
  return { spec: { kind, kernelSize: pairOf(`${name} kernelSize`, kernelSize, 1), stride: pairOf(`${name} stride`, stride, 1) } };
}

/**
 * `initStream(k)` gives the seeded stream for the k-th model created through this namespace; `profiler` (optional)
 * is handed to every model, for core's training loop to report to.
 */
export function createNn(backend: Backend, initStream: (modelIndex: number) => Rng, profiler?: Profiler): Nn {
  let models = 0;
  return {
    Sequential: (...layers) => new Sequential(backend, initStream(models++), layers, profiler),
    Flatten: () => ({ spec: { kind: 'flatten' } }),
    Linear: (inFeatures, outFeatures) => ({
      spec: {
        kind: 'linear',
        inFeatures: positiveInt('Linear inFeatures', inFeatures),
        outFeatures: positiveInt('Linear outFeatures', outFeatures),
      },
    }),
    ReLU: () => ({ spec: { kind: 'relu' } }),
    Sigmoid: () => ({ spec: { kind: 'sigmoid' } }),
    Conv2d: (inChannels, outChannels, { kernelSize, stride = 1, padding = 0 }) => ({
      spec: {
        kind: 'conv2d',
        inChannels: positiveInt('Conv2d inChannels', inChannels),
        outChannels: positiveInt('Conv2d outChannels', outChannels),
        kernelSize: pairOf('Conv2d kernelSize', kernelSize, 1),
        stride: pairOf('Conv2d stride', stride, 1),
        padding: pairOf('Conv2d padding', padding, 0),
      },
    }),
    AvgPool2d: (options) => pool2d('avgpool2d', 'AvgPool2d', options),
    MaxPool2d: (options) => pool2d('maxpool2d', 'MaxPool2d', options),
  };
}
