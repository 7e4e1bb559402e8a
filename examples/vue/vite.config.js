import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  plugins: [vue()],
  // Relative asset URLs: dist/ can be served under any path.
  base: './',
  // Let Vite serve wasm-sse's files as they are, so its .wasm is found next to it.
  optimizeDeps: { exclude: ['wasm-sse'] },
  // The dev server may serve the linked package (its .wasm) from ../../pkg, and
  // the configuration the React and Vue apps share from ../shared.
  server: { fs: { allow: ['.', '../../pkg', '../shared'] } },
  // wasm-sse is linked (file:../../pkg), so its own imports of vue and of
  // itself would be looked up from pkg/: take them from this app instead.
  // (Not needed when wasm-sse is installed from npm.)
  resolve: { dedupe: ['vue', 'wasm-sse'] },
});
