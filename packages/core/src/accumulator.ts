/** d2l's `Accumulator`: sums `n` running totals (e.g. loss sum, correct count, example count). */
export class Accumulator {
  private readonly totals: number[];

  constructor(n: number) {
    this.totals = new Array<number>(n).fill(0);
  }

  add(...values: number[]): void {
    values.forEach((v, i) => {
      this.totals[i] = (this.totals[i] ?? 0) + v;
    });
  }

  reset(): void {
    this.totals.fill(0);
  }

  get(i: number): number {
    const v = this.totals[i];
    if (v === undefined) throw new RangeError(`Accumulator has ${this.totals.length} slots, not ${i + 1}.`);
    return v;
  }
}
