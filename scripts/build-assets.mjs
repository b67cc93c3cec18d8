// Builds the browser assets into ./public: Sass → CSS (GOV.UK Frontend with a system font),
// govuk-frontend's JavaScript and images, and Lanyard's own files. Runs after `npm install`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sass from 'sass';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'public');
const govuk = path.join(root, 'node_modules/govuk-frontend/dist/govuk');
fs.mkdirSync(out, { recursive: true });

const started = Date.now();
const css = sass.compile(path.join(root, 'src/web/assets/app.scss'), {
  loadPaths: [path.join(root, 'node_modules')],
  style: 'compressed',
  quietDeps: true,
  silenceDeprecations: ['import', 'global-builtin', 'mixed-decls'],
  logger: sass.Logger.silent,
});
fs.writeFileSync(path.join(out, 'app.css'), css.css);
fs.copyFileSync(path.join(govuk, 'govuk-frontend.min.js'), path.join(out, 'govuk-frontend.min.js'));
fs.cpSync(path.join(govuk, 'assets/images'), path.join(out, 'images'), { recursive: true });
for (const f of ['app.js', 'favicon.svg'])
  fs.copyFileSync(path.join(root, 'src/web/assets', f), path.join(out, f));
console.log(`assets: built public/ in ${Date.now() - started} ms`);
