const tf = await import('@tensorflow/tfjs-core');
const wasm = await import('@tensorflow/tfjs-backend-wasm');
const { createRequire } = await import('node:module');
wasm.setWasmPaths(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm').replace(/[^/]+$/, ''));
await tf.setBackend('wasm');
const a = tf.randomUniform([256, 784]); const g = tf.randomUniform([256, 10]); const at = tf.transpose(a);
for (const [label, f] of [['matMul(a,g,transposeA)', () => tf.matMul(a, g, true, false)], ['matMul(transpose(a),g)', () => tf.tidy(() => tf.matMul(tf.transpose(a), g))], ['matMul(at,g) pre-transposed', () => tf.matMul(at, g)]]) {
  for (let i = 0; i < 5; i++) f().dispose();
  const t0 = performance.now(); for (let i = 0; i < 50; i++) { const r = f(); r.dataSync(); r.dispose(); }
  console.log(label, ((performance.now() - t0) / 50).toFixed(2), 'ms');
}
