import { PAGE_HEADERS, serveDataFiles } from '@xbackend/runs/browser';
import { defineConfig, type Plugin } from 'vite';

/** Serves Fashion-MNIST from this machine (Debian package or user cache) under data/fashion-mnist/, dev and preview alike. */
function fashionMnistFiles(): Plugin {
  return {
    name: 'xbackend-fashion-mnist-files',
    configureServer: (server) => void server.middlewares.use(serveDataFiles()),
    configurePreviewServer: (server) => void server.middlewares.use(serveDataFiles()),
  };
}

export default defineConfig({
  // Relative asset URLs, so the bundle works from any folder of a static host.
  base: './',
  plugins: [fashionMnistFiles()],
  resolve: {
    // Workspace packages are TypeScript sources ('source'); adapters pick their browser runtime ('browser').
    conditions: ['source', 'browser', 'module', 'development|production'],
  },
  server: { headers: PAGE_HEADERS },
  preview: { headers: PAGE_HEADERS },
  // onnxruntime-web finds its .wasm next to its own module; pre-bundling would move the module away from it.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    // Vite's default minifier breaks tfjs-wasm's threaded worker (rebuilt from Function.toString) and gpu.js kernels
    // (parsed from their source); esbuild's keeps both working.
    minify: 'esbuild',
    chunkSizeWarningLimit: 4096,
  },
});
