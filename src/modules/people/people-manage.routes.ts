import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import { ForbiddenError, NotFoundError, type FieldErrors } from '../../errors.ts';
import { formRoute } from '../../web/form-route.ts';
import { roleLabels, secondFactorRoles, staffRoles, type StaffPrincipal } from '../auth/index.ts';
import { staffOf } from '../../web/principal.ts';
import { YEAR_GROUPS } from './mis-import/mis-parse.ts';
import {
  dateInputValues,
  readLeavingForm,
  readPossiblyLeftForm,
  readPupilForm,
  readStaffChangeForm,
  staffForm,
} from './people.forms.ts';
import { leaveInWords } from './staff-leave.ts';
import {
  canChangeStaffMember,
  canGrantRole,
  canManagePupils,
  canManageStaff,
} from './people.policy.ts';
import type { PupilRow } from './index.ts';
import { yearGroupLabel } from '../../web/views.ts';

const idParams = z.object({ id: z.uuid() });

function idOf(params: unknown): string {
  const parsed = idParams.safeParse(params);
  if (!parsed.success) throw new NotFoundError();
  return parsed.data.id;
}

const yearGroupItems = (chosen: unknown) => [
  { value: '', text: 'Select a year group' },
  ...YEAR_GROUPS.map((y) => ({ value: y, text: yearGroupLabel(y), selected: chosen === y })),
];

/** The add / edit form's answers from a stored pupil. */
function pupilValues(p: PupilRow): Record<string, unknown> {
  return {
    givenName: p.givenName,
    familyName: p.familyName,
    yearGroup: p.yearGroup,
    className: p.className ?? '',
    misId: p.misId,
    ...dateInputValues('dateOfBirth', p.dateOfBirth),
    ...dateInputValues('admissionDate', p.admissionDate),
  };
}

/** Role checkboxes: only the roles this person may give (the Headteacher's roles are theirs). */
function roleItems(
  p: StaffPrincipal,
  chosen: readonly string[],
  titles: Partial<Record<string, string>> | null = null,
) {
  return staffRoles
    .filter((role) => canGrantRole(p, role))
    .map((role) => ({
      value: role,
      // The school's own title for the role (people.roleTitles), Lanyard's name otherwise.
      text: titles?.[role] ?? roleLabels[role],
      checked: chosen.includes(role),
      ...(secondFactorRoles.includes(role)
        ? { hint: { text: 'Must use two-step sign-in. Only the Headteacher can give this role.' } }
        : {}),
    }));
}

/** A checkbox group arrives as one string, several, or none. */
const listOf = (v: unknown): string[] =>
  v === undefined ? [] : (Array.isArray(v) ? v : [v]).filter((x) => typeof x === 'string');

/**
 * Managing people in the app: add and edit pupils, record leaving dates, review pupils an MIS
 * import flagged as possibly left; add staff, change their roles, deactivate and reactivate them.
 * Parse → authorise (named policy functions) → one PeopleService call → redirect, or the page
 * again with the GOV.UK error summary and the answers kept.
 */
/** A member of staff's stored details as the staff form's answers. */
function storedStaffValues(member: {
  givenName: string;
  familyName: string;
  jobTitle: string | null;
  roles: string[];
  lineManagerId: string | null;
  leaveDate: string | null;
}) {
  return {
    givenName: member.givenName,
    familyName: member.familyName,
    jobTitle: member.jobTitle ?? '',
    roles: member.roles,
    lineManagerId: member.lineManagerId ?? '',
    ...dateInputValues('leaveDate', member.leaveDate),
  };
}

export async function peopleManageRoutes(
  app: FastifyInstance,
  { services }: { services: Services },
) {
  // ---------------------------------------------------------------------------------------------
  // Pupils

  const renderPupilForm = (
    reply: FastifyReply,
    view: { pupil: PupilRow | null; values: Record<string, unknown>; errors?: FieldErrors },
  ) =>
    reply.page('people/views/pupil-form.njk', {
      title: view.pupil
        ? `Change ${view.pupil.givenName} ${view.pupil.familyName}’s details`
        : 'Add a pupil',
      ...view,
      yearGroupItems: yearGroupItems(view.values.yearGroup),
    });

  app.get('/pupils/new', { config: { access: canManagePupils } }, async (_request, reply) =>
    renderPupilForm(reply, { pupil: null, values: {} }),
  );

  formRoute(app, '/pupils/new', {
    access: canManagePupils,
    who: staffOf,
    form: readPupilForm,
    act: ({ who, value }) => services.people.addPupil(who, value),
    done: (pupil) => ({
      redirect: `/pupils/${pupil.id}`,
      flash: `${pupil.givenName} ${pupil.familyName} added.`,
    }),
    render: (reply, { values, errors }) => renderPupilForm(reply, { pupil: null, values, errors }),
  });

  const managedPupil = async (p: StaffPrincipal, id: string) =>
    (await services.people.pupilRecord(p, id)).pupil as PupilRow;

  app.get('/pupils/:id/edit', { config: { access: canManagePupils } }, async (request, reply) => {
    const p = staffOf(request.principal);
    const pupil = await managedPupil(p, idOf(request.params));
    return renderPupilForm(reply, { pupil, values: pupilValues(pupil) });
  });

  formRoute(app, '/pupils/:id/edit', {
    access: canManagePupils,
    who: staffOf,
    params: idParams,
    authorise: ({ who, params }) => managedPupil(who, params.id),
    form: readPupilForm,
    act: ({ who, found: pupil, value }) =>
      services.people.updatePupil(who, pupil.id, { ...value, misId: value.misId ?? pupil.misId }),
    done: (_, { found: pupil }) => ({ redirect: `/pupils/${pupil.id}`, flash: 'Details saved.' }),
    render: (reply, { found: pupil, values, errors }) =>
      renderPupilForm(reply, { pupil, values, errors }),
  });

  const renderLeaving = (
    reply: FastifyReply,
    pupil: PupilRow,
    values: Record<string, unknown>,
    errors?: FieldErrors,
  ) =>
    reply.page('people/views/pupil-leaving.njk', {
      title: `Record a leaving date for ${pupil.givenName} ${pupil.familyName}`,
      pupil,
      values,
      ...(errors ? { errors } : {}),
    });

  app.get(
    '/pupils/:id/leaving',
    { config: { access: canManagePupils } },
    async (request, reply) => {
      const p = staffOf(request.principal);
      const pupil = await managedPupil(p, idOf(request.params));
      return renderLeaving(reply, pupil, dateInputValues('leavingDate', pupil.leavingDate));
    },
  );

  formRoute(app, '/pupils/:id/leaving', {
    access: canManagePupils,
    who: staffOf,
    params: idParams,
    authorise: ({ who, params }) => managedPupil(who, params.id),
    form: readLeavingForm,
    act: ({ who, found: pupil, value }) => services.people.recordLeaving(who, [pupil.id], value),
    done: (_, { found: pupil }) => ({
      redirect: `/pupils/${pupil.id}`,
      flash: 'Leaving date recorded. The record and its history are kept.',
    }),
    render: (reply, { found: pupil, values, errors }) =>
      renderLeaving(reply, pupil, values, errors),
  });

  formRoute(app, '/pupils/:id/still-here', {
    access: canManagePupils,
    who: staffOf,
    params: idParams,
    authorise: ({ who, params }) => managedPupil(who, params.id),
    form: z.object({}),
    act: ({ who, found: pupil }) => services.people.confirmStillHere(who, [pupil.id]),
    done: (_, { found: pupil }) => ({
      redirect: `/pupils/${pupil.id}`,
      flash: `${pupil.givenName} ${pupil.familyName} is no longer marked as possibly left.`,
    }),
    // A button with no answers: a refusal is the leaving page's, with the message beside it.
    render: (reply, { found: pupil, errors }) =>
      renderLeaving(reply, pupil, dateInputValues('leavingDate', pupil.leavingDate), errors),
  });

  const renderReview = async (
    reply: FastifyReply,
    p: StaffPrincipal,
    values: Record<string, unknown>,
    errors?: FieldErrors,
  ) => {
    const list = await services.people.possiblyLeft(p.schoolId);
    const chosen = listOf(values.pupils);
    return reply.page('people/views/possibly-left.njk', {
      title: 'Pupils marked as possibly left',
      list,
      chosen,
      values,
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/pupils/possibly-left',
    { config: { access: canManagePupils } },
    async (request, reply) => renderReview(reply, staffOf(request.principal), {}),
  );

  formRoute(app, '/pupils/possibly-left', {
    access: canManagePupils,
    who: staffOf,
    form: readPossiblyLeftForm,
    act: ({ who, value: { pupilIds, outcome, leavingDate } }) =>
      outcome === 'left'
        ? services.people.recordLeaving(who, pupilIds, leavingDate!)
        : services.people.confirmStillHere(who, pupilIds),
    done: (n, { value: { outcome } }) => ({
      redirect: '/pupils/possibly-left',
      flash:
        outcome === 'left'
          ? `Leaving date recorded for ${n} ${n === 1 ? 'pupil' : 'pupils'}.`
          : `${n} ${n === 1 ? 'pupil is' : 'pupils are'} no longer marked as possibly left.`,
    }),
    render: (reply, { who, values, errors }) => renderReview(reply, who, values, errors),
  });

  // ---------------------------------------------------------------------------------------------
  // Staff

  const renderStaffForm = async (
    reply: FastifyReply,
    p: StaffPrincipal,
    view: {
      member: Awaited<ReturnType<Services['people']['staffMember']>> | null;
      values: Record<string, unknown>;
      errors?: FieldErrors;
    },
  ) =>
    reply.page('people/views/staff-form.njk', {
      title: view.member
        ? `Change ${view.member.givenName} ${view.member.familyName}’s account`
        : 'Add a member of staff',
      ...view,
      // Whether they have set a password, or where their invitation stands (never the hash).
      invitation: view.member ? await services.auth.invitationState(view.member) : null,
      roleItems: roleItems(
        p,
        listOf(view.values.roles),
        await services.policyScope.roleTitles(p.schoolId),
      ),
      givesEveryRole: staffRoles.every((role) => canGrantRole(p, role)),
      isSelf: view.member?.id === p.id,
      // "Leaves on 31 August 2027" for an active account whose leave date is still to come.
      leaveWords:
        view.member?.active &&
        view.member.leaveDate &&
        view.member.leaveDate > services.people.today()
          ? leaveInWords(view.member, services.people.today())
          : null,
      // The line manager list: the school's other current staff, by name ("None" first).
      lineManagerItems: view.member
        ? [
            { value: '', text: 'No line manager' },
            ...(
              await services.people.lineManagerChoices(
                p.schoolId,
                view.member.id,
                view.member.lineManagerId,
              )
            ).map((c) => ({
              value: c.id,
              text: c.active ? c.name : `${c.name} (account deactivated)`,
              selected: view.values.lineManagerId === c.id,
            })),
          ]
        : null,
    });

  app.get('/staff/new', { config: { access: canManageStaff } }, async (request, reply) =>
    renderStaffForm(reply, staffOf(request.principal), { member: null, values: {} }),
  );

  formRoute(app, '/staff/new', {
    access: canManageStaff,
    who: staffOf,
    form: staffForm,
    act: async ({ who, value }) => {
      const member = await services.people.addStaff(who, value);
      // The invitation email is a job enqueued with the row; this process sends it at once.
      services.auth.deliverQueuedStaffInvitations();
      return member;
    },
    done: (member) => ({
      redirect: '/staff',
      flash: `${member.givenName} ${member.familyName} added. We have emailed them a link to set their password.`,
    }),
    render: (reply, { who, values, errors }) =>
      renderStaffForm(reply, who, { member: null, values, errors }),
  });

  app.get('/staff/:id/edit', { config: { access: canManageStaff } }, async (request, reply) => {
    const p = staffOf(request.principal);
    const member = await services.people.staffMember(p.schoolId, idOf(request.params));
    if (!canChangeStaffMember(p, member)) {
      throw new ForbiddenError(
        'Only the Headteacher can change the account of a Headteacher, DSL or DPO',
      );
    }
    return renderStaffForm(reply, p, {
      member,
      values: storedStaffValues(member),
    });
  });

  const staffMember = ({ who, params }: { who: StaffPrincipal; params: { id: string } }) =>
    services.people.staffMember(who.schoolId, params.id);

  formRoute(app, '/staff/:id/edit', {
    access: canManageStaff,
    who: staffOf,
    params: idParams,
    authorise: staffMember,
    form: readStaffChangeForm,
    act: ({ who, found: member, value }) => services.people.updateStaff(who, member.id, value),
    done: () => ({ redirect: '/staff', flash: 'Account saved.' }),
    render: (reply, { who, found: member, values, errors }) =>
      renderStaffForm(reply, who, { member, values, errors }),
  });

  // "Send a new invitation": a fresh "set your password" link for someone who has none yet.
  formRoute(app, '/staff/:id/invitation', {
    access: canManageStaff,
    who: staffOf,
    params: idParams,
    authorise: staffMember,
    form: z.object({}),
    act: async ({ who, found: member }) => {
      await services.people.inviteStaffAgain(who, member.id);
      services.auth.deliverQueuedStaffInvitations();
    },
    done: (_, { found: member }) => ({
      redirect: `/staff/${member.id}/edit`,
      flash: `We have emailed ${member.givenName} ${member.familyName} a new link to set their password.`,
    }),
    // A button: the account page again with the message, showing the stored details.
    render: (reply, { who, found: member, errors }) =>
      renderStaffForm(reply, who, { member, values: storedStaffValues(member), errors }),
  });

  for (const [path, active] of [
    ['deactivate', false],
    ['reactivate', true],
  ] as const) {
    formRoute(app, `/staff/:id/${path}`, {
      access: canManageStaff,
      who: staffOf,
      params: idParams,
      authorise: staffMember,
      form: z.object({}),
      act: ({ who, found: member }) => services.people.updateStaff(who, member.id, { active }),
      done: (_, { found: member }) => ({
        redirect: '/staff',
        flash: active
          ? `${member.givenName} ${member.familyName} can sign in again.`
          : `${member.givenName} ${member.familyName} can no longer sign in. Their history is kept.`,
      }),
      // A button: the account page again, the message beside "active".
      render: (reply, { who, found: member, errors }) =>
        renderStaffForm(reply, who, {
          member,
          values: storedStaffValues(member),
          errors: { active: Object.values(errors).join(' ') },
        }),
    });
  }
}
