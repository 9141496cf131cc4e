import { defineConfig, type ProxyOptions } from 'vite';

// Dev and `vite preview` only: the API behind a proxy, as if same-origin. The server refuses
// cookie requests from a foreign Origin (csrf_rejected), so the proxy presents the API's own.
// CUSTODIAN_API=http://localhost:3300 points it at another server.
const api = process.env.CUSTODIAN_API ?? 'http://localhost:3000';
const devProxy: ProxyOptions = {
  target: api,
  changeOrigin: true,
  configure: (proxy) => proxy.on('proxyReq', (req) => req.getHeader('origin') && req.setHeader('origin', new URL(api).origin)),
};

// Built by scripts/build-web.js (root: web/). Dev: `npx vite web` serves the console on :5173 and
// proxies the API to a server on :3000 (same-origin in the browser, so the session cookie works).
export default defineConfig({
  base: '/',
  // Vite 8 transforms TSX with oxc; React 19's automatic runtime (no @vitejs/plugin-react).
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    // Hashed files under /assets/ are served immutable (the contract); index.html is no-store.
    assetsDir: 'assets',
    sourcemap: false,
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      // antd's modules start with "use client" (for React Server Components): meaningless in this bundle.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
      output: {
        // React, the router and TanStack Query change rarely: one long-cached chunk, apart from the
        // console's own code. antd is left to the default splitting, so each component stays with
        // the first chunk that needs it (a component only an area uses loads with that area).
        codeSplitting: {
          groups: [{ name: 'vendor', test: /node_modules[\\/](react|react-dom|scheduler|react-router|@tanstack|cookie|set-cookie-parser)[\\/]/ }],
        },
      },
    },
  },
  server: { proxy: { '/api': devProxy } },
});
