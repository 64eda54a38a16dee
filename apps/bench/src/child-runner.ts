import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ChildMessage, ProgressMessage, RunMeasurement, RunRequest } from './protocol.js';

/** How a child run ended: with a measurement, or with the reason it has none. */
export type RunOutcome = { readonly ok: true; readonly measurement: RunMeasurement } | { readonly ok: false; readonly error: string };

export interface ChildRunOptions {
  readonly signal?: AbortSignal;
  /** Kill the child and report a failure after this long (default: no limit). */
  readonly timeoutMs?: number;
  readonly onProgress?: (message: ProgressMessage) => void;
  /** Called once the child exists (tests use the pid to check that it is gone afterwards). */
  readonly onSpawn?: (child: ChildProcess) => void;
}

/** Last bytes of the child's stderr kept for the error message of a crash. */
const STDERR_TAIL = 4000;

/**
 * Running from TypeScript sources (tsx, vitest) the child is child-entry.ts under tsx with the `source` export
 * condition, so workspace packages resolve to their sources as well; from a build it is child-entry.js under plain node.
 */
export function childCommand(): { entry: string; execArgv: string[] } {
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(`./child-entry.${fromSources ? 'ts' : 'js'}`, import.meta.url));
  if (!fromSources) return { entry, execArgv: [] };
  let tsx = 'tsx';
  try {
    tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  } catch {
    // Leave it to node to find tsx from the working directory.
  }
  return { entry, execArgv: ['--conditions=source', '--import', tsx] };
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('The bench was interrupted.', 'AbortError');
}

/**
 * Runs one request in a fresh child process, so each backend has its own heap, threads and peak memory, and a
 * crash or hang takes only its own run down. Resolves with the outcome (a failure is an outcome, not an exception);
 * rejects only when `signal` aborts, after the child has been killed and has exited.
 */
export function runInChild(request: RunRequest, options: ChildRunOptions = {}): Promise<RunOutcome> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const { entry, execArgv } = childCommand();
  return new Promise((resolve, reject) => {
    const child = fork(entry, [], { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json' });
    let stderr = '';
    let settled: { outcome: RunOutcome } | { abort: Error } | undefined;
    let timer: NodeJS.Timeout | undefined;

    const finish = (result: { outcome: RunOutcome } | { abort: Error }) => {
      settled ??= result;
    };
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const onAbort = () => {
      finish({ abort: abortError(signal as AbortSignal) });
      kill();
    };

    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_TAIL);
    });
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'progress') options.onProgress?.(message);
      else if (message.type === 'result') finish({ outcome: { ok: true, measurement: message.measurement } });
      else finish({ outcome: { ok: false, error: message.message } });
    });
    child.on('error', (error) => {
      finish({ outcome: { ok: false, error: `could not run the child process: ${error.message}` } });
      if (child.pid === undefined) {
        // Never started, so no 'close' will follow.
        signal?.removeEventListener('abort', onAbort);
        if (timer) clearTimeout(timer);
        resolve({ ok: false, error: `could not start the child process: ${error.message}` });
      } else kill();
    });
    // 'close' comes after 'exit' and after stdio has drained, so the stderr tail is complete.
    child.on('close', (code, exitSignal) => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      const tail = stderr.trim();
      finish({
        outcome: {
          ok: false,
          error:
            `the child process ${exitSignal ? `was killed by ${exitSignal}` : `exited with code ${code}`} before reporting a result` +
            (tail ? `; its stderr ended with:\n${tail}` : ''),
        },
      });
      const result = settled as { outcome: RunOutcome } | { abort: Error };
      if ('abort' in result) reject(result.abort);
      else resolve(result.outcome);
    });

    signal?.addEventListener('abort', onAbort, { once: true });
    if (options.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        finish({
          outcome: {
            ok: false,
            error: `timed out after ${Math.round((options.timeoutMs as number) / 1000)} s (--run-timeout); the child was killed`,
          },
        });
        kill();
      }, options.timeoutMs);
    }
    options.onSpawn?.(child);
    child.send(request);
  });
}
