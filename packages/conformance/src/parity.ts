/**
 * `pnpm parity`: runs every adapter's conformance suite (their `conformance.test.ts`), recording what each check
 * measured, and writes docs/parity.md; exits non-zero if any measured error exceeds its tolerance.
 * `pnpm parity --from <dir>` only writes the report, from the records of an earlier run with XB_PARITY_DIR=<dir>
 * (CI records them during its test run). gpujs/headlessgl needs a display: run under `xvfb-run -a` on a server.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listBackends } from '@xbackend/core';
import { writeFileAtomic } from '@xbackend/core/node';
import { readEngineRecords } from './parity-record.js';
import { failures, type Machine, renderParityReport } from './parity-report.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const USAGE = 'usage: pnpm parity [--from <dir of records>] [--out <file>]   (default --out docs/parity.md)';

function parseArgs(args: readonly string[]): { from?: string; out: string } {
  let from: string | undefined;
  let out = join(ROOT, 'docs', 'parity.md');
  for (let i = 0; i < args.length; i++) {
    const value = args[i + 1];
    if ((args[i] === '--from' || args[i] === '--out') && value && !value.startsWith('--')) {
      if (args[i] === '--from') from = value;
      else out = value;
      i++;
    } else {
      throw new Error(`unknown or incomplete argument '${args[i]}'\n${USAGE}`);
    }
  }
  return from === undefined ? { out } : { from, out };
}

/** Runs the conformance suites with XB_PARITY_DIR set; resolves to vitest's exit code. */
function runSuites(dir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['vitest', 'run', 'conformance.test.ts'], {
      cwd: ROOT,
      env: { ...process.env, XB_PARITY_DIR: dir },
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

function machine(): Machine {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    date: new Date().toISOString().slice(0, 10),
  };
}

async function main(): Promise<number> {
  const { from, out } = parseArgs(process.argv.slice(2));
  const dir = from ?? (await mkdtemp(join(tmpdir(), 'xb-parity-')));
  try {
    const suites = from === undefined ? await runSuites(dir) : 0;
    const records = await readEngineRecords(dir);
    if (records.length === 0) {
      console.error(`No parity records in ${dir}: did the conformance suites run with XB_PARITY_DIR=${dir}?`);
      return 1;
    }
    // Adapters resolve from examples/, which depends on every backend xbackend ships.
    const statuses = await listBackends({ resolveFrom: join(ROOT, 'examples', 'package.json') });
    await writeFileAtomic(out, `${renderParityReport(records, statuses, machine())}\n`);
    const failed = failures(records);
    console.log(`parity: ${records.length} engines measured, report written to ${out}`);
    for (const f of failed) console.error(`parity: FAIL ${f}`);
    return failed.length > 0 || suites !== 0 ? 1 : 0;
  } finally {
    if (from === undefined) await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  },
);
