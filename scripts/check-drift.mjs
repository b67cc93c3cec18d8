// Fails if the tables (drizzle.config.ts's schema: src/modules/*/*.tables.ts and the sub-folders'
// src/modules/*/*/*.tables.ts) have changes that no committed migration captures: runs
// drizzle-kit generate against a copy of ./migrations and checks nothing new appears.
// drizzle-kit is given a config (its --schema flag takes one glob) and an `out` relative to here
// (it prefixes './' to an absolute one); and it exits 0 even when it fails (ENOENT on a snapshot),
// so its output must say there was nothing to migrate, or the check fails too.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lanyard-drift-'));
const out = path.join(tmp, 'migrations');
fs.cpSync('migrations', out, { recursive: true });
const before = new Set(fs.readdirSync(out));
const config = path.join(tmp, 'drizzle.config.ts');
fs.writeFileSync(
  config,
  `import base from ${JSON.stringify(path.resolve('drizzle.config.ts'))};
export default { ...base, out: ${JSON.stringify(path.relative(process.cwd(), out))} };
`,
);
let output;
try {
  output = execFileSync('npx', ['drizzle-kit', 'generate', '--config', config, '--name', 'drift'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
} catch (e) {
  output = `${e.stdout ?? ''}${e.stderr ?? ''}`;
}
const added = fs.readdirSync(out).filter((f) => !before.has(f) && f.endsWith('.sql'));
const drift = added.map((f) => fs.readFileSync(path.join(out, f), 'utf8')).join('\n');
fs.rmSync(tmp, { recursive: true, force: true });
if (added.length > 0) {
  console.error(
    'Migration drift: the tables differ from the committed migrations. Run `npm run db:generate` and commit the result.',
  );
  console.error(drift);
  process.exit(1);
}
if (!/No schema changes/.test(output)) {
  console.error('The drift check could not run drizzle-kit generate:');
  console.error(output);
  process.exit(1);
}
console.log('No migration drift.');
