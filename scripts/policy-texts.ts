/**
 * Converts the five seed policies (/work/shared/seeds, or SEEDS_DIR) into their templates' texts
 * once: src/modules/policies/templates/texts/seed-texts/seed-00N.ts (issue 16 item 1). The
 * committed files are the data; run again only if the parser changes
 * (`npm run policy-texts`; parse-seed.test.ts fails when the files and the seeds disagree).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseSeed } from '../src/modules/policies/templates/texts/parse-seed.ts';
import { seedFiles } from '../src/modules/policies/settings/rules.ts';

const seedsDir = process.env.SEEDS_DIR ?? '/work/shared/seeds';
const out = join(import.meta.dirname, '../src/modules/policies/templates/texts/seed-texts');
mkdirSync(out, { recursive: true });
for (const [id, file] of Object.entries(seedFiles)) {
  const text = parseSeed(id, readFileSync(join(seedsDir, file), 'utf8'));
  const body =
    `// Made by scripts/policy-texts.ts from the seed policy ${file}: do not edit by hand.\n` +
    `import type { PolicyText } from '../policy-text.ts';\n\n` +
    `export const seed${id}Text: PolicyText = ${JSON.stringify(text, null, 2)};\n`;
  writeFileSync(join(out, `seed-${id}.ts`), body);
  console.log(`seed ${id}: ${text.sections.length} sections`);
}
