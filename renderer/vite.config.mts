import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { APP_CSP_META } from '../shared/csp';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Writes the app's one Content-Security-Policy (shared/csp.ts) into index.html as the first tag of <head>. */
function cspMeta(): Plugin {
  return {
    name: 'drydock-csp-meta',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: APP_CSP_META }, injectTo: 'head-prepend' },
    ],
  };
}

// Relative base: the same build is loaded from file:// by Electron and from the loopback bridge.
export default defineConfig({
  root: here,
  base: './',
  plugins: [cspMeta(), react()],
  build: {
    outDir: path.resolve(here, '../dist/renderer'),
    emptyOutDir: true,
    // The CSP forbids inline scripts and data: scripts; keep every asset a file.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
  },
});
