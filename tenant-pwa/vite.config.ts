/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { VitePWA } from 'vite-plugin-pwa';

const THEME_COLOR = '#0f4c81';

// The PWA is served by Flask under /app/; everything (assets, service worker scope, routes) lives there.
export default defineConfig({
  base: '/app/',
  plugins: [
    preact(),
    VitePWA({
      registerType: 'autoUpdate',
      // main.tsx calls registerSW() from virtual:pwa-register, so no inline script is injected (CSP-friendly).
      injectRegister: false,
      strategies: 'generateSW',
      scope: '/app/',
      base: '/app/',
      manifest: {
        id: '/app/',
        name: 'GestiQCloud',
        short_name: 'GestiQ',
        description: 'ERP para pymes de España y Ecuador: clientes, productos, facturas y compras.',
        lang: 'es',
        dir: 'ltr',
        start_url: '/app/',
        scope: '/app/',
        display: 'standalone',
        orientation: 'any',
        theme_color: THEME_COLOR,
        background_color: '#ffffff',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: 'icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        navigateFallback: '/app/index.html',
        navigateFallbackAllowlist: [/^\/app(\/|$)/],
        // The API is never cached by the service worker: offline data lives in IndexedDB (src/offline/).
        navigateFallbackDenylist: [/^\/api\//],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: true,
      },
      devOptions: { enabled: false },
    }),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    // `npm run dev` proxies the API to a local Flask so cookies stay same-origin.
    proxy: {
      '/api': { target: 'http://127.0.0.1:5000', changeOrigin: false },
    },
  },
  test: {
    environment: 'node',
    // Component tests opt in with `// @vitest-environment happy-dom` and run at /app/.
    environmentOptions: { happyDOM: { url: 'http://localhost/app/' } },
    include: ['tests/**/*.test.{ts,tsx}'],
    restoreMocks: true,
    // CI shares 2 cores with the Python suites: generous timeouts, no test relies on wall-clock speed.
    testTimeout: 60000,
    unstubGlobals: true,
  },
});
