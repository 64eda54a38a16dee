import { it } from 'vitest';
import { fixtureFlags, runCli, tempDir } from './test-fixtures.js';
it('smoke', async () => {
  const out = await tempDir();
  const f = await fixtureFlags();
  const data = f.slice(0, 4);
  let r = await runCli(['train', ...f, '--epochs', '2', '--out', out, '--no-progress', '--export', `${out}/m.onnx`]);
  console.log(r.code, r.stdout.split('\n').slice(-3).join('\n'), r.stderr);
  for (const b of ['reference', 'reference/float64', 'onnxruntime', 'tfjs/cpu']) {
    r = await runCli(['evaluate', '--checkpoint', out, '--backend', b, ...data]);
    console.log(r.code, r.stdout, r.stderr);
  }
  r = await runCli(['predict', '--checkpoint', out, '--n', '10', ...data]);
  console.log(r.code, r.stdout, r.stderr);
  r = await runCli(['export', '--checkpoint', out, '--out', `${out}/m2.onnx`]);
  console.log(r.code, r.stdout, r.stderr);
  r = await runCli(['sweep', ...data, '--backends', 'reference,onnxruntime/cuda,tfjs/cpu', '--batch-sizes', '32,64', '--lrs', '0.05,0.1', '--epochs', '1,2', '--out', `${out}/sweep`, '--no-progress']);
  console.log(r.code, r.stdout, r.stderr);
  const fs = await import('node:fs');
  fs.cpSync(out, '/tmp/clitry/smoke', { recursive: true });
});
