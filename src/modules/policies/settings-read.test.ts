/**
 * Settings cannot pile up unread (issue 15 item 5): every setting of the profile is read by a
 * module, or marked "information only" (settings/editor-meta.ts, with the reason), or listed
 * below as awaiting the module that is being built to enforce it. How a read is recognised is in
 * scripts/policy-settings-readers.ts (its accessor, e.g. `settings.consent.purposes`, or the
 * property where the file reaches its section).
 */
import { describe, expect, it } from 'vitest';
import { rulePaths } from './policy-settings.ts';
import fs from 'node:fs';
import path from 'node:path';
import { informationOnly, informationOnlyFields } from './settings/editor-meta.ts';
import { ruleNode } from './policy-form-schema.ts';
import { settingReaders } from '../../../scripts/policy-settings-readers.ts';

/**
 * Settings whose module is being built now, with the issue that builds it. This list only
 * shrinks: a setting here that a module reads fails the test until it is taken off.
 */
const awaitingModule: Record<string, string> = {
  // Issue 16 (policy text, acknowledgements, annual review, governors' monitoring report).
};

describe('every setting is read by a module', () => {
  const readers = settingReaders(rulePaths);

  it('or is information only, or awaits its module', () => {
    const unread = rulePaths.filter(
      (p) =>
        (readers.get(p) ?? []).length === 0 &&
        !Object.hasOwn(informationOnly, p) &&
        !Object.hasOwn(awaitingModule, p),
    );
    expect(unread, 'read these settings in a module, or mark them information only').toEqual([]);
  });

  it('takes a setting off the awaiting list once a module reads it', () => {
    const nowRead = Object.keys(awaitingModule).filter((p) => (readers.get(p) ?? []).length > 0);
    expect(nowRead, 'remove these from awaitingModule: a module reads them now').toEqual([]);
  });

  it('marks information only only what no module reads, and only real settings', () => {
    const read = Object.keys(informationOnly).filter((p) => (readers.get(p) ?? []).length > 0);
    expect(read, 'a module reads these: they are not information only').toEqual([]);
    const known = new Set<string>(rulePaths);
    expect(
      [...Object.keys(informationOnly), ...Object.keys(awaitingModule)].filter(
        (p) => !known.has(p),
      ),
    ).toEqual([]);
  });

  it('marks parts of a setting information only only where they are real fields no module reads', () => {
    const srcDir = path.resolve(import.meta.dirname, '../..');
    const code: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) {
          // The profile's own schema, labels and templates define the fields; they do not act.
          if (!full.endsWith(path.join('modules', 'policies'))) walk(full);
        } else if (/\.(ts|njk)$/.test(e.name) && !e.name.endsWith('.test.ts')) {
          code.push(fs.readFileSync(full, 'utf8'));
        }
      }
    };
    walk(srcDir);
    expect(Object.keys(informationOnlyFields).length).toBeGreaterThan(0);
    for (const key of Object.keys(informationOnlyFields)) {
      const rule = rulePaths.find((p) => key.startsWith(`${p}.`));
      expect(rule, key).toBeDefined();
      const field = key.slice(rule!.length + 1);
      let node = ruleNode(rule!);
      if (node.kind === 'list') node = node.item;
      expect(node.kind === 'object' && node.fields.some((f) => f.name === field), key).toBe(true);
      // The whole setting is read (else it would be information only as a whole) …
      expect((readers.get(rule!) ?? []).length, rule).toBeGreaterThan(0);
      // … but this field by no module.
      expect(
        code.filter((text) => new RegExp(`\\b${field}\\b`).test(text)),
        key,
      ).toEqual([]);
    }
  });
});
