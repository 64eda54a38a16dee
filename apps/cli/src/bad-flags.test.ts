import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureDataFlags, fixtureFlags, runCli, tempDir } from './test-fixtures.js';

/** Each bad command line exits with 2, says what is wrong, and starts no work (no runs/ folder). */
const CASES: readonly [args: string[], message: string | RegExp][] = [
  [['train', '--backend', 'nope'], "Unknown backend 'nope'. Known backends: reference, onnxruntime, tfjs, gpujs."],
  [['train', '--engine', 'float16'], "Backend 'onnxruntime' has no engine 'float16'. Its engines: cpu, cuda."],
  [['train', '--backend', 'reference/float16'], "Backend 'reference' has no engine 'float16'"],
  [['train', '--backend', 'tfjs/wasm', '--engine', 'cpu'], "--backend tfjs/wasm names engine 'wasm' but --engine says 'cpu'"],
  [['train', '--backend', 'a/b/c'], "--backend 'a/b/c' is not of the form name or name/engine"],
  [['train', '--lr', '0'], "option '--lr <number>' argument '0' is invalid. Expected a number > 0, got '0'."],
  [['train', '--lr', '-0.5'], "Expected a number > 0, got '-0.5'."],
  [['train', '--lr', 'abc'], "Expected a number > 0, got 'abc'."],
  [['train', '--lr', 'Infinity'], "Expected a number > 0, got 'Infinity'."],
  [['train', '--lr', '0x10'], "Expected a number > 0, got '0x10'."],
  [['train', '--batch-size', '0'], "option '--batch-size <n>' argument '0' is invalid. Expected a whole number >= 1, got '0'."],
  [['train', '--batch-size', '2.5'], "Expected a whole number >= 1, got '2.5'."],
  [['train', '--batch-size', ''], "Expected a whole number >= 1, got ''."],
  [['train', '--epochs', 'ten'], "option '--epochs <n>' argument 'ten' is invalid. Expected a whole number >= 1, got 'ten'."],
  [['train', '--seed', '1.5'], "option '--seed <n>' argument '1.5' is invalid. Expected a whole number, got '1.5'."],
  [['train', '--weight-decay', '-1'], "Expected a number >= 0, got '-1'."],
  [['train', '--val-fraction', '1'], "Expected a fraction strictly between 0 and 1, got '1'."],
  [['train', '--patience', '2'], '--patience needs --val-fraction'],
  [['train', '--checkpoint-every', '0'], "option '--checkpoint-every <n>' argument '0' is invalid."],
  [['train', '--threads', '0'], "option '--threads <n>' argument '0' is invalid. Expected a whole number >= 1, got '0'."],
  [['sweep', '--threads', '1.5'], "option '--threads <n>' argument '1.5' is invalid."],
  [['train', '--model', 'resnet'], "option '--model <name>' argument 'resnet' is invalid. Allowed choices are softmax, mlp, lenet."],
  [['train', '--init-std', '-1'], "option '--init-std <number>' argument '-1' is invalid. Expected a number >= 0, got '-1'."],
  [
    ['train', '--model', 'lenet', '--init-std', '0.1'],
    '--init-std sets the standard deviation of N(0, std) initial weights, but --model lenet is initialised xavierUniform as in the book, ' +
      'which has no std. Leave out --init-std (it applies to softmax and mlp).',
  ],
  [['predict', '--checkpoint', 'x', '--model', 'lenet'], 'training flags have no effect there (model)'],
  [['sweep', '--model', 'vgg'], 'Allowed choices are softmax, mlp, lenet.'],
  [['train', '--bogus'], "error: unknown option '--bogus'"],
  [['train', '--lr'], "error: option '--lr <number>' argument missing"],
  [['train', 'extra'], "error: too many arguments for 'train'"],
  [['trian'], /unknown command 'trian'[\s\S]*Did you mean train\?/],
  [['evaluate'], "error: required option '--checkpoint <dir>' not specified"],
  [['export', '--checkpoint', 'x'], "error: required option '--out <file.onnx>' not specified"],
  [['train', '--onnx-layout', 'nchw'], "argument 'nchw' is invalid. Allowed choices are image, flat."],
  [['predict', '--n', '0'], "option '--n <count>' argument '0' is invalid."],
  [['sweep', '--lrs', '0.1,,0.2'], "Expected a comma-separated list without empty items, got '0.1,,0.2'."],
  [['sweep', '--batch-sizes', '64,x'], "In '64,x': Expected a whole number >= 1, got 'x'."],
  [['sweep', '--backends', 'reference,nope', '--epochs', '1'], "Unknown backend 'nope'"],
];

describe('bad command lines exit with code 2 and a clear message', () => {
  it.each(CASES)('xbackend %j', async (args, message) => {
    const cwd = await tempDir();
    const run = await runCli(args, { cwd });
    expect(run.code).toBe(2);
    if (typeof message === 'string') expect(run.stderr).toContain(message);
    else expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
    expect(existsSync(join(cwd, 'runs'))).toBe(false);
  });

  it.each([
    [['--batch-size', '601'], 'Batch size 601 (--batch-size) is more than the 600 training examples; choose --batch-size 600 or less'],
    [['--batch-size', '1e9'], 'Batch size 1000000000 (--batch-size) is more than the 600 training examples;'],
    [
      ['--batch-size', '451', '--val-fraction', '0.25'],
      'Batch size 451 (--batch-size) is more than the 450 training examples left after the validation split; choose --batch-size 450 or less',
    ],
  ])('a batch larger than the training set: train %j (the fixture has 600 training examples)', async (flags, message) => {
    const cwd = await tempDir();
    const run = await runCli(['train', ...(await fixtureFlags()), '--epochs', '1', ...flags], { cwd });
    expect(run.stderr).toContain(message);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(existsSync(join(cwd, 'runs'))).toBe(false);
  });

  it('a batch larger than the training set in a sweep, and a whole-set batch is fine', async () => {
    const cwd = await tempDir();
    const data = await fixtureDataFlags();
    const sweep = ['sweep', '--backends', 'reference', '--epochs', '1', '--no-progress', ...data];
    const run = await runCli([...sweep, '--batch-sizes', '64,601'], { cwd });
    expect(run.stderr).toContain('Batch size 601 (--batch-sizes) is more than the 600 training examples;');
    expect(run.code).toBe(2);
    expect(existsSync(join(cwd, 'runs'))).toBe(false);
    const full = await runCli(['train', ...(await fixtureFlags()), '--epochs', '1', '--no-progress', '--batch-size', '600'], { cwd });
    expect(full.code).toBe(0);
    expect(full.stdout).toContain('batch size 600,');
  });

  it('--help and --version exit with 0', async () => {
    const help = await runCli(['train', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--batch-size <n>');
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('no command at all prints the help to stderr and exits with 2', async () => {
    const run = await runCli([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage: xbackend [options] [command]');
  });
});
