// Test helper (excluded from the build): a loopback HTTP mirror whose files can misbehave on purpose.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Route =
  /** The whole body, with Content-Length. */
  | { readonly kind: 'ok'; readonly body: Uint8Array }
  /** Declares the full Content-Length, sends `sendBytes`, then drops the connection. */
  | { readonly kind: 'cut'; readonly body: Uint8Array; readonly sendBytes: number }
  /** No Content-Length; sends `sendBytes` and ends cleanly, so only the content shows the truncation. */
  | { readonly kind: 'short'; readonly body: Uint8Array; readonly sendBytes: number }
  /** Sends headers and `sendBytes`, then nothing, ever. */
  | { readonly kind: 'stall'; readonly body: Uint8Array; readonly sendBytes: number }
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'redirect'; readonly location: string }
  /** The n-th request gets `routes[n]` (the last one repeats). */
  | { readonly kind: 'sequence'; readonly routes: readonly Route[] };

export interface TestMirror {
  readonly baseUrl: string;
  /** Requests per path, e.g. `/train-images-idx3-ubyte.gz`. */
  readonly requests: Map<string, number>;
  route(path: string, route: Route): void;
  close(): Promise<void>;
}

export async function startMirror(): Promise<TestMirror> {
  const routes = new Map<string, Route>();
  const requests = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const n = requests.get(path) ?? 0;
    requests.set(path, n + 1);
    serve(routes.get(path) ?? { kind: 'status', status: 404 }, n, response);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/`,
    requests,
    route: (path, route) => routes.set(path, route),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function serve(route: Route, n: number, response: ServerResponse): void {
  switch (route.kind) {
    case 'ok':
      response.writeHead(200, { 'content-length': route.body.length }).end(route.body);
      return;
    case 'cut':
      response.writeHead(200, { 'content-length': route.body.length });
      response.write(route.body.subarray(0, route.sendBytes), () => response.socket?.destroy());
      return;
    case 'short':
      response.writeHead(200).end(route.body.subarray(0, route.sendBytes));
      return;
    case 'stall':
      response.writeHead(200, { 'content-length': route.body.length });
      response.flushHeaders();
      response.write(route.body.subarray(0, route.sendBytes));
      return;
    case 'status':
      response.writeHead(route.status).end();
      return;
    case 'redirect':
      response.writeHead(302, { location: route.location }).end();
      return;
    case 'sequence':
      serve(route.routes[Math.min(n, route.routes.length - 1)] as Route, 0, response);
      return;
  }
}
