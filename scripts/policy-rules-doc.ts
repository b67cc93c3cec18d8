/**
 * Writes docs/policy-rules.md: every rule of every built-in policy template, with its clause.
 *
 *   npm run docs:policy-rules    (or: node --import tsx scripts/policy-rules-doc.ts --write)
 *
 * First every setting (issue 15 item 5): what it is, the kind of value the settings page takes,
 * what enforces it (the modules that read it, found by scripts/policy-settings-readers.ts, or
 * "information only" with the reason from settings/editor-meta.ts) and Lanyard's default.
 *
 * A unit test (src/modules/policies/templates/templates.test.ts) fails when the file is stale.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format, resolveConfig } from 'prettier';
import {
  formatCitation,
  formatRuleValue,
  getRule,
  incidentTypes,
  lanyardDefaults,
  rulePaths,
  ruleLabels,
  type RulePath,
  ruleList,
  type Citation,
} from '../src/modules/policies/policy-settings.ts';
import { policyTemplates, type PolicyTemplate } from '../src/modules/policies/templates/index.ts';
import { ruleNode, type FieldNode } from '../src/modules/policies/policy-form-schema.ts';
import { optionWords } from '../src/modules/policies/policy-form.ts';
import {
  informationOnly,
  informationOnlyFields,
} from '../src/modules/policies/settings/editor-meta.ts';
import { settingReaders } from './policy-settings-readers.ts';

const COMMAND = 'npm run docs:policy-rules';

/** The kind of value the settings page takes, in words. */
function kindInWords(node: FieldNode): string {
  switch (node.kind) {
    case 'boolean':
      return 'Yes or no';
    case 'choice':
      return `One of: ${node.options.map((o) => optionWords(o) ?? o).join('; ')}${node.nullable ? '; or none' : ''}`;
    case 'number': {
      const range =
        node.min !== undefined && node.max !== undefined ? ` (${node.min} to ${node.max})` : '';
      return `A whole number${range}${node.nullable ? ', or never' : ''}`;
    }
    case 'text':
      return 'Text';
    case 'lines':
      return 'A list of words or phrases';
    case 'choices':
      return `Any of: ${node.options.map((o) => optionWords(o) ?? o).join('; ')}`;
    case 'list':
      return `A list of ${node.noun}s (add, remove, reorder)`;
    case 'object':
      return `Sub-settings: ${node.fields
        .filter((f) => f.node.kind !== 'key' && f.node.kind !== 'kept')
        .map((f) => lowerFirst(f.label ?? optionWords(f.name) ?? f.name))
        .join('; ')}`;
    case 'fixed':
      return 'Fixed by law';
    case 'key':
    case 'kept':
      return '';
  }
}

/** Every setting: its meaning, kind of value, what enforces it and Lanyard's default. */
function settingsSection(): string[] {
  const readers = settingReaders(rulePaths);
  const lines = [
    '<a id="every-setting"></a>',
    '',
    '## Every setting',
    '',
    'Each setting, the kind of value the settings page (`/policy/edit`) and the API',
    '(`PATCH /api/v1/policy-profile`) take, what enforces it, and the value Lanyard uses where a',
    'school’s policy is silent. “Enforced by” names the modules whose code reads the setting',
    '(`scripts/policy-settings-readers.ts` finds them); a setting no module reads is either',
    '“information only” (it tells people what the policy says), with the reason, or not yet',
    'enforced because its module is being built (`src/modules/policies/settings-read.test.ts`).',
    '',
    '<!-- prettier-ignore-start -->',
    '| Setting | Path | Value | Enforced by | Lanyard default |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const path of rulePaths) {
    const modules = readers.get(path) ?? [];
    const enforced = modules.length
      ? modules.map((m) => `\`${m}\``).join(', ')
      : informationOnly[path]
        ? `Information only: ${informationOnly[path]}`
        : 'Not yet enforced (its module is being built)';
    // Parts of a read setting that no module enforces, with the reason.
    const parts = Object.entries(informationOnlyFields)
      .filter(([field]) => field.startsWith(`${path}.`))
      .map(
        ([field, why]) =>
          `; “${fieldWords(path, field.slice(path.length + 1))}” is information only: ${why}`,
      )
      .join('');
    const dflt = (getRule(lanyardDefaults, path as RulePath) as { value: unknown }).value;
    lines.push(
      `| ${cell(ruleLabels[path as RulePath])} | \`${path}\` | ${cell(kindInWords(ruleNode(path)))} | ${cell(enforced + parts)} | ${cell(formatRuleValue(dflt))} |`,
    );
  }
  lines.push('<!-- prettier-ignore-end -->', '');
  return lines;
}

/** A field of a setting (or of its list's items) in words: its zod description. */
function fieldWords(path: string, name: string): string {
  let node = ruleNode(path);
  if (node.kind === 'list') node = node.item;
  const field = node.kind === 'object' ? node.fields.find((f) => f.name === name) : undefined;
  // The editor's label adds the information-only note; the table gives the reason itself.
  return field?.label?.replace(/ \(information only: .*\)$/, '') ?? name;
}

function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
}

function source(c: Citation): string {
  const where = formatCitation(c);
  const parts = [c.seed === null ? `_${where}_` : `**${where}**`];
  if (c.quote) parts.push(`“${c.quote}”`);
  if (c.note) parts.push(`(${c.note})`);
  return parts.join(' ');
}

function anchor(t: PolicyTemplate): string {
  return t.key;
}

function templateSection(t: PolicyTemplate): string[] {
  const seed = t.seedFile.slice(0, 3);
  const lines = [
    `<a id="${anchor(t)}"></a>`,
    '',
    `## ${seed} — ${t.school}`,
    '',
    `Template \`${t.key}\` · seed file \`${t.seedFile}\` · ${t.name}`,
    '',
    t.summary,
    '',
    // Prettier would pad every cell to the widest one (hundreds of KB); keep the table compact.
    '<!-- prettier-ignore-start -->',
    '| Rule | Meaning | Value | Source |',
    '| --- | --- | --- | --- |',
  ];
  for (const rule of ruleList(t.settings)) {
    lines.push(
      `| \`${rule.path}\` | ${cell(rule.label)} | ${cell(formatRuleValue(rule.value))} | ${cell(source(rule.citation))} |`,
    );
  }
  lines.push('<!-- prettier-ignore-end -->', '', `### ${seed} playbooks, step by step`, '');
  for (const type of incidentTypes) {
    const playbook = t.settings.incidents.playbooks[type];
    lines.push(`**\`${type}\`** — ${cell(source(playbook.citation))}`, '');
    playbook.value.forEach((step, i) => {
      lines.push(`${i + 1}. ${step.label} (\`${step.key}\`) — ${source(step.citation)}`);
    });
    lines.push('');
  }
  return lines;
}

/** The whole document, formatted with the project's Prettier settings. */
export async function renderPolicyRulesDoc(templates: readonly PolicyTemplate[]): Promise<string> {
  const lines = [
    '<!-- Generated by scripts/policy-rules-doc.ts from src/modules/policies/templates. Do not edit by hand. -->',
    '',
    '# Policy rules: every setting, and the built-in templates',
    '',
    'Every rule of each seed school’s policy profile, with the clause it comes from. A **bold** source is a',
    'clause of that school’s own policy, quoted; an _italic_ source is a value Lanyard chose where the',
    'policy is silent, with the reason. Paths are the keys in `PolicySettings`',
    '(`src/modules/policies/policy-settings.ts`); the values live in `src/modules/policies/templates/`.',
    '',
    `Regenerate with \`${COMMAND}\`.`,
    '',
    '- [Every setting: what enforces it, and its default](#every-setting)',
    ...templates.map((t) => `- [${t.seedFile.slice(0, 3)} — ${t.school}](#${anchor(t)})`),
    '',
    ...settingsSection(),
    ...templates.flatMap(templateSection),
  ];
  const docFile = fileURLToPath(new URL('../docs/policy-rules.md', import.meta.url));
  const config = (await resolveConfig(docFile)) ?? {};
  return format(lines.join('\n'), { ...config, parser: 'markdown' });
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;

if (invokedDirectly) {
  const doc = await renderPolicyRulesDoc(policyTemplates);
  if (process.argv.includes('--write'))
    writeFileSync(fileURLToPath(new URL('../docs/policy-rules.md', import.meta.url)), doc);
  else process.stdout.write(doc);
}

/** A label in the middle of a sentence: its first word in lower case, names kept ("the ICT Technician"). */
function lowerFirst(label: string): string {
  return /^[A-Z][a-z]/.test(label) ? label[0]!.toLowerCase() + label.slice(1) : label;
}
