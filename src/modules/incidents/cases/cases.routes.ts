import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../registry.ts';
import { NotFoundError, type FieldErrors } from '../../../errors.ts';
import { formRoute, type FormRead } from '../../../web/form-route.ts';
import { staffOf } from '../../../web/principal.ts';
import type { StaffPrincipal } from '../../auth/index.ts';
import { incidentTypes } from '../../policies/index.ts';
import { canSeePupilChronology, mayReachCases } from '../incidents.policy.ts';
import type { CaseFilters } from '../incidents.service.ts';
import {
  assignForm,
  caseCursorQuery,
  categories,
  categoryLabels,
  classifyForm,
  type ClassifyInput,
  closeForm,
  correctionForm,
  dateFromParts,
  incidentTypeLabels,
  noteForm,
  parseCaseCursor,
  personForm,
  policeForm,
  referralForm,
  reopenForm,
  restrictForm,
  risks,
  stepForm,
  wishesForm,
} from '../incidents.forms.ts';
import { caseView, listView } from './case-view.ts';

const idParams = z.object({ id: z.uuid() });
const stepParams = z.object({ id: z.uuid(), step: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/) });

const listQuery = z.object({
  view: z.enum(['all', 'new', 'overdue', 'referrals', 'closed', 'mine']).catch('all'),
  type: z.enum(incidentTypes).optional().catch(undefined),
  category: z.enum(categories).optional().catch(undefined),
  risk: z.enum(risks).optional().catch(undefined),
  safeguarding: z.enum(['yes', 'no']).optional().catch(undefined),
  after: caseCursorQuery.optional().catch(undefined),
});

/**
 * The case pages (issue 14 items 4–6, 9, 10): the list, the case with its chronology and
 * forms, each action a `formRoute` to `services.incidentCases`, and a pupil's chronology.
 * Every case read goes through the service, which answers 404 to anyone who may not open it.
 */
export async function caseRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const incidents = services.incidents;
  const actions = services.incidentCases;

  app.get('/incidents', { config: { access: mayReachCases } }, async (request, reply) => {
    const who = staffOf(request.principal);
    const q = listQuery.parse(request.query ?? {});
    const filters: CaseFilters = {
      ...(q.view === 'closed' ? { status: 'closed' as const } : {}),
      ...(q.view === 'new' ? { unclassified: true, status: 'open' as const } : {}),
      ...(q.view === 'overdue' ? { overdueBefore: services.people.today() } : {}),
      ...(q.view === 'referrals' ? { status: 'open' as const, referralDue: true } : {}),
      ...(q.view === 'mine' ? { mineStaffId: who.id } : {}),
      ...(q.type ? { incidentType: q.type } : {}),
      ...(q.category ? { category: q.category } : {}),
      ...(q.safeguarding ? { safeguarding: q.safeguarding === 'yes' } : {}),
    };
    // The first page is kept as the API's is (a change to any case shows on the next request).
    const page = await incidents.listCasesRendered(
      who,
      {
        filters,
        after: q.after ? parseCaseCursor(q.after) : undefined,
        limit: 50,
        purpose: 'page',
      },
      (found) => found,
    );
    return reply.page('incidents/cases/views/list.njk', await listView(services, who, q, page));
  });

  const renderCase = async (
    reply: FastifyReply,
    who: StaffPrincipal,
    id: string,
    values: Record<string, unknown> = {},
    errors?: FieldErrors,
  ) =>
    reply.page('incidents/cases/views/case.njk', {
      ...(await caseView(services, who, id)),
      values,
      errors,
    });

  app.get('/incidents/:id', { config: { access: mayReachCases } }, async (request, reply) => {
    const parsed = idParams.safeParse(request.params);
    if (!parsed.success) throw new NotFoundError();
    return renderCase(reply, staffOf(request.principal), parsed.data.id);
  });

  // Every action: the case is loaded (404 if this person may not open it) before the answers.
  const authorise = async ({ who, params }: { who: StaffPrincipal; params: { id: string } }) => {
    if (!(await incidents.findVisible(who, params.id))) throw new NotFoundError();
  };
  const again = (
    reply: FastifyReply,
    i: {
      who: StaffPrincipal;
      params: { id: string };
      values: Record<string, unknown>;
      errors: FieldErrors;
    },
  ) => renderCase(reply, i.who, i.params.id, i.values, i.errors);
  const back = (id: string, flash: string) => ({ redirect: `/incidents/${id}`, flash });

  /** A date from a GOV.UK date input, or a field error under `key`. */
  const withDate = (key: string, prefix: string) => (body: unknown) => {
    const b = (body ?? {}) as Record<string, unknown>;
    const d = dateFromParts(b, prefix);
    return d.ok ? { ...b, [key]: d.value } : { ...b, [key]: '__bad__' };
  };
  const dateChecked =
    <S extends z.ZodObject>(schema: S, key: string, prefix: string) =>
    (body: unknown): FormRead<z.output<S>> => {
      const b = withDate(key, prefix)(body);
      if (b[key] === '__bad__')
        return {
          ok: false as const,
          errors: { [key]: 'Enter a real date, for example 27 3 2026' },
          values: body as Record<string, unknown>,
        };
      const parsed = schema.safeParse(b);
      if (parsed.success) return { ok: true as const, value: parsed.data as z.output<S> };
      const errors: FieldErrors = {};
      for (const issue of parsed.error.issues)
        errors[issue.path.map(String).join('.') || '_form'] ??= issue.message;
      return { ok: false as const, errors, values: body as Record<string, unknown> };
    };

  formRoute(app, '/incidents/:id/classify', {
    access: mayReachCases,
    who: staffOf,
    params: idParams,
    authorise,
    form: dateChecked(classifyForm, 'reviewBy', 'reviewBy'),
    act: ({ who, params, value }) => actions.classify(who, params.id, value as ClassifyInput),
    done: (_r, { params }) => back(params.id, 'The classification is recorded.'),
    render: again,
  });
  formRoute(app, '/incidents/:id/assign', {
    access: mayReachCases,
    who: staffOf,
    params: idParams,
    authorise,
    form: assignForm,
    act: ({ who, params, value }) => actions.assign(who, params.id, value.staffIds),
    done: (_r, { params }) => back(params.id, 'Who works on this case is recorded.'),
    render: again,
  });
  formRoute(app, '/incidents/:id/restrict', {
    access: mayReachCases,
    who: staffOf,
    params: idParams,
    authorise,
    form: restrictForm,
    act: ({ who, params, value }) => actions.restrict(who, params.id, value.deputyIds),
    done: (_r, { params }) => back(params.id, 'The deputies who may see this case are recorded.'),
    render: again,
  });
  formRoute(app, '/incidents/:id/steps/:step', {
    access: mayReachCases,
    who: staffOf,
    params: stepParams,
    authorise: ({ who, params }) => authorise({ who, params }),
    form: dateChecked(stepForm, 'nextStepDue', 'nextStepDue'),
    act: ({ who, params, value }) =>
      actions.recordStep(who, params.id, params.step, value as z.output<typeof stepForm>),
    done: (_r, { params }) => back(params.id, 'The step is recorded.'),
    render: (reply, i) =>
      renderCase(
        reply,
        i.who,
        i.params.id,
        { ...i.values, step: i.params.step },
        Object.fromEntries(Object.entries(i.errors).map(([k, v]) => [`${i.params.step}-${k}`, v])),
      ),
  });
  const simple = <S extends z.ZodType>(
    path: string,
    form: S,
    run: (who: StaffPrincipal, id: string, value: z.output<S>) => Promise<void>,
    message: string,
  ) =>
    formRoute(app, `/incidents/:id/${path}`, {
      access: mayReachCases,
      who: staffOf,
      params: idParams,
      authorise,
      form,
      act: ({ who, params, value }) => run(who, params.id, value as z.output<S>),
      done: (_r, { params }) => back(params.id, message),
      render: again,
    });
  simple('people', personForm, (w, id, v) => actions.addPerson(w, id, v), 'The person is added.');
  simple('notes', noteForm, (w, id, v) => actions.addNote(w, id, v.text), 'The note is added.');
  simple(
    'corrections',
    correctionForm,
    (w, id, v) => actions.correct(w, id, v),
    'The correction is added. The report as first written is kept.',
  );
  simple(
    'wishes',
    wishesForm,
    (w, id, v) => actions.recordWishes(w, id, v.text),
    'Their wishes are recorded.',
  );
  simple(
    'police',
    policeForm,
    (w, id, v) => actions.recordPolice(w, id, v),
    'The decision about the police is recorded.',
  );
  simple(
    'referral',
    referralForm,
    (w, id, v) => actions.recordReferral(w, id, v),
    'The referral is recorded.',
  );
  simple('close', closeForm, (w, id, v) => actions.close(w, id, v.outcome), 'The case is closed.');
  simple(
    'reopen',
    reopenForm,
    (w, id, v) => actions.reopen(w, id, v.reason),
    'The case is reopened.',
  );

  app.get(
    '/pupils/:id/incidents',
    { config: { access: canSeePupilChronology } },
    async (request, reply) => {
      const parsed = idParams.safeParse(request.params);
      if (!parsed.success) throw new NotFoundError();
      const who = staffOf(request.principal);
      const { pupil, rows } = await incidents.pupilChronology(who, parsed.data.id);
      const { describeEntry } = await import('./case-view.ts');
      const names = await services.peopleDirectory.displayNames(
        services.database.db,
        who.schoolId,
        {
          staff: rows.map((r) => r.entry.actorStaffId).filter((x): x is string => !!x),
          parents: [],
          pupils: [],
        },
      );
      return reply.page('incidents/cases/views/pupil.njk', {
        title: `Incidents involving ${pupil.givenName} ${pupil.familyName}`,
        pupil,
        rows: rows.map((r) => ({
          at: r.entry.at,
          reference: r.case.reference,
          incidentId: r.case.incidentId,
          type: r.case.incidentType
            ? incidentTypeLabels[r.case.incidentType as keyof typeof incidentTypeLabels]
            : null,
          by: r.entry.actorStaffId
            ? (names.staff.get(r.entry.actorStaffId) ?? 'A member of staff')
            : 'The reporter',
          ...describeEntry(r.entry.kind, r.entry.data as Record<string, unknown>),
        })),
      });
    },
  );

  void categoryLabels;
}
