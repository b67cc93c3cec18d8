/**
 * Which modules read each policy setting (issue 15 item 5), found by scanning their source.
 *
 * How a read is recognised (the approach, and its limits):
 * - Files: every `src/modules/<module>/**\/*.ts` outside `src/modules/policies/` (tests left
 *   out), and the policies module's own files that act on settings (POLICIES_ENFORCING: the
 *   service and jobs, the scope and responsibilities services, the event notice); never the
 *   settings, templates, pages or editor. Comments are
 *   removed first, so a setting named in a comment is not a read.
 * - A setting at `a.b` (or `a.b.c`) is read in a file that has
 *   1. its accessor, the last two parts of its path joined by a dot (optional chaining and spaces
 *      allowed): `settings.consent.purposes`, `rules.retention.deleteAfterYears`; or
 *   2. its whole path in quotes (`getRule(settings, 'consent.model')`); or
 *   3. the property itself (`.separateConsentPerMediaType`, or `{ separateConsentPerMediaType }`
 *      destructured) in a file that also reaches its parent (`.consent`, `.retention`): the way a
 *      module reads a section it took once (`const c = settings.consent; c.model.value`); or
 *   4. for a setting inside a keyed group (`incidents.playbooks.parent_defamation`), the group
 *      indexed by a key (`playbooks[type]`), which reads every setting of the group.
 * A rule's name is long and particular (`takedownWherePracticable`), so a property of the same
 * name that is not the setting is unlikely; short names (`model`) need their parent in the file.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...files(full));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts'))
      out.push(full);
  }
  return out;
}

/** The source without comments (strings kept: a quoted path is a read). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:'"`\\])\/\/[^\n]*/g, '$1');
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** For each rule path, the modules whose source reads it (sorted; empty when none does). */
/**
 * The policies module's own files that act on settings: the service (with its parts, the
 * policies-*.service.ts files) and jobs (the review rules),
 * and issue 15's parts staff use (responsibilities, the event photography notice). Not the
 * scope service (policy-scope.ts): its accessors only hand settings to other modules, so a
 * setting counts as read where a module uses it, not where an accessor could return it.
 */
const POLICIES_ENFORCING =
  /^policies\/(policies\.(service|jobs)|policies-(versions|save|review)\.service|responsibilities\.service|event-notice\.routes)\.ts$/;

export function settingReaders(paths: readonly string[]): Map<string, string[]> {
  const modulesDir = join(ROOT, 'src', 'modules');
  const sources: { module: string; text: string }[] = [];
  for (const file of files(modulesDir)) {
    const rel = relative(modulesDir, file);
    const module = rel.split(/[\\/]/)[0]!;
    if (!rel.includes('/')) continue;
    if (module === 'policies' && !POLICIES_ENFORCING.test(rel)) continue;
    sources.push({ module, text: withoutComments(readFileSync(file, 'utf8')) });
  }
  const out = new Map<string, string[]>();
  for (const path of paths) {
    const parts = path.split('.');
    const last = parts[parts.length - 1]!;
    const parent = parts[parts.length - 2]!;
    const direct = [
      new RegExp(`\\b${escape(parent)}\\s*\\??\\.\\s*${escape(last)}\\b`),
      new RegExp(`['"\`]${escape(path)}['"\`]`),
      ...(parts.length > 2 ? [new RegExp(`\\b${escape(parent)}\\s*(\\?\\.)?\\s*\\[`)] : []),
    ];
    const property = [
      new RegExp(`\\??\\.\\s*${escape(last)}\\b`),
      new RegExp(`\\{[^}]*\\b${escape(last)}\\b[^}]*\\}\\s*=`),
    ];
    const parentAccess = new RegExp(`\\??\\.\\s*${escape(parent)}\\b`);
    const readers = new Set<string>();
    for (const s of sources) {
      const read =
        direct.some((p) => p.test(s.text)) ||
        (property.some((p) => p.test(s.text)) && parentAccess.test(s.text));
      if (read) readers.add(s.module);
    }
    out.set(path, [...readers].sort());
  }
  return out;
}
