// Fails if src/modules/*/*.tables.ts has changes that no committed migration captures:
// runs drizzle-kit generate against a copy of ./migrations and checks nothing new appears.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lanyard-drift-'));
fs.cpSync('migrations', tmp, { recursive: true });
const before = new Set(fs.readdirSync(tmp));
const output = execFileSync(
  'npx',
  [
    'drizzle-kit',
    'generate',
    '--dialect',
    'postgresql',
    '--schema',
    './src/modules/*/*.tables.ts',
    '--out',
    tmp,
    '--name',
    'drift',
  ],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
);
const added = fs.readdirSync(tmp).filter((f) => !before.has(f) && f.endsWith('.sql'));
fs.rmSync(tmp, { recursive: true, force: true });
if (added.length > 0) {
  console.error(
    'Migration drift: the tables differ from the committed migrations. Run `npm run db:generate` and commit the result.',
  );
  console.error(output);
  process.exit(1);
}
console.log('No migration drift.');
