import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** Where `/ws` is proxied in `vite` dev and `vite preview`; the Studio server listens on 8080 by default. */
const studioServerUrl = process.env.STUDIO_SERVER_URL ?? 'http://127.0.0.1:8080';

/**
 * Builds the browser IDE from `client/` into `dist/client/`, which the server
 * serves next to its one WebSocket at `/ws`. Monaco's workers are bundled
 * through `?worker` imports in client/src/monaco/, so nothing loads from a CDN.
 */
export default defineConfig({
  root: 'client',
  plugins: [react()],
  build: {
    outDir: '../dist/client',
    emptyOutDir: true,
    target: 'es2022',
    // Monaco's editor chunk is large by nature; it loads after the shell paints.
    chunkSizeWarningLimit: 4096,
  },
  worker: { format: 'es' },
  server: {
    port: 5173,
    proxy: { '/ws': { target: studioServerUrl, ws: true } },
  },
  preview: {
    port: 5174,
    proxy: { '/ws': { target: studioServerUrl, ws: true } },
  },
});
