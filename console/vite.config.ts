import { defineConfig } from 'vite';

// `vite build console` (npm run build:console): root is console/, output console/dist, served by the API at `/`.
// During `vite` (dev) the API runs separately (alphabet serve); /api is proxied to it.
export default defineConfig({
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1000 },
  server: { proxy: { '/api': process.env.ALPHABET_API_URL ?? 'http://127.0.0.1:8700' } },
});
