import type { KernelOutput, KernelShortcut } from './gpujs-api.js';
import { loadSource, sgdSource } from './kernel-sources.js';
import type { GpuRuntime } from './runtime.js';

/**
 * One parameter living on the device. Its value is the output of one of three kernels: `load` (host upload) or one
 * of two SGD kernels used alternately (ping-pong), so an update never reads the texture it writes and no texture
 * is ever allocated after the first step: device memory stays flat without immutable outputs.
 *
 * A weight is stored as a matrix `[shape[0], rest]` (a Linear's `[out, in]`, a Conv2d's OIHW weight as `[out, in·kh·kw]`),
 * a bias as a vector. Its first dimension (output features) is stored with `storedRows` rows, padded with zeros for
 * the packed kernels; the padding stays zero through training (zero gradient, zero weight decay) and is never read back.
 */
export class ParameterSlot {
  private readonly loader: KernelShortcut;
  private readonly updaters: readonly [KernelShortcut, KernelShortcut];
  private holder: KernelShortcut | undefined;
  private value: KernelOutput;
  private readonly stored: readonly [number, number] | readonly [number];
  /** The stored matrix's columns (1 for a bias). */
  private readonly cols: number;

  constructor(
    private readonly runtime: GpuRuntime,
    readonly name: string,
    /** The parameter's shape as core names it, e.g. `[out, in]`, `[out, in, kh, kw]`, `[out]`. */
    readonly shape: readonly number[],
    storedRows: number = shape[0] as number,
  ) {
    this.cols = shape.slice(1).reduce((a, b) => a * b, 1);
    const rank = shape.length > 1 ? 2 : 1;
    this.stored = rank === 2 ? [storedRows, this.cols] : [storedRows];
    const output = this.stored.length === 2 ? [this.stored[1], this.stored[0]] : [this.stored[0]];
    this.loader = runtime.createKernel({ source: loadSource(rank), output, pipeline: true });
    const sgd = () => runtime.createKernel({ source: sgdSource(rank), output, pipeline: true });
    this.updaters = [sgd(), sgd()];
  }

  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** The current device value, as a kernel argument. */
  get current(): KernelOutput {
    if (this.holder === undefined) throw new Error(`internal: parameter ${this.name} was never loaded`);
    return this.value;
  }

  load(values: Float32Array): void {
    let stored = values;
    const storedSize = this.stored.reduce((a, b) => a * b, 1);
    if (storedSize !== values.length) {
      stored = new Float32Array(storedSize);
      stored.set(values);
    }
    this.value = this.runtime.run(this.loader, this.runtime.input(stored, this.stored));
    this.holder = this.loader;
  }

  /** `w ← w − lr·(grad + weightDecay·w)`, written by the updater that does not hold the current value. */
  update(grad: KernelOutput, lr: number, weightDecay: number): void {
    const [first, second] = this.updaters;
    const next = this.holder === first ? second : first;
    this.value = this.runtime.run(next, this.current, grad, lr, weightDecay);
    this.holder = next;
  }

  read(): Float32Array {
    const [rows, cols] = this.stored.length === 2 ? [this.shape[0] as number, this.cols] : [1, this.shape[0] as number];
    return this.runtime.read(this.current, rows, cols);
  }

  destroy(): void {
    for (const kernel of [this.loader, ...this.updaters]) this.runtime.destroyKernel(kernel);
    this.holder = undefined;
    this.value = undefined;
  }
}
