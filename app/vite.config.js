// Synod's web app: a static site (index.html and its bundle), served by any web server.
// `npm run build -w @synod/app` writes it to app/dist; `npm run dev -w @synod/app` serves it
// with reload while developing.
import { defineConfig } from 'vite';

export default defineConfig({
  // Relative asset URLs, so that the built app works under any path.
  base: './',
  build: {
    target: 'es2022',
    // polkadot.js is a large bundle: one chunk, loaded once.
    chunkSizeWarningLimit: 4096,
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
