import { join } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The portal is served by the api (services/api/src/portal/static.ts) from dist/: same
// origin as /graphql and /session, so the session cookie and no CORS.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: join(import.meta.dirname, 'dist'),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: true,
  },
  server: { proxy: { '/graphql': 'http://127.0.0.1:4000', '/session': 'http://127.0.0.1:4000' } },
});
