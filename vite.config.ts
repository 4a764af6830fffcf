import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

// The client is built from client/ into dist/client, which the server serves.
// `npx vite` (dev server) proxies /ws and /api to a serialdeck started on port 8080.
export default defineConfig({
  root: 'client',
  base: './',
  // No source maps: the package ships dist/ only, and a map must not point at sources it does not ship.
  build: { outDir: '../dist/client', emptyOutDir: true, sourcemap: false },
  server: {
    proxy: {
      '/ws': { target: 'ws://127.0.0.1:8080', ws: true },
      '/api': 'http://127.0.0.1:8080',
    },
  },
  test: {
    root,
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests drive ptys, workers and a browser on 2 cores: run files two at a time.
    maxWorkers: 2,
  },
});
