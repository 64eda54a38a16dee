/** Row-major `[rows, cols]` → row-major `[cols, rows]`, as float32 (PyTorch `[out, in]` ↔ tf.layers Dense `[in, out]`). */
export function transpose(data: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c] as number;
  }
  return out;
}
