import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { DATA_PATH, dataDirs, serveDataFiles } from './page-data-files.js';
import { PAGE_HEADERS } from './page-headers.js';

/** The types a static host must give the bundle's files (`.wasm` as application/wasm, or streaming compilation fails). */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

export interface ServedPage {
  /** `http://127.0.0.1:<port>/`: a secure context, so Cache Storage and cross-origin isolation work. A new server is a new origin. */
  readonly url: string;
  /** How many requests for the data files it has answered so far. */
  dataRequests(): number;
  close(): Promise<void>;
}

function notFound(response: ServerResponse, what: string): void {
  response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(`${what} is not part of this page.\n`);
}

/** A file of the bundle under `root` (never outside it), with its content type; a folder's index.html. */
async function sendFile(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  let path: string;
  try {
    path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
  } catch {
    return notFound(response, String(request.url));
  }
  const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
  if (file !== root && !file.startsWith(`${root}${sep}`)) return notFound(response, path);
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return notFound(response, path);
  response.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': String(info.size),
    'Cache-Control': 'no-cache',
  });
  if (request.method === 'HEAD') response.end();
  else createReadStream(file).pipe(response);
}

/**
 * Serves a built page (the playground's `dist/`) as a static host must: every response with `PAGE_HEADERS`, the
 * bundle's files with their content types, and the four Fashion-MNIST files under `data/fashion-mnist/` from
 * `dataFolders` (default: `$FASHION_MNIST_DIR` alone when set, else the user cache and the Debian package folder).
 * Listens on a free port of 127.0.0.1.
 */
export async function serveStaticPage(root: string, dataFolders: readonly string[] = dataDirs()): Promise<ServedPage> {
  const base = resolve(root);
  const data = serveDataFiles(dataFolders);
  let requests = 0;
  const server = createServer((request, response) => {
    for (const [name, value] of Object.entries(PAGE_HEADERS)) response.setHeader(name, value);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (request.url?.includes(`/${DATA_PATH}`)) requests++;
    data(request, response, () => {
      sendFile(base, request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        response.end(`${error instanceof Error ? error.message : String(error)}\n`);
      });
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    dataRequests: () => requests,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        // A browser keeps connections open; close() alone would wait for them.
        server.closeAllConnections();
      }),
  };
}
