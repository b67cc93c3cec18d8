import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  // A module keeps its tables in its folder, or in a sub-folder by job (incidents/evidence/).
  schema: ['./src/modules/*/*.tables.ts', './src/modules/*/*/*.tables.ts'],
  out: './migrations',
});
