/**
 * The settings editor's pages (issue 15 item 1): GET /policy/edit shows every rule as fields
 * (policy-form-widgets.ts); POST /policy/edit either does a list button (add, remove, move: the
 * form again with the answers kept, nothing saved) or saves a new version.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Services } from '../registry.ts';
import { NotFoundError, type FieldErrors } from '../../errors.ts';
import type { Principal } from '../auth/index.ts';
import { parseForm } from '../../web/forms.ts';
import { formRoute } from '../../web/form-route.ts';
import { readDateInput } from '../../web/date-input.ts';
import { canEditPolicy } from './policies.policy.ts';
import { editForm } from './policies.forms.ts';
import { ruleGroups } from './policy-groups.ts';
import type { CurrentPolicy } from './policies.service.ts';
import { allRuleNodes } from './policy-form-schema.ts';
import { applyAction, decodeNode, parseAction, type Body, type ListAction } from './policy-form.ts';
import { ruleWidgets } from './policy-form-widgets.ts';
import {
  formatCitation,
  getRule,
  ruleLabels,
  schoolDecisionCitation,
  type Citation,
  type PolicySettings,
  type RulePath,
} from './policy-settings.ts';
import type { SettingsChanges } from './policy-save.ts';

const NEW_ITEM_CITATION = schoolDecisionCitation('Added by the school.');

/** Every rule's value as the form gives it (absent fields keep the current value). */
function decodeAll(
  body: Body,
  settings: PolicySettings,
  errors: FieldErrors,
): Map<string, unknown> {
  const ctx = { newCitation: NEW_ITEM_CITATION, errors };
  const draft = new Map<string, unknown>();
  for (const { path, node } of allRuleNodes()) {
    const current = (getRule(settings, path as RulePath) as { value: unknown }).value;
    draft.set(path, decodeNode(node, path, body, structuredClone(current), ctx));
  }
  return draft;
}

/** The school's own citations the form gives, by rule path. */
function citationsFrom(body: Body): NonNullable<SettingsChanges['citations']> {
  const out: NonNullable<SettingsChanges['citations']> = {};
  for (const [key, v] of Object.entries(body)) {
    const m = /^(.+)\._cite\.section$/.exec(key);
    if (!m || typeof v !== 'string') continue;
    const quote = body[`${m[1]}._cite.quote`];
    out[m[1]!] = { section: v, quote: typeof quote === 'string' ? quote : '' };
  }
  return out;
}

type EditValue =
  | { kind: 'action'; action: ListAction; draft: Map<string, unknown>; body: Body }
  | ({
      kind: 'save';
      note: string;
      expectedVersion: number;
      nextReviewDate?: string;
      substantive: boolean;
    } & SettingsChanges);

function schoolId(p: Principal | null): string {
  if (!p || p.kind === 'org_admin') throw new NotFoundError();
  return p.schoolId;
}

export function policyEditorRoutes(app: FastifyInstance, services: Services): void {
  const policies = services.policies;

  /** The editor's page: the draft (or the current settings) as widgets, grouped. */
  const page = async (
    reply: FastifyReply,
    current: CurrentPolicy,
    opts: { errors?: FieldErrors; body?: Body; draft?: Map<string, unknown> },
  ) => {
    const body = opts.body ?? {};
    const draft =
      opts.draft ?? (opts.body ? decodeAll(opts.body, current.settings, {}) : undefined);
    const errors = opts.errors ?? {};
    const rules = allRuleNodes().map(({ path, node }) => {
      const rule = getRule(current.settings, path as RulePath) as {
        value: unknown;
        citation: Citation;
      };
      const sent = body[`${path}._cite.section`];
      const citation =
        typeof sent === 'string'
          ? { section: sent, quote: String(body[`${path}._cite.quote`] ?? '') }
          : rule.citation.school
            ? { section: rule.citation.section, quote: rule.citation.quote }
            : undefined;
      return {
        path,
        widgets: ruleWidgets(
          {
            path,
            label: ruleLabels[path as RulePath],
            source: formatCitation(rule.citation),
            value: draft ? draft.get(path) : rule.value,
            node,
          },
          { errors, settings: current.settings, ...(citation ? { citation } : {}) },
        ),
      };
    });
    const [year, month, day] = current.nextReviewDate.split('-');
    return reply.page('policies/views/edit.njk', {
      title: 'Change the policy settings',
      current,
      groups: ruleGroups(rules).map((g) => ({ ...g, id: `group-${g.key}` })),
      reviewParts: { day: String(Number(day)), month: String(Number(month)), year },
      errors,
      values: body,
    });
  };

  app.get('/policy/edit', { config: { access: canEditPolicy } }, async (request, reply) => {
    const current = await policies.current(schoolId(request.principal));
    return page(reply, current, {});
  });

  formRoute(app, '/policy/edit', {
    access: canEditPolicy,
    who: (p) => ({ sid: schoolId(p), actor: { kind: 'staff' as const, id: p!.id } }),
    authorise: ({ who }) => policies.current(who.sid),
    form: (raw: unknown, _request, current: CurrentPolicy) => {
      const body = (raw ?? {}) as Body;
      const errors: FieldErrors = {};
      const draft = decodeAll(body, current.settings, errors);
      const action = parseAction(body._action);
      if (action)
        return { ok: true as const, value: { kind: 'action', action, draft, body } as EditValue };
      const form = parseForm(editForm, body);
      if (!form.ok)
        return { ok: false as const, errors: { ...errors, ...form.errors }, values: body };
      const date = readDateInput(body, 'nextReviewDate', 'the next review date');
      if ('error' in date) errors['nextReviewDate-day'] = date.error;
      // Answers that could not be read go to the service with the rest, so the error summary
      // lists every problem at once (the reason, the review date, the settings).
      return {
        ok: true as const,
        value: {
          kind: 'save',
          values: Object.fromEntries(draft),
          citations: citationsFrom(body),
          note: form.value.note,
          expectedVersion: form.value.expectedVersion,
          substantive: form.value.kind === 'substantive',
          formErrors: errors,
          ...('value' in date && date.value ? { nextReviewDate: date.value } : {}),
        } as EditValue,
      };
    },
    act: async ({ who, value }) => {
      if (value.kind === 'action') {
        applyAction(value.draft, value.action, { newCitation: NEW_ITEM_CITATION });
        return { kind: 'action' as const, draft: value.draft, body: value.body };
      }
      const { kind: _kind, ...input } = value;
      return {
        kind: 'saved' as const,
        ...(await policies.saveSettings(who.sid, who.actor, input)),
      };
    },
    done: (result) => {
      if (result.kind === 'action')
        return {
          again: { status: 200, errors: {}, values: { ...result.body, _draft: result.draft } },
        };
      return {
        redirect: '/policy',
        flash: `Saved as version ${result.version} (${result.changed.length} setting${result.changed.length === 1 ? '' : 's'} changed). ${
          result.substantive
            ? 'Everyone who must acknowledge the policy is asked to read it again.'
            : 'A minor change: nobody is asked to acknowledge it again.'
        }`,
      };
    },
    render: async (reply, { who, values, errors, found }) => {
      if (reply.statusCode === 409) {
        const now = await policies.current(who.sid);
        return page(reply, now, { errors: { note: errors._form ?? 'The policy changed' } });
      }
      const draft =
        values._draft instanceof Map ? (values._draft as Map<string, unknown>) : undefined;
      const { _draft: _d, ...body } = values as Body;
      // The review date's error sits on its first field (the error summary's link).
      const shownErrors = { ...errors };
      if (shownErrors.nextReviewDate) {
        shownErrors['nextReviewDate-day'] = shownErrors.nextReviewDate;
        delete shownErrors.nextReviewDate;
      }
      return page(reply, found, { errors: shownErrors, body, ...(draft ? { draft } : {}) });
    },
  });
}
