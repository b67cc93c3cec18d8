import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../../config.ts';
import type { Services } from '../../registry.ts';
import { NotFoundError, ValidationError, type FieldErrors } from '../../../errors.ts';
import { ukDate } from '../../../platform/clock.ts';
import { formRoute } from '../../../web/form-route.ts';
import { parseForm } from '../../../web/forms.ts';
import type { FileStore } from '../../../platform/files/file-store.ts';
import { claimUploads, UploadedFile, uploadRouteLimits } from '../../../web/uploads.ts';
import type { StaffPrincipal } from '../../auth/index.ts';
import { staffOf } from '../../../web/principal.ts';
import { formatCitation } from '../../policies/index.ts';
import {
  canAssessCompetenceAs,
  canAssignConsentClasses,
  canCheckConsent,
  canImportConsentAs,
  canOpenConsentAs,
  canRecordConsentAs,
  canManageConsentAs,
  canViewAllConsentAs,
  mayReachConsentKeeping,
} from '../consent.policy.ts';
import { keeperAccess } from '../consent-keeper.ts';
import type { ConsentDecider } from '../register/consent.service.ts';
import {
  consentKeysFor,
  consentKindLabels,
  consentMethodLabels,
} from '../register/consent-rules.ts';
import { classCardPdf } from './class-card.pdf.ts';
import { outcomeDisplay } from './consent-office.service.ts';
import {
  changesQuery,
  checkQuery,
  competenceForm,
  evidenceField,
  paperFormSchema,
  questionField,
  readDate,
  withdrawalForm,
} from './consent-office.forms.ts';

const idParams = z.object({ id: z.uuid() });
const classParams = z.object({ className: z.string().min(1).max(60) });

function pupilId(params: unknown): string {
  const parsed = idParams.safeParse(params);
  if (!parsed.success) throw new NotFoundError();
  return parsed.data.id;
}

function className(params: unknown): string {
  const parsed = classParams.safeParse(params);
  if (!parsed.success) throw new NotFoundError();
  return parsed.data.className;
}

/** Fields from a form body as strings (a multipart body carries the file as an UploadedFile). */
function fieldsOf(body: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    if (!(v instanceof UploadedFile)) out[k] = v;
  }
  return out;
}

function deciderOf(value: string): ConsentDecider {
  return value === 'pupil' ? { kind: 'pupil' } : { kind: 'parent', parentId: value };
}

/**
 * The scan, read from its temporary file (it is stripped of metadata in memory before it is
 * stored; the route's limit bounds its size). The temporary file is removed after the request.
 */
async function evidenceOf(request: FastifyRequest, files: FileStore) {
  const body = request.body as Record<string, unknown> | undefined;
  const file = evidenceField.parse(body?.evidence);
  if (!file) return undefined;
  claimUploads(request, [file]);
  try {
    if (file.size === 0) return undefined;
    return { data: await files.readTemp(file.tempName), filename: file.filename || 'scan' };
  } finally {
    await files.discard(file.tempName);
  }
}

const methodChoices = (methods: readonly ('paper_form' | 'letter' | 'email')[]) =>
  methods.map((m) => ({ value: m, text: consentMethodLabels[m] }));

const contentDisposition = (filename: string) => {
  const safe = filename.replace(/[^\w.\- ]+/g, '_').slice(0, 100) || 'file';
  return `attachment; filename="${safe}"; filename*=UTF-8''${encodeURIComponent(filename.slice(0, 100))}`;
};

/** The office and DPO pages of the consent register (issue 3 item 5). */
export async function consentOfficeRoutes(
  app: FastifyInstance,
  { services, config }: { services: Services; config: Config },
) {
  const office = services.consentOffice;
  const today = () => ukDate(services.clock.now());

  // The profile's record keeper (a role or a responsibility) uses these pages as the roles that
  // may: `access` lets staff in, then `schoolAccess` asks the keeper rule before the body is read.
  const opens = { access: mayReachConsentKeeping, schoolAccess: keeperAccess(canOpenConsentAs) };
  const records = {
    access: mayReachConsentKeeping,
    schoolAccess: keeperAccess(canRecordConsentAs),
  };
  const assesses = {
    access: mayReachConsentKeeping,
    schoolAccess: keeperAccess(canAssessCompetenceAs),
  };

  // A scan of a paper form arrives with one field per question: allow enough fields.
  const multipartOptions = uploadRouteLimits(config.uploadMaxBytes, 1, 200);

  app.get('/consent', { config: opens }, async (request, reply) => {
    const p = staffOf(request.principal);
    const [overview, keeper] = await Promise.all([
      office.overview(p),
      services.consentKeeper.keeperFor(p),
    ]);
    return reply.page('consent/views/staff-overview.njk', {
      title: 'Consent register',
      overview,
      // The record keeper's school-wide pages (changes, campaigns, export) for the keeper too.
      all: canViewAllConsentAs(p, keeper),
      canExport: canManageConsentAs(p, keeper),
      canImport: canImportConsentAs(p, keeper),
      canAssign: canAssignConsentClasses(p),
      canCheck: canCheckConsent(p),
    });
  });

  // The batch check: a GET form, so results can be bookmarked and nothing changes.
  app.get('/consent/check', { config: { access: canCheckConsent } }, async (request, reply) => {
    const p = staffOf(request.principal);
    const raw = (request.query ?? {}) as Record<string, unknown>;
    const settings = await services.consent.settings(p.schoolId);
    const classes = await office.checkableClasses(p);
    const parsed = checkQuery.safeParse(raw);
    const values = parsed.success ? parsed.data : { pupil: [] as string[] };
    const chosenClass = 'class' in values ? values.class : undefined;
    const pupils = chosenClass ? await office.pupilsOfClass(p, chosenClass) : [];
    const submitted = 'check' in raw;
    const errors: FieldErrors = {};
    let results: Awaited<ReturnType<typeof office.check>> | null = null;
    let atDate: string | undefined;
    if (submitted) {
      if (!parsed.success) errors.class = 'Choose a class and pupils from the lists';
      const v = parsed.success ? parsed.data : undefined;
      if (!v?.class || !classes.some((c) => c.className === v.class))
        errors.class = 'Choose a class';
      if (!v?.purpose || !settings.consent.purposes.value.some((x) => x.key === v.purpose))
        errors.purpose = 'Choose what the photo or video is for';
      if (!v?.mediaType || !settings.consent.mediaTypes.value.includes(v.mediaType))
        errors.mediaType = 'Choose photo or video';
      if (!v?.named) errors.named = 'Choose whether the pupils would be named';
      const at = readDate(raw, 'at', 'the date it would be used');
      if ('error' in at) errors.at = at.error;
      else atDate = at.value;
      if (Object.keys(errors).length === 0 && v) {
        results = await office.check(p, {
          className: v.class!,
          pupilIds: v.pupil,
          purpose: v.purpose!,
          mediaType: v.mediaType!,
          named: v.named === 'yes',
          on: atDate!,
        });
      }
    }
    const [y, m, d] = today().split('-');
    return reply
      .status(Object.keys(errors).length ? 400 : 200)
      .page('consent/views/staff-check.njk', {
        title: 'Check consent',
        classes,
        pupils,
        settings,
        values: submitted ? raw : { 'at-day': d, 'at-month': m, 'at-year': y, named: 'no' },
        chosenPupils: parsed.success ? parsed.data.pupil : [],
        errors,
        results,
        allowedCount: results?.filter((x) => x.answer.allowed).length ?? 0,
        outcomeDisplay,
        mediaLabels: consentKindLabels,
      });
  });

  app.get('/consent/pupils/:id', { config: opens }, async (request, reply) => {
    const p = staffOf(request.principal);
    const [register, keeper] = await Promise.all([
      office.register(p, pupilId(request.params)),
      services.consentKeeper.keeperFor(p),
    ]);
    return reply.page('consent/views/staff-pupil.njk', {
      title: `Consent: ${register.pupil.givenName} ${register.pupil.familyName}`,
      r: register,
      canRecord: canRecordConsentAs(p, keeper),
      canManage: canAssessCompetenceAs(p, keeper),
      withdrawalCitation: formatCitation(register.settings.consent.withdrawalRetroactive.citation),
    });
  });

  // ---- Record a paper form ---------------------------------------------------------------
  const renderPaperForm = async (
    reply: FastifyReply,
    p: StaffPrincipal,
    id: string,
    values: Record<string, unknown>,
    errors?: FieldErrors,
  ) => {
    const register = await office.register(p, id);
    return reply
      .status(errors && reply.statusCode < 400 ? 400 : reply.statusCode)
      .page('consent/views/staff-paper-form.njk', {
        title: `Record a paper form: ${register.pupil.givenName} ${register.pupil.familyName}`,
        r: register,
        values,
        errors,
        questionField,
        methods: methodChoices(['paper_form', 'letter', 'email']),
        maxMb: Math.floor(config.uploadMaxBytes / 1_048_576),
      });
  };

  app.get('/consent/pupils/:id/paper-form', { config: records }, async (request, reply) => {
    const p = staffOf(request.principal);
    return renderPaperForm(reply, p, pupilId(request.params), { method: 'paper_form' });
  });

  formRoute(app, '/consent/pupils/:id/paper-form', {
    access: records.access,
    config: { multipartOptions, schoolAccess: records.schoolAccess },
    who: staffOf,
    params: idParams,
    // The questions are the school's consent kinds.
    authorise: async ({ who, params }) => {
      await office.pupilFor(who, params.id);
      return consentKeysFor(await services.consent.settings(who.schoolId));
    },
    form: (body: unknown, _request: FastifyRequest, keys: string[]) => {
      const fields = fieldsOf(body);
      const parsed = parseForm(paperFormSchema(keys), fields);
      const date = readDate(fields, 'decidedOn', 'the date on the form');
      const errors: FieldErrors = parsed.ok ? {} : { ...parsed.errors };
      if ('error' in date) errors.decidedOn = date.error;
      if (!parsed.ok || 'error' in date) return { ok: false as const, errors, values: fields };
      return { ok: true as const, value: { v: parsed.value, decidedOn: date.value } };
    },
    act: async ({ who, params, found: keys, value: { v: parsed, decidedOn }, request }) => {
      const v = parsed as Record<string, string | undefined> & typeof parsed;
      try {
        await office.recordPaperForm(who, params.id, {
          decider: deciderOf(v.decider),
          periodKey: v.periodKey,
          decidedOn,
          method: v.method,
          note: v.note,
          decisions: Object.fromEntries(keys.map((k) => [k, v[questionField(k)]!])),
          evidence: await evidenceOf(request, services.files),
        });
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        // Each message beside its question (a consent kind's radios).
        const mapped: FieldErrors = {};
        for (const [k, msg] of Object.entries(e.fieldErrors)) {
          mapped[
            keys.includes(k) ? questionField(k) : k === 'decisions' ? questionField(keys[0]!) : k
          ] = msg;
        }
        throw new ValidationError(mapped);
      }
    },
    done: (_, { params }) => ({
      redirect: `/consent/pupils/${params.id}`,
      flash: 'Paper form recorded.',
    }),
    render: (reply, { who, params, values, errors }) =>
      renderPaperForm(reply, who, params.id, fieldsOf(values), errors),
  });

  // ---- Record a written withdrawal -------------------------------------------------------
  const renderWithdrawal = async (
    reply: FastifyReply,
    p: StaffPrincipal,
    id: string,
    values: Record<string, unknown>,
    errors?: FieldErrors,
  ) => {
    const register = await office.register(p, id);
    const chosen = values.withdraw;
    return reply
      .status(errors && reply.statusCode < 400 ? 400 : reply.statusCode)
      .page('consent/views/staff-withdrawal.njk', {
        title: `Record a withdrawal: ${register.pupil.givenName} ${register.pupil.familyName}`,
        r: register,
        values,
        chosen: Array.isArray(chosen) ? chosen : typeof chosen === 'string' ? [chosen] : [],
        errors,
        methods: methodChoices(['letter', 'email', 'paper_form']),
        withdrawalCitation: formatCitation(
          register.settings.consent.withdrawalRetroactive.citation,
        ),
        writingCitation: formatCitation(
          register.settings.consent.withdrawalMustBeInWriting.citation,
        ),
        maxMb: Math.floor(config.uploadMaxBytes / 1_048_576),
      });
  };

  app.get('/consent/pupils/:id/withdrawal', { config: records }, async (request, reply) => {
    const p = staffOf(request.principal);
    return renderWithdrawal(reply, p, pupilId(request.params), { method: 'letter' });
  });

  formRoute(app, '/consent/pupils/:id/withdrawal', {
    access: records.access,
    config: { multipartOptions, schoolAccess: records.schoolAccess },
    who: staffOf,
    params: idParams,
    authorise: async ({ who, params }) => {
      await office.pupilFor(who, params.id);
    },
    form: (body: unknown) => {
      const fields = fieldsOf(body);
      const parsed = parseForm(withdrawalForm, fields);
      const date = readDate(fields, 'decidedOn', 'the date on the letter');
      const errors: FieldErrors = parsed.ok ? {} : { ...parsed.errors };
      if ('error' in date) errors.decidedOn = date.error;
      if (!parsed.ok || 'error' in date) return { ok: false as const, errors, values: fields };
      return { ok: true as const, value: { ...parsed.value, decidedOn: date.value } };
    },
    act: async ({ who, params, value, request }) => {
      try {
        await office.recordWithdrawal(who, params.id, {
          decider: deciderOf(value.decider),
          periodKey: value.periodKey,
          decidedOn: value.decidedOn,
          method: value.method,
          keys: value.withdraw,
          note: value.note,
          evidence: await evidenceOf(request, services.files),
        });
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        // A message about the decisions goes beside the ticked kinds.
        const mapped: FieldErrors = {};
        for (const [k, msg] of Object.entries(e.fieldErrors)) {
          mapped[k === 'decisions' || k.includes('/') ? 'withdraw' : k] = msg;
        }
        throw new ValidationError(mapped);
      }
    },
    done: (_, { params }) => ({
      redirect: `/consent/pupils/${params.id}`,
      flash: 'Withdrawal recorded. It applies from now on.',
    }),
    render: (reply, { who, params, values, errors }) =>
      renderWithdrawal(reply, who, params.id, fieldsOf(values), errors),
  });

  // ---- Competence assessment -------------------------------------------------------------
  const renderCompetence = async (
    reply: FastifyReply,
    p: StaffPrincipal,
    id: string,
    values: Record<string, unknown>,
    errors?: FieldErrors,
  ) => {
    const register = await office.register(p, id);
    if (!register.pupilMayDecide) throw new NotFoundError();
    return reply
      .status(errors && reply.statusCode < 400 ? 400 : reply.statusCode)
      .page('consent/views/staff-competence.njk', {
        title: `Competence: ${register.pupil.givenName} ${register.pupil.familyName}`,
        r: register,
        values,
        errors,
        citation: formatCitation(register.settings.consent.competentPupilMayConsent.citation),
      });
  };

  app.get('/consent/pupils/:id/competence', { config: assesses }, async (request, reply) => {
    const p = staffOf(request.principal);
    const [y, m, d] = today().split('-');
    return renderCompetence(reply, p, pupilId(request.params), {
      'assessedOn-day': d,
      'assessedOn-month': m,
      'assessedOn-year': y,
    });
  });

  formRoute(app, '/consent/pupils/:id/competence', {
    access: assesses.access,
    config: { schoolAccess: assesses.schoolAccess },
    who: staffOf,
    params: idParams,
    authorise: async ({ who, params }) => {
      const register = await office.register(who, params.id);
      if (!register.pupilMayDecide) throw new NotFoundError();
    },
    form: (body: unknown) => {
      const fields = fieldsOf(body);
      const parsed = parseForm(competenceForm, fields);
      const date = readDate(fields, 'assessedOn', 'the date of the assessment');
      const errors: FieldErrors = parsed.ok ? {} : { ...parsed.errors };
      if ('error' in date) errors.assessedOn = date.error;
      if (!parsed.ok || 'error' in date) return { ok: false as const, errors, values: fields };
      return { ok: true as const, value: { ...parsed.value, assessedOn: date.value } };
    },
    act: ({ who, params, value }) =>
      office.assessCompetence(who, params.id, {
        competent: value.competent === 'yes',
        assessedOn: value.assessedOn,
        note: value.note,
      }),
    done: (_, { params }) => ({
      redirect: `/consent/pupils/${params.id}`,
      flash: 'Assessment recorded.',
    }),
    render: (reply, { who, params, values, errors }) =>
      renderCompetence(reply, who, params.id, fieldsOf(values), errors),
  });

  // ---- Evidence download -----------------------------------------------------------------
  app.get('/consent/records/:id/evidence', { config: opens }, async (request, reply) => {
    const p = staffOf(request.principal);
    const file = await office.evidence(p, pupilId(request.params));
    return reply
      .header('Content-Type', file.contentType)
      .header('Content-Disposition', contentDisposition(file.filename))
      .header('Cache-Control', 'private, no-store')
      .send(file.stream);
  });

  // ---- Class matrix and cards ------------------------------------------------------------
  app.get('/consent/classes/:className', { config: opens }, async (request, reply) => {
    const p = staffOf(request.principal);
    const matrix = await office.classMatrix(p, className(request.params));
    return reply.page('consent/views/staff-class.njk', {
      title: `Consent: class ${matrix.className}`,
      m: matrix,
      outcomeDisplay,
    });
  });

  app.get('/consent/classes/:className/card', { config: opens }, async (request, reply) => {
    const p = staffOf(request.principal);
    const card = await office.classCard(p, className(request.params));
    return reply.header('Cache-Control', 'private, no-store').page('consent/views/staff-card.njk', {
      title: `Consent card: ${card.className}`,
      card,
    });
  });

  app.get('/consent/classes/:className/card.pdf', { config: opens }, async (request, reply) => {
    const p = staffOf(request.principal);
    const card = await office.classCard(p, className(request.params));
    const pdf = await classCardPdf(card, await services.people.schoolName(p.schoolId));
    return reply
      .header('Content-Type', 'application/pdf')
      .header(
        'Content-Disposition',
        contentDisposition(`consent-card-${card.className}-${card.schoolDate}.pdf`),
      )
      .header('Cache-Control', 'private, no-store')
      .send(pdf);
  });

  // ---- Changes since a date, export --------------------------------------------------------
  // The record keeper's school-wide pages: any member of staff reaches them; the managers, the
  // office and the profile's record keeper (a role or a responsibility) see them, others a 404.
  app.get(
    '/consent/changes',
    { config: { access: mayReachConsentKeeping } },
    async (request, reply) => {
      const p = staffOf(request.principal);
      const keeper = await services.consentKeeper.keeperFor(p);
      if (!canViewAllConsentAs(p, keeper)) throw new NotFoundError();
      const raw = (request.query ?? {}) as Record<string, unknown>;
      const q = changesQuery.safeParse(raw);
      let since: string | undefined;
      let errors: FieldErrors | undefined;
      if ('since-day' in raw || 'since-month' in raw || 'since-year' in raw) {
        const d = readDate(raw, 'since', 'the date to start from');
        if ('error' in d) errors = { since: d.error };
        else since = d.value;
      } else if (q.success && q.data.since) {
        const [y, m, d] = q.data.since.split('-');
        const r = readDate(
          { 'since-day': d, 'since-month': m, 'since-year': y },
          'since',
          'the date to start from',
        );
        if ('error' in r) errors = { since: r.error };
        else since = r.value;
      } else {
        since = ukDate(new Date(services.clock.now().getTime() - 7 * 86_400_000));
      }
      if (since && since > today())
        errors = { since: 'The date to start from must be today or in the past' };
      const result = errors || !since ? null : await office.changesSince(p.schoolId, since);
      const [y, m, d] = (since ?? '').split('-');
      return reply
        .status(errors && reply.statusCode < 400 ? 400 : reply.statusCode)
        .page('consent/views/staff-changes.njk', {
          title: 'Consent changes',
          since,
          values: errors ? raw : { 'since-day': d, 'since-month': m, 'since-year': y },
          errors,
          result,
          canExport: canManageConsentAs(p, keeper),
        });
    },
  );

  app.get(
    '/consent/export.csv',
    { config: { access: mayReachConsentKeeping } },
    async (request, reply) => {
      const p = staffOf(request.principal);
      if (!canManageConsentAs(p, await services.consentKeeper.keeperFor(p)))
        throw new NotFoundError();
      const csv = await office.exportCsv(p.schoolId);
      return reply
        .header('Content-Type', 'text/csv; charset=utf-8')
        .header('Content-Disposition', contentDisposition(`consent-register-${today()}.csv`))
        .header('Cache-Control', 'private, no-store')
        .send(`\uFEFF${csv}`);
    },
  );
}
