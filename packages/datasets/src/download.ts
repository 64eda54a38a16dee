import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { ContentError } from './content-error.js';
import { DatasetError } from './dataset-error.js';

export interface DownloadProgress {
  /** File name on the mirror, e.g. `train-images-idx3-ubyte.gz`. */
  readonly file: string;
  readonly url: string;
  /** 1-based; a retry starts again from zero bytes. */
  readonly attempt: number;
  readonly receivedBytes: number;
  /** From Content-Length; `undefined` when the server does not say. */
  readonly totalBytes: number | undefined;
}

export interface DownloadPolicy {
  /** An attempt fails when no data arrives for this long (connecting, waiting for headers, or mid-body). */
  readonly timeoutMs: number;
  /** Attempts after the first one. */
  readonly retries: number;
  /** Wait before the first retry; doubles for each further one. */
  readonly retryDelayMs: number;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: DownloadProgress) => void) | undefined;
}

/** Every attempt to download a file failed; `attempts` says why, one line each. */
export class DownloadError extends DatasetError {
  constructor(
    readonly url: string,
    readonly attempts: readonly string[],
  ) {
    super(`Could not download ${url}: ${attempts.join('; ')}`);
  }
}

/** One failed attempt; `retryable` is false when asking again cannot help (e.g. HTTP 404). */
class AttemptError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

const MAX_REDIRECTS = 5;

/**
 * Downloads `url` and hands the body to `accept`, which decodes and verifies it. A network failure, a timeout,
 * an HTTP 5xx/408/429, or a body that `accept` rejects with `ContentError` (truncated or corrupt in transit)
 * is retried with exponential backoff; the result of the first accepted attempt is returned.
 */
export async function download<T>(url: URL, accept: (body: Buffer) => Promise<T>, policy: DownloadPolicy): Promise<T> {
  const failures: string[] = [];
  for (let attempt = 1; attempt <= policy.retries + 1; attempt++) {
    policy.signal?.throwIfAborted();
    try {
      const body = await fetchOnce(url, attempt, policy, MAX_REDIRECTS);
      return await accept(body);
    } catch (cause) {
      policy.signal?.throwIfAborted();
      if (cause instanceof ContentError) failures.push(`attempt ${attempt}: ${cause.problem}`);
      else if (cause instanceof AttemptError) failures.push(`attempt ${attempt}: ${cause.message}`);
      else throw cause;
      if (cause instanceof AttemptError && !cause.retryable) break;
    }
    if (attempt <= policy.retries) {
      // An abort during the pause surfaces as the signal's own reason, as it does mid-transfer.
      await sleep(policy.retryDelayMs * 2 ** (attempt - 1), undefined, { signal: policy.signal }).catch((cause: unknown) => {
        policy.signal?.throwIfAborted();
        throw cause;
      });
    }
  }
  throw new DownloadError(url.href, failures);
}

function fetchOnce(url: URL, attempt: number, policy: DownloadPolicy, redirectsLeft: number): Promise<Buffer> {
  const file = decodeURIComponent(url.pathname.split('/').at(-1) ?? url.pathname);
  return new Promise<Buffer>((resolvePromise, rejectPromise) => {
    let settled = false;
    let timedOut = false;
    let body: { received: number; total: number | undefined } | undefined; // set once the 200 response starts
    const settle = (outcome: Buffer | Error | Promise<Buffer>): void => {
      if (settled) return;
      settled = true;
      if (outcome instanceof Error) rejectPromise(outcome);
      else resolvePromise(outcome);
    };
    /** The transfer stopped early: says how, and how far it got. */
    const stopped = (how: string): AttemptError => {
      const why = timedOut ? `timed out: no data for ${policy.timeoutMs} ms` : how;
      if (body === undefined) return new AttemptError(why, true);
      const of = body.total === undefined ? '' : ` of ${body.total}`;
      return new AttemptError(`${why} after ${body.received}${of} bytes`, true);
    };
    const client = url.protocol === 'https:' ? https : http;
    // agent: false — a fresh connection per attempt, so a stalled socket is never reused for the retry.
    const request = client.get(
      url,
      { agent: false, headers: { 'accept-encoding': 'identity', 'user-agent': 'xbackend-datasets' }, signal: policy.signal },
      (response) => {
        const status = response.statusCode ?? 0;
        const location = response.headers.location;
        if (status >= 300 && status < 400 && location !== undefined) {
          response.resume();
          if (redirectsLeft === 0) settle(new AttemptError(`too many redirects (last to ${location})`, false));
          else settle(fetchOnce(new URL(location, url), attempt, policy, redirectsLeft - 1));
          return;
        }
        if (status !== 200) {
          response.resume();
          const retryable = status >= 500 || status === 408 || status === 429;
          settle(new AttemptError(`HTTP ${status} ${response.statusMessage ?? ''}`.trim(), retryable));
          return;
        }
        const declared = Number.parseInt(response.headers['content-length'] ?? '', 10);
        const progress = { received: 0, total: Number.isSafeInteger(declared) ? declared : undefined };
        body = progress;
        const chunks: Buffer[] = [];
        const report = (): void =>
          policy.onProgress?.({ file, url: url.href, attempt, receivedBytes: progress.received, totalBytes: progress.total });
        report();
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          progress.received += chunk.length;
          report();
        });
        response.on('end', () => {
          if (progress.total !== undefined && progress.received !== progress.total) settle(stopped('the connection ended'));
          else settle(Buffer.concat(chunks, progress.received));
        });
        response.on('error', () => settle(stopped('the connection broke')));
        response.on('close', () => {
          if (!response.complete) settle(stopped('the connection closed'));
        });
      },
    );
    request.setTimeout(policy.timeoutMs, () => {
      timedOut = true;
      request.destroy();
    });
    request.on('error', (cause) => settle(stopped(cause.message)));
  });
}
