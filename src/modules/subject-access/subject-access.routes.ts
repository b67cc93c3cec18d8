import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import type { FieldErrors } from '../../errors.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { formRoute } from '../../web/form-route.ts';
import { staffOf } from '../../web/principal.ts';
import type { StaffPrincipal } from '../auth/index.ts';
import { canHandleSubjectAccess, canViewSubjectAccess } from './subject-access.policy.ts';
import {
  closeForm,
  eraseForm,
  extendForm,
  readLogRequestForm,
  requesterRelationshipLabels,
  requesterRelationships,
} from './subject-access.forms.ts';
import type { SubjectAccessView } from './subject-access.service.ts';
import { recordTypeLabels } from './subject-access.retention.ts';
import { ruleLabels, formatRuleValue } from '../policies/index.ts';

const idParams = z.object({ id: z.uuid() });

/** The kinds of record in a bundle, in words (the request page's counts). */
export const sectionNames: Record<string, string> = {
  people: 'Personal details',
  family: 'Family links',
  consent: 'Consent statements',
  competence: 'Assessments of whether the pupil may decide',
  restrictions: 'Never-publish restrictions',
  media: 'Photos and videos they are tagged in',
  renditions: 'Copies prepared for publishing',
  publications: 'Publications',
  takedowns: 'Takedowns',
  incidents: 'Incidents',
  declarations: 'Staff declarations',
  permissions: 'Permission requests',
  training: 'Training',
  acknowledgements: 'Policy acknowledgements',
  audit: 'Audit log entries',
  files: 'Files',
};

/** The words for a request's state on a page. */
export function requestTag(r: SubjectAccessView): { text: string; classes: string } {
  if (r.status === 'closed') return { text: 'Closed', classes: 'govuk-tag--grey' };
  if (r.daysLeft < 0) return { text: 'Overdue', classes: 'govuk-tag--red' };
  if (r.daysLeft <= 7) return { text: 'Due soon', classes: 'govuk-tag--orange' };
  return { text: 'Open', classes: 'govuk-tag--blue' };
}

/** Subject access requests: the list (DPO, Headteacher), logging, the request, the bundle. */
export async function subjectAccessRoutes(
  app: FastifyInstance,
  { services }: { services: Services },
) {
  const sar = services.subjectAccess;

  app.get(
    '/subject-access',
    { config: { access: canViewSubjectAccess } },
    async (request, reply) => {
      const who = staffOf(request.principal);
      const rows = await sar.list(who);
      return reply.page('subject-access/views/list.njk', {
        title: 'Subject access requests',
        rows: rows.map((r) => ({ ...r, tag: requestTag(r) })),
        canHandle: canHandleSubjectAccess(who),
      });
    },
  );

  const renderNew = async (
    reply: FastifyReply,
    who: StaffPrincipal,
    values: Record<string, unknown>,
    errors?: FieldErrors,
  ) => {
    const q = typeof values.q === 'string' ? values.q : '';
    const matches = q ? await sar.findSubjects(who, q) : [];
    return reply.page('subject-access/views/new.njk', {
      title: 'Log a subject access request',
      q,
      values,
      subjectItems: matches.map((m) => ({ ...m, checked: values.subject === m.value })),
      relationshipItems: requesterRelationships.map((r) => ({
        value: r,
        text: requesterRelationshipLabels[r],
        checked: values.requesterRelationship === r,
      })),
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/subject-access/new',
    { config: { access: canHandleSubjectAccess } },
    async (request, reply) => {
      const query = z.object({ q: z.string().max(100).optional() }).safeParse(request.query);
      return renderNew(reply, staffOf(request.principal), { q: query.success ? query.data.q : '' });
    },
  );

  formRoute(app, '/subject-access', {
    access: canHandleSubjectAccess,
    who: staffOf,
    form: readLogRequestForm,
    act: ({ who, value }) => sar.log(who, value),
    done: (row) => ({
      redirect: `/subject-access/${row.id}`,
      flash: 'The request is logged. Its due date is on your home page.',
    }),
    render: (reply, { who, values, errors }) => renderNew(reply, who, values, errors),
  });

  const renderRequest = async (
    reply: FastifyReply,
    who: StaffPrincipal,
    id: string,
    values: Record<string, unknown> = {},
    errors?: FieldErrors,
  ) => {
    const r = await sar.view(who, id);
    return reply.page('subject-access/views/request.njk', {
      title: `Subject access request about ${r.subjectName}`,
      r,
      tag: requestTag(r),
      relationship:
        requesterRelationshipLabels[
          r.requesterRelationship as keyof typeof requesterRelationshipLabels
        ] ?? '',
      canHandle: canHandleSubjectAccess(who),
      counts: r.lastProducedCounts ? Object.entries(r.lastProducedCounts) : [],
      sectionNames,
      values,
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/subject-access/:id',
    { config: { access: canViewSubjectAccess } },
    async (request, reply) => {
      const params = idParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      return renderRequest(reply, staffOf(request.principal), params.data.id);
    },
  );

  // The bundle: a button (POST, CSRF) so producing it is a deliberate act, recorded and audited.
  app.post(
    '/subject-access/:id/bundle',
    { config: { access: canHandleSubjectAccess } },
    async (request, reply) => {
      const params = idParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      const { filename, stream } = await sar.produce(staffOf(request.principal), params.data.id);
      return reply
        .type('application/zip')
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .send(stream);
    },
  );

  formRoute(app, '/subject-access/:id/extend', {
    access: canHandleSubjectAccess,
    who: staffOf,
    params: idParams,
    authorise: async ({ who, params }) => {
      await sar.view(who, params.id);
    },
    form: extendForm,
    act: ({ who, params, value }) =>
      sar.extend(who, params.id, Number(value.months) as 1 | 2, value.reason),
    done: (row) => ({
      redirect: `/subject-access/${row.id}`,
      flash:
        'The due date is extended. Tell the person who asked, with the reason, within the first month.',
    }),
    render: (reply, { who, params, values, errors }) =>
      renderRequest(reply, who, params.id, values, errors),
  });

  formRoute(app, '/subject-access/:id/close', {
    access: canHandleSubjectAccess,
    who: staffOf,
    params: idParams,
    authorise: async ({ who, params }) => {
      await sar.view(who, params.id);
    },
    form: closeForm,
    act: ({ who, params, value }) => sar.close(who, params.id, value.note),
    done: (row) => ({ redirect: `/subject-access/${row.id}`, flash: 'The request is closed.' }),
    render: (reply, { who, params, values, errors }) =>
      renderRequest(reply, who, params.id, values, errors),
  });

  // Retention: the school's schedule and what each run deleted, by type and count.
  const retention = services.retention;
  app.get('/retention', { config: { access: canViewSubjectAccess } }, async (request, reply) => {
    const who = staffOf(request.principal);
    const [schedule, runs] = await Promise.all([retention.schedule(who), retention.runs(who)]);
    const rows = [
      ...Object.entries(schedule.media).map(([k, rule]) => ({
        path: `media.retention.${k}`,
        rule,
      })),
      ...Object.entries(schedule.retention).map(([k, rule]) => ({ path: `retention.${k}`, rule })),
    ].map(({ path, rule }) => ({
      label: (ruleLabels as Record<string, string>)[path] ?? path,
      value: formatRuleValue(rule.value),
      source: rule.citation.note ?? rule.citation.quote ?? '',
      citation: rule.citation,
    }));
    return reply.page('subject-access/views/retention.njk', {
      title: 'Retention schedule and deletions',
      rows,
      runs: runs.map((r) => ({
        ...r,
        lines: Object.entries(r.counts)
          .filter(([, n]) => n > 0)
          .map(([type, n]) => ({ type: recordTypeLabels[type] ?? type, n })),
      })),
    });
  });

  // Erasure: a preview of what would be erased and what is kept and why, then the DPO confirms.
  const subjectQuery = z.object({
    subject: z.string().regex(/^(pupil|parent):[0-9a-f-]{36}$/i),
  });
  const subjectOf = (v: string) => {
    const [kind, id] = v.split(':') as ['pupil' | 'parent', string];
    return { kind, id };
  };
  const renderErasure = async (
    reply: FastifyReply,
    who: StaffPrincipal,
    subject: string,
    errors?: FieldErrors,
  ) => {
    const preview = await retention.erasurePreview(who, subjectOf(subject));
    return reply.page('subject-access/views/erasure.njk', {
      title: `Erasure: ${preview.subject.name}`,
      preview,
      subject,
      ...(errors ? { errors } : {}),
    });
  };
  app.get(
    '/subject-access/erasure',
    { config: { access: canHandleSubjectAccess } },
    async (request, reply) => {
      const who = staffOf(request.principal);
      const q = subjectQuery.safeParse(request.query);
      if (q.success) return renderErasure(reply, who, q.data.subject);
      // No one chosen yet: find the pupil or parent by name.
      const search = z.object({ q: z.string().max(100).optional() }).safeParse(request.query);
      const text = search.success ? (search.data.q ?? '') : '';
      return reply.page('subject-access/views/erasure-find.njk', {
        title: 'Erasure: who is it about?',
        q: text,
        matches: text ? await sar.findSubjects(who, text) : [],
      });
    },
  );
  formRoute(app, '/subject-access/erasure', {
    access: canHandleSubjectAccess,
    who: staffOf,
    authorise: async ({ who, request }) => {
      // No person named: the search page again with an error; a person of another school: 404.
      const q = subjectQuery.safeParse(request.body);
      if (!q.success) return '';
      await retention.erasurePreview(who, subjectOf(q.data.subject));
      return q.data.subject;
    },
    form: eraseForm,
    act: ({ who, found }) => {
      if (!found) throw new ValidationError({ q: 'Find the pupil or parent first' });
      return retention.erase(who, subjectOf(found));
    },
    done: (r) => ({
      redirect: '/retention',
      flash: `Erased what could be erased about ${r.preview.subject.name}. The rest is kept, with the reasons recorded.`,
    }),
    render: (reply, { who, found, errors }) =>
      found
        ? renderErasure(reply, who, found, errors)
        : reply.page('subject-access/views/erasure-find.njk', {
            title: 'Erasure: who is it about?',
            q: '',
            matches: [],
            errors: { q: errors.q ?? 'Find the pupil or parent first' },
          }),
  });
}
