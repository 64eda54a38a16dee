import { resolve } from 'node:path';
import { D2L_DEFAULTS, evaluateAccuracy } from '@xbackend/core';
import { addDataOptions, type DataFlags, displayPath, parsePositiveInt } from '@xbackend/runs';
import { type Command, Option } from 'commander';
import { checkModelFitsData, openCheckpointModel } from './checkpoint-model.js';
import { addBackendOptions, type BackendFlags, type CommandContext, dataSource, engineDetails } from './command-options.js';
import { loadTestData } from './data.js';

interface EvaluateFlags extends BackendFlags, DataFlags {
  checkpoint: string;
  batchSize: number;
  json?: boolean;
}

export function defineEvaluate(cmd: Command, ctx: CommandContext): Command {
  addBackendOptions(cmd, ctx, undefined);
  addDataOptions(cmd);
  return cmd
    .description('test accuracy of a checkpoint on any backend (default: the backend it was trained on)')
    .requiredOption('--checkpoint <dir>', 'checkpoint directory, checkpoints folder or run folder')
    .addOption(new Option('--batch-size <n>', 'evaluation batch size').argParser(parsePositiveInt).default(D2L_DEFAULTS.batchSize))
    .option('--json', 'print the result as JSON')
    .action(async (flags: EvaluateFlags, command: Command) => {
      const { console } = ctx;
      const model = await openCheckpointModel(resolve(console.cwd, flags.checkpoint), flags, command, ctx);
      try {
        const { test } = await loadTestData(dataSource(flags), flags.batchSize, console.io.stderr);
        checkModelFitsData(model.checkpoint, test);
        const testAcc = await evaluateAccuracy(model.net, test);
        const { checkpoint, loaded } = model;
        const result = {
          testAcc,
          examples: test.numExamples,
          backend: loaded.name,
          engine: loaded.engine,
          details: loaded.backend.details,
          trainedOn: `${checkpoint.backend}/${checkpoint.engine}`,
          epoch: checkpoint.epoch,
          checkpoint: checkpoint.dir,
        };
        if (flags.json) console.out(JSON.stringify(result, null, 2));
        else {
          console.out(`checkpoint ${displayPath(console, checkpoint.dir)} (epoch ${checkpoint.epoch}, trained on ${result.trainedOn})`);
          console.out(
            `evaluated on ${loaded.name}/${loaded.engine} (${loaded.backend.dtype}): test acc ${testAcc.toFixed(4)} on ${test.numExamples} examples`,
          );
          console.out(`engine: ${engineDetails(loaded)}`);
        }
      } finally {
        await model.dispose();
      }
    });
}
