/// <reference types="vitest/config" />
import preact from '@preact/preset-vite'
import { defineConfig } from 'vite'
import { pwa } from './build/pwa.ts'

// Where the dev/preview server forwards /api. Override with TIENDO_API_URL.
const apiTarget = process.env.TIENDO_API_URL ?? 'http://127.0.0.1:8000'

// Tiến Độ frontend. The FastAPI backend lives under /api/v1; in development
// Vite forwards /api to it so the browser sees a single origin (no CORS).
export default defineConfig({
  base: '/',
  plugins: [preact(), pwa()],
  build: {
    outDir: 'dist',
  },
  server: {
    proxy: {
      '/api': {
        target: apiTarget,
        changeOrigin: false,
      },
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
    // Run far from UTC+7 so a test fails if code reads the machine's clock zone.
    env: { TZ: 'America/Los_Angeles' },
    // Vitest 4 picks a terse reporter when it thinks it runs under an agent;
    // always print the normal per-file list and summary.
    reporters: ['default'],
  },
})
