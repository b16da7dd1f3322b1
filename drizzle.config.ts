import { defineConfig } from 'drizzle-kit';

// Every package's tables.ts feeds the one migrations folder of @guichet/db.
// `DRIZZLE_OUT` lets `pnpm db:check` generate into a scratch copy.
export default defineConfig({
  dialect: 'postgresql',
  schema: ['./packages/*/src/**/tables.ts', './services/*/src/**/tables.ts'],
  out: process.env.DRIZZLE_OUT ?? './packages/db/migrations',
});
