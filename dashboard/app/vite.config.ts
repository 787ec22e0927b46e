/**
 * Build and dev server for the web app. The Fastify server serves the built files from
 * dashboard/dist at `/`, so the API and socket.io share the app's origin; in `vite dev` the same
 * paths are proxied to a locally running server instead. The service worker is its own entry,
 * emitted as `/sw.js` so its scope is the whole app.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const backend = 'http://127.0.0.1:8080';
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    rollupOptions: {
      input: { main: here('index.html'), sw: here('src/sw.ts') },
      output: { entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js') },
    },
  },
  server: {
    proxy: {
      '/api': { target: backend },
      '/socket.io': { target: backend, ws: true },
    },
  },
});
