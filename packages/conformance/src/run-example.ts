import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const EXAMPLES_DIR = fileURLToPath(new URL('../../../examples/', import.meta.url));

export interface EpochLine {
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  testAcc: number;
}

export interface ExampleRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** `backend/engine (dtype)` from trainCh3's first line. */
  trainedOn: string | undefined;
  history: EpochLine[];
}

const EPOCH_LINE = /^epoch (\d+): train loss ([\d.]+), train acc ([\d.]+), test acc ([\d.]+)/;

/** Runs an examples/ script unchanged, as a user would (TypeScript sources via tsx), with XB_BACKEND set. */
export function runExample(script: string, backend: string, env: NodeJS.ProcessEnv = {}): Promise<ExampleRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', script], {
      cwd: EXAMPLES_DIR,
      env: { ...process.env, ...env, XB_BACKEND: backend },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = stdout.split('\n');
      const history = lines.flatMap((line) => {
        const m = EPOCH_LINE.exec(line);
        return m ? [{ epoch: Number(m[1]), trainLoss: Number(m[2]), trainAcc: Number(m[3]), testAcc: Number(m[4]) }] : [];
      });
      const trainedOn = lines.find((l) => l.startsWith('training on '))?.slice('training on '.length);
      resolve({ code, stdout, stderr, trainedOn, history });
    });
  });
}

/** A run's exit code, output and the end of its errors: what a failed expectation shows. */
export function runSummary(run: ExampleRun): string {
  return `exit ${run.code}\n${run.stdout}\n${run.stderr.slice(-2000)}`;
}
