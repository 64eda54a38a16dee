import { mkdir, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_HEADERS } from './page-headers.js';
import { type ServedPage, serveStaticPage } from './static-page-server.js';
import { tempDir } from './test-fixtures.js';

/** A GET of `path` exactly as written: fetch would resolve `..` segments before sending them. */
function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    get({ hostname, port, path }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('serveStaticPage: a built page as a static host must serve it', () => {
  let site: ServedPage;
  let root: string;
  const LABELS = gzipSync(Buffer.from('label bytes'));

  beforeAll(async () => {
    const base = await tempDir();
    root = join(base, 'dist');
    const data = join(base, 'data');
    await mkdir(join(root, 'assets'), { recursive: true });
    await mkdir(data);
    await writeFile(join(root, 'index.html'), '<!doctype html><title>page</title>');
    await writeFile(join(root, 'assets', 'kernel.wasm'), Buffer.from([0, 97, 115, 109]));
    await writeFile(join(root, 'assets', 'main.js'), 'export {};');
    await writeFile(join(base, 'secret.txt'), 'not part of the page');
    await writeFile(join(data, 't10k-labels-idx1-ubyte.gz'), LABELS);
    site = await serveStaticPage(root, [data]);
  });
  afterAll(() => site?.close());

  it('sends every response with the headers that make the page cross-origin isolated, 404s included', async () => {
    for (const path of ['', 'assets/main.js', 'missing.js', 'data/fashion-mnist/train-images-idx3-ubyte.gz']) {
      const response = await fetch(new URL(path, site.url));
      for (const [name, value] of Object.entries(PAGE_HEADERS)) expect(response.headers.get(name), `${path} ${name}`).toBe(value);
    }
    expect(site.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('serves the bundle with its content types: index.html for a folder, application/wasm for .wasm', async () => {
    const index = await fetch(site.url);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toContain('<title>page</title>');
    const wasm = await fetch(new URL('assets/kernel.wasm', site.url));
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(new Uint8Array(await wasm.arrayBuffer())).toEqual(new Uint8Array([0, 97, 115, 109]));
    expect((await fetch(new URL('assets/main.js', site.url))).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('serves nothing outside the bundle and answers 404 for what it does not have', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/missing.js', '/assets']) {
      const { status, body } = await rawGet(site.url, path);
      expect(status, path).toBe(404);
      expect(body).not.toContain('not part of the page');
    }
    expect((await fetch(site.url, { method: 'POST' })).status).toBe(405);
  });

  it('serves the data files from the data folders and counts the requests for them', async () => {
    const before = site.dataRequests();
    const labels = await fetch(new URL('data/fashion-mnist/t10k-labels-idx1-ubyte.gz', site.url));
    expect(labels.status).toBe(200);
    expect(Buffer.from(await labels.arrayBuffer())).toEqual(LABELS);
    const missing = await fetch(new URL('data/fashion-mnist/train-images-idx3-ubyte.gz', site.url));
    expect(missing.status).toBe(404);
    expect(site.dataRequests()).toBe(before + 2);
  });
});
