import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './core/storage/schema.sqlite.ts',
  out: './migrations/sqlite',
});
