import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { defaultCacheDir, FASHION_MNIST_FILES, SYSTEM_DATASET_DIR } from '@xbackend/datasets';

/** The URL folder the page fetches the four files from (relative to the page, so a sub-path deployment works too). */
export const DATA_PATH = 'data/fashion-mnist/';

/**
 * Where the server looks for `<file>.gz` (or the uncompressed file): `$FASHION_MNIST_DIR` alone when set, else the
 * user cache and then the Debian package folder, as the Node loader searches them.
 */
export function dataDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  return env.FASHION_MNIST_DIR ? [env.FASHION_MNIST_DIR] : [defaultCacheDir(env), SYSTEM_DATASET_DIR];
}

function findFile(name: string, dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    for (const candidate of [join(dir, name), join(dir, name.replace(/\.gz$/, ''))]) {
      if (existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

type Next = () => void;

/**
 * Connect-style middleware serving `/<base>data/fashion-mnist/<file>.gz`: a file it knows from the first folder
 * that has it, a 404 with the folders searched otherwise (never the app's index.html, which would look like data).
 */
export function serveDataFiles(dirs: readonly string[] = dataDirs()) {
  const known = new Set(FASHION_MNIST_FILES.map((f) => `${f}.gz`));
  return (request: IncomingMessage, response: ServerResponse, next: Next): void => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const at = path.lastIndexOf(`/${DATA_PATH}`);
    if (at < 0) {
      next();
      return;
    }
    const name = path.slice(at + DATA_PATH.length + 1);
    const file = known.has(name) ? findFile(name, dirs) : undefined;
    if (!file) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(`${name} is not in ${dirs.join(', ')}.\n`);
      return;
    }
    void stat(file).then((info) => {
      response.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(info.size),
        'Cache-Control': 'no-cache',
      });
      createReadStream(file).pipe(response);
    }, next);
  };
}
