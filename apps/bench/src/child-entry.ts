import type { ChildMessage, RunRequest } from './protocol.js';
import { runWorkload } from './run-workload.js';

/**
 * Entry point of a run's child process (forked by child-runner.ts). It waits for one RunRequest on the IPC channel,
 * answers with progress messages and one result or error, then exits. Not a public command.
 */

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

function errorMessage(error: unknown): ChildMessage {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      type: 'error',
      name: error.name,
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(error.stack ? { stack: error.stack } : {}),
    };
  }
  return { type: 'error', name: 'Error', message: String(error) };
}

if (!process.send) {
  console.error('child-entry is started by the bench harness (child_process.fork with an IPC channel); run xbackend-bench instead.');
  process.exit(2);
}

// The parent is gone (killed, or interrupted): nothing would read our result, so stop at once.
process.on('disconnect', () => process.exit(1));

process.once('message', async (request: RunRequest) => {
  let code = 0;
  try {
    const measurement = await runWorkload(request, (progress) => void send(progress));
    await send({ type: 'result', measurement });
  } catch (error) {
    code = 1;
    await send(errorMessage(error));
  }
  // Some engines keep worker threads or native handles alive; the run is over, so exit explicitly.
  process.exit(code);
});
