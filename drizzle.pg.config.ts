import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './core/storage/schema.pg.ts',
  out: './migrations/pg',
});
