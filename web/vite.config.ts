import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// The build output is embedded into the gatescope binary and served by `gatescope serve`
// (no CDN, no network at run time). `npm run dev` proxies the API to a local server.
export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    proxy: {
      '/v1': process.env.GATESCOPE_URL ?? 'http://127.0.0.1:8080',
      '/oauth2': process.env.GATESCOPE_URL ?? 'http://127.0.0.1:8080',
    },
  },
});
