/**
 * A whole xbackend backend in one file: `toy`, one engine (`float64`), plain JavaScript loops, written from the
 * book's formulas without any of xbackend's own math. It exists to show how small the contract is, and to prove that
 * a backend added with one registry line runs through the CLI, the bench and the conformance suite unchanged
 * (examples/toy-backend.test.ts).
 */
import type {
  Backend,
  BackendAdapter,
  Batch,
  BatchStats,
  CompiledModel,
  LayerSpec,
  ModelSpec,
  ParameterTensor,
  StepHyperparameters,
} from '@xbackend/core';
import { UnsupportedLayerError } from '@xbackend/core';

/** Per-example loss and logits of one forward pass, with every layer's input kept for the backward pass. */
interface Pass {
  readonly inputs: Float64Array[][]; // inputs[layer][example]
  readonly logits: Float64Array[];
}

class ToyModel implements CompiledModel {
  /** `${i}.weight` as rows of `[out][in]`, `${i}.bias` as `[out]`; core hands them over checked and in spec order. */
  private params: Map<string, Float64Array>;

  constructor(
    private readonly spec: ModelSpec,
    initial: readonly ParameterTensor[],
  ) {
    this.params = new Map(initial.map((p) => [p.name, Float64Array.from(p.data)]));
  }

  private forward(batch: Batch): Pass {
    const width = batch.x.length / batch.size;
    const inputs: Float64Array[][] = this.spec.layers.map(() => []);
    const logits: Float64Array[] = [];
    for (let k = 0; k < batch.size; k++) {
      let h: Float64Array = Float64Array.from(batch.x.subarray(k * width, (k + 1) * width));
      this.spec.layers.forEach((layer, i) => {
        (inputs[i] as Float64Array[]).push(h);
        h = this.layerForward(layer, i, h);
      });
      logits.push(h);
    }
    return { inputs, logits };
  }

  private layerForward(layer: LayerSpec, i: number, h: Float64Array): Float64Array {
    if (layer.kind === 'relu') return h.map((v) => (v > 0 ? v : 0));
    if (layer.kind !== 'linear') return h;
    const w = this.param(`${i}.weight`);
    const b = this.param(`${i}.bias`);
    return Float64Array.from({ length: layer.outFeatures }, (_, o) => {
      let z = b[o] as number;
      for (let j = 0; j < layer.inFeatures; j++) z += (w[o * layer.inFeatures + j] as number) * (h[j] as number);
      return z;
    });
  }

  /** log-softmax with the row max subtracted: finite for every finite logit. */
  private static logSoftmax(z: Float64Array): Float64Array {
    const max = Math.max(...z);
    const lse = Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0));
    return z.map((v) => v - max - lse);
  }

  private stats(pass: Pass, labels: Int32Array): BatchStats {
    let lossSum = 0;
    let correct = 0;
    pass.logits.forEach((z, k) => {
      const label = labels[k] as number;
      lossSum -= ToyModel.logSoftmax(z)[label] as number;
      if (z.indexOf(Math.max(...z)) === label) correct++;
    });
    return { lossSum, correct };
  }

  async trainStep(batch: Batch, { lr, weightDecay }: StepHyperparameters): Promise<BatchStats> {
    const pass = this.forward(batch);
    const stats = this.stats(pass, batch.y);
    const grads = new Map([...this.params].map(([name, p]) => [name, new Float64Array(p.length)]));
    pass.logits.forEach((z, k) => {
      // ∂(mean loss)/∂z = (softmax(z) − onehot(label)) / n, then back through the layers.
      let g = ToyModel.logSoftmax(z).map((v, c) => (Math.exp(v) - (c === batch.y[k] ? 1 : 0)) / batch.size);
      for (let i = this.spec.layers.length - 1; i >= 0; i--) {
        const layer = this.spec.layers[i] as LayerSpec;
        const input = pass.inputs[i]?.[k] as Float64Array;
        if (layer.kind === 'relu') g = g.map((v, j) => ((input[j] as number) > 0 ? v : 0));
        if (layer.kind !== 'linear') continue;
        const w = this.param(`${i}.weight`);
        const gw = grads.get(`${i}.weight`) as Float64Array;
        const gb = grads.get(`${i}.bias`) as Float64Array;
        const gIn = new Float64Array(layer.inFeatures);
        for (let o = 0; o < layer.outFeatures; o++) {
          gb[o] = (gb[o] as number) + (g[o] as number);
          for (let j = 0; j < layer.inFeatures; j++) {
            gw[o * layer.inFeatures + j] = (gw[o * layer.inFeatures + j] as number) + (g[o] as number) * (input[j] as number);
            gIn[j] = (gIn[j] as number) + (g[o] as number) * (w[o * layer.inFeatures + j] as number);
          }
        }
        g = gIn;
      }
    });
    for (const [name, p] of this.params) {
      const g = grads.get(name) as Float64Array;
      for (let i = 0; i < p.length; i++) p[i] = (p[i] as number) - lr * ((g[i] as number) + weightDecay * (p[i] as number));
    }
    return stats;
  }

  async evaluate(batch: Batch): Promise<BatchStats> {
    return this.stats(this.forward(batch), batch.y);
  }

  async logits(batch: Batch): Promise<Float64Array> {
    const { logits } = this.forward(batch);
    const out = new Float64Array(batch.size * this.spec.numClasses);
    logits.forEach((z, k) => out.set(z, k * this.spec.numClasses));
    return out;
  }

  async losses(batch: Batch): Promise<Float64Array> {
    return Float64Array.from(this.forward(batch).logits, (z, k) => -(ToyModel.logSoftmax(z)[batch.y[k] as number] as number));
  }

  async readParameters(): Promise<ParameterTensor[]> {
    return this.spec.layers.flatMap((layer, i) =>
      layer.kind === 'linear'
        ? [
            { name: `${i}.weight`, shape: [layer.outFeatures, layer.inFeatures], data: this.param(`${i}.weight`).slice() },
            { name: `${i}.bias`, shape: [layer.outFeatures], data: this.param(`${i}.bias`).slice() },
          ]
        : [],
    );
  }

  async writeParameters(params: readonly ParameterTensor[]): Promise<void> {
    this.params = new Map(params.map((p) => [p.name, Float64Array.from(p.data)]));
  }

  async dispose(): Promise<void> {}

  private param(name: string): Float64Array {
    const p = this.params.get(name);
    if (!p) throw new Error(`internal: no parameter ${name}`);
    return p;
  }
}

const toyBackend: Backend = {
  name: 'toy',
  engine: 'float64',
  dtype: 'float64',
  details: { implementation: 'one file of plain JavaScript loops' },
  compile: async (spec, initial) => {
    const unsupported = spec.layers.findIndex((layer) => !['flatten', 'linear', 'relu'].includes(layer.kind));
    if (unsupported >= 0) {
      const kind = spec.layers[unsupported]?.kind;
      throw new UnsupportedLayerError('toy', `${unsupported} (${kind})`, 'the toy backend has Flatten, Linear and ReLU layers');
    }
    return new ToyModel(spec, initial);
  },
  dispose: async () => {},
};

export const adapter: BackendAdapter = {
  name: 'toy',
  description: 'a backend written outside xbackend in one file (float64 loops)',
  engines: [
    {
      name: 'float64',
      description: 'plain JavaScript loops in float64',
      unavailableReason: async () => undefined,
      create: async () => toyBackend,
    },
  ],
};
