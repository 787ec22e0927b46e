/**
 * Build and dev server for the operator app. The Fastify server serves the built files from
 * dashboard/dist at `/`, so the API and socket.io share the app's origin; in `vite dev` the same
 * paths are proxied to a locally running server instead.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const backend = 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  build: {
    outDir: '../dist',
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/api': { target: backend },
      '/socket.io': { target: backend, ws: true },
    },
  },
});
