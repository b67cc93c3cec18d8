// Compiles src/ to plain JavaScript in dist/ (ADR 0033), so the server can run without the tsx
// loader: on Node 20 tsx transforms every module in a loader thread of its own, which stays
// alive holding ~60 MB for as long as the server runs (docs/http-benchmark.md).
//
// Each file is transpiled on its own (esbuild's transform, as tsx does: no type check, no
// bundling), relative `.ts` specifiers become `.js`, and every other file under src/ (views,
// styles, images) is copied beside it. dist/ has the same depth as src/, so paths a module
// builds from its own URL (../../../models, ../../migrations) resolve to the same folders.
// Tests are left out. Usage: node scripts/build.mjs (npm run build), or
// node scripts/build.mjs --out <folder> to write another folder at the top of the repository
// (the process test builds its own, so it never races `npm start` for dist/).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = path.join(root, 'src');
const outArg = process.argv.indexOf('--out');
const outName = outArg > 0 ? process.argv[outArg + 1] : 'dist';
// The same depth as src/, so module-relative paths (../../../models) still resolve.
if (!outName || !/^dist[\w.-]*$/.test(outName)) {
  console.error('--out takes a folder name at the top of the repository, starting "dist"');
  process.exit(2);
}
const outDir = path.join(root, outName);
const tsconfig = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));
const { target, verbatimModuleSyntax } = tsconfig.compilerOptions;

/** `from './x.ts'`, `import('./x.ts')`, `import './x.ts'`: relative specifiers only. */
const relativeTs = /(["'])(\.{1,2}\/[^"'\n]+?)\.ts\1/g;

const started = performance.now();
const tmp = `${outDir}.tmp-${process.pid}`;
fs.rmSync(tmp, { recursive: true, force: true });
let compiled = 0;
let copied = 0;

function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const from = path.join(dir, entry.name);
    const to = path.join(tmp, path.relative(srcDir, from));
    if (entry.isDirectory()) {
      walk(from);
      continue;
    }
    if (entry.name.endsWith('.test.ts')) continue;
    fs.mkdirSync(path.dirname(to), { recursive: true });
    if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      const { code } = transformSync(fs.readFileSync(from, 'utf8'), {
        loader: 'ts',
        format: 'esm',
        target: 'node20',
        sourcefile: path.relative(root, from),
        tsconfigRaw: { compilerOptions: { target, verbatimModuleSyntax } },
      });
      fs.writeFileSync(to.replace(/\.ts$/, '.js'), code.replace(relativeTs, '$1$2.js$1'));
      compiled++;
    } else if (!entry.name.endsWith('.d.ts')) {
      fs.copyFileSync(from, to);
      copied++;
    }
  }
}

walk(srcDir);
// Swap the whole folder at once, so a server started from dist/ never sees half a build.
fs.rmSync(outDir, { recursive: true, force: true });
fs.renameSync(tmp, outDir);
console.log(
  `${outName}/: ${compiled} modules compiled, ${copied} other files copied in ${Math.round(performance.now() - started)} ms`,
);
