/**
 * The response headers the playground page needs from any server: Vite's dev and preview servers, the static server
 * here, a static host. COOP + COEP make the page cross-origin isolated (SharedArrayBuffer, so WebAssembly threads for
 * tfjs and onnxruntime-web); the CSP allows only this origin, compiling WebAssembly, and the blob: workers that
 * tfjs-wasm starts for its threads.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Content-Security-Policy': [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval' blob:",
    "worker-src 'self' blob:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "connect-src 'self' blob: data:",
  ].join('; '),
};
