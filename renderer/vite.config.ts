// The window's renderer: React 19 + TypeScript, built to dist/window (served by the browser-mode
// host, loaded from file:// by Electron: hence relative asset paths).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: __dirname,
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/window',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1200,
  },
});
