/**
 * Every clause a page, email or message cites comes from the school's own policy profile: no
 * clause ("003 §4.15", "004 D") and no seed policy number is written into code. Comments may
 * explain where a rule comes from; strings and templates (what people read) may not. The
 * templates in ./templates/ are the one place clauses are written, as data.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const templatesDir = path.join(srcDir, 'modules/policies/templates');

/** A section sign, or a seed number 000–004 standing alone (not "2,000" or "1000"). */
const clausePattern = /§|(?<![\d,.])00[0-4](?![\d,])/;

/**
 * The vocabulary citations are made of (policy-settings.ts): the seed ids, their file names and
 * the separator formatCitation puts between a seed and its section. Not clauses themselves.
 */
const vocabulary = /^(?:00[0-4]|00[0-4]_[0-9a-f]{16}\.txt| §)$/;

function files(dir: string, ext: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (full !== templatesDir) out.push(...files(full, ext));
    } else if (entry.name.endsWith(ext) && !entry.name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

/** The text of every string and template literal in a TypeScript file, with its line. */
function stringsIn(file: string): { line: number; text: string }[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const out: { line: number; text: string }[] = [];
  const visit = (node: ts.Node) => {
    if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node)
    ) {
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      out.push({ line, text: node.text });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

describe('no clause is written into code', () => {
  it('finds none in the strings of any TypeScript file outside the policy templates', () => {
    const found: string[] = [];
    for (const file of files(srcDir, '.ts')) {
      for (const s of stringsIn(file)) {
        if (clausePattern.test(s.text) && !vocabulary.test(s.text)) {
          found.push(`${path.relative(srcDir, file)}:${s.line}: ${s.text.slice(0, 100)}`);
        }
      }
    }
    expect(found).toEqual([]);
    // Parsing every source file takes seconds on a busy machine.
  }, 60_000);

  it('finds none in any page template (comments aside)', () => {
    const found: string[] = [];
    for (const file of files(srcDir, '.njk')) {
      const text = fs.readFileSync(file, 'utf8').replace(/\{#[\s\S]*?#\}/g, '');
      text.split('\n').forEach((line, i) => {
        if (clausePattern.test(line)) {
          found.push(`${path.relative(srcDir, file)}:${i + 1}: ${line.trim().slice(0, 100)}`);
        }
      });
    }
    expect(found).toEqual([]);
  });

  it('finds no seed clause in comments either: they name the profile rule instead', () => {
    // A seed number followed by a section: "003 §4.9", "004 D", "000 PREVENT".
    const seedClause = /(?<![\d,.])00[0-4](?![\d,])\s(?:§|[A-Z])/;
    const found: string[] = [];
    for (const file of files(srcDir, '.ts')) {
      fs.readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (seedClause.test(line)) {
            found.push(`${path.relative(srcDir, file)}:${i + 1}: ${line.trim().slice(0, 100)}`);
          }
        });
    }
    expect(found).toEqual([]);
  });

  it('recognises a clause, and not a number', () => {
    for (const s of ['(003 §4.9)', '004 D', 'as 000 PREVENT', 'Only 001 asks']) {
      expect(clausePattern.test(s), s).toBe(true);
    }
    for (const s of ['Use 2,000 characters or fewer', '10,000 pupils', '1000', '2004-05-06']) {
      expect(clausePattern.test(s), s).toBe(false);
    }
  });
});
