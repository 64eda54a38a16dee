import { resolve } from 'node:path';
import { FASHION_MNIST_LABELS } from '@xbackend/datasets';
import { displayPath, loadCheckpoint } from '@xbackend/runs';
import { type Command, Option } from 'commander';
import { checkClassCount } from './checkpoint-model.js';
import type { CommandContext } from './command-options.js';
import { exportOnnx, type OnnxInputLayout } from './onnx-export.js';

export function defineExport(cmd: Command, ctx: CommandContext): Command {
  return cmd
    .description('write a checkpoint as a plain ONNX inference model (input images, outputs logits and probabilities)')
    .requiredOption('--checkpoint <dir>', 'checkpoint directory, checkpoints folder or run folder')
    .requiredOption('--out <file.onnx>', 'ONNX file to write')
    .addOption(
      new Option('--onnx-layout <layout>', "ONNX input: 'image' [N,1,28,28] or 'flat' [N,784]").choices(['image', 'flat']).default('image'),
    )
    .action(async (flags: { checkpoint: string; out: string; onnxLayout: OnnxInputLayout }) => {
      const { console } = ctx;
      const checkpoint = await loadCheckpoint(resolve(console.cwd, flags.checkpoint));
      // No data is read here; the model is exported as a Fashion-MNIST classifier, so it must have its classes.
      checkClassCount(checkpoint, FASHION_MNIST_LABELS.length, 'Fashion-MNIST');
      const path = resolve(console.cwd, flags.out);
      const { bytes } = await exportOnnx(checkpoint.inferenceWeights, checkpoint.model, path, flags.onnxLayout);
      console.out(
        `exported ${displayPath(console, path)} (${bytes} bytes) from ${displayPath(console, checkpoint.dir)} (epoch ${checkpoint.epoch}, trained on ${checkpoint.backend}/${checkpoint.engine})`,
      );
    });
}
