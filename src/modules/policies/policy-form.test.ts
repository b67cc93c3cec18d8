/**
 * The settings editor is driven by the schemas (issue 15 item 1): every sub-field and every
 * choice of every setting has words (so no field name or enum key reaches a page), and every
 * value of every template survives the form (encode, then decode) unchanged.
 */
import { describe, expect, it } from 'vitest';
import { allRuleNodes, type FieldNode } from './policy-form-schema.ts';
import { decodeNode, encodeNode, optionWords } from './policy-form.ts';
import { describeChanges } from './policy-diff.ts';
import { getRule, schoolDecisionCitation, type RulePath } from './policy-settings.ts';
import { policyTemplates } from './templates/index.ts';

function missingWords(node: FieldNode, where: string, out: string[]): void {
  switch (node.kind) {
    case 'choice':
    case 'choices':
      for (const o of node.options) if (!optionWords(o)) out.push(`${where}: option ${o}`);
      return;
    case 'object':
      for (const f of node.fields) {
        if (f.node.kind !== 'key' && f.node.kind !== 'kept' && !f.label && !optionWords(f.name))
          out.push(`${where}.${f.name}`);
        missingWords(f.node, `${where}.${f.name}`, out);
      }
      return;
    case 'list':
      missingWords(node.item, `${where}[]`, out);
      return;
    case 'boolean':
    case 'fixed':
    case 'kept':
    case 'key':
    case 'lines':
    case 'number':
    case 'text':
      return;
  }
}

describe('the settings editor’s words', () => {
  it('has words for every sub-field and every choice (settings/editor-meta.ts or .describe())', () => {
    const missing: string[] = [];
    for (const { path, node } of allRuleNodes()) missingWords(node, path, missing);
    expect(missing).toEqual([]);
  });

  it('edits every rule but the ones the law fixes', () => {
    const fixed = allRuleNodes()
      .filter((r) => r.node.kind === 'fixed')
      .map((r) => r.path);
    expect(fixed).toEqual([
      'consent.withdrawalRetroactive',
      'incidents.indecentImagesPoliceOnly',
      'retention.auditLogYears',
    ]);
  });
});

describe('the settings form', () => {
  it.each(policyTemplates.map((t) => [t.key, t] as const))(
    'gives back every value of the %s template unchanged',
    (_key, t) => {
      const ctx = { newCitation: schoolDecisionCitation('Added.'), errors: {} };
      for (const { path, node } of allRuleNodes()) {
        const value = (getRule(t.settings, path as RulePath) as { value: unknown }).value;
        const entries = encodeNode(node, path, value);
        const body: Record<string, string | string[]> = {};
        for (const [k, v] of entries) {
          const had = body[k];
          body[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
        }
        expect(decodeNode(node, path, body, structuredClone(value), ctx), path).toEqual(value);
      }
      expect(ctx.errors).toEqual({});
    },
  );
});

describe('changes in words', () => {
  it('says which step was added, moved or removed, and what a value was', () => {
    const t = policyTemplates[0]!;
    const next = structuredClone(t.settings);
    const steps = next.incidents.playbooks.parent_defamation.value;
    steps.splice(2, 0, {
      key: 'governors',
      label: 'Invite the parent to meet the governors',
      citation: schoolDecisionCitation('Added.'),
    });
    const removed = steps.pop()!;
    next.consent.renewalReminderDays.value = 99;
    next.review.reviewers.value = ['headteacher'];
    const words = describeChanges(t.settings, next);
    expect(words).toContain(
      'Steps when a parent posts defamatory or abusive comments: step 3 “Invite the parent to meet the governors” added',
    );
    expect(words.join('\n')).toContain(`“${removed.label.slice(0, 20)}`);
    expect(words.join('\n')).toMatch(/Days between reminders.*: changed from “\d+” to “99”/);
    expect(words.join('\n')).not.toMatch(/incidents\.|_/);
  });
});
