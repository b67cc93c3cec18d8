import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import { ForbiddenError, NotFoundError, ValidationError, type FieldErrors } from '../../errors.ts';
import { flash } from '../../web/flash.ts';
import { parseForm } from '../../web/forms.ts';
import {
  roleLabels,
  secondFactorRoles,
  staffRoles,
  type StaffPrincipal,
} from '../auth/principal.ts';
import { staffOf } from '../../web/principal.ts';
import { YEAR_GROUPS } from './mis-import/mis-parse.ts';
import {
  dateInputValues,
  readLeavingForm,
  readPossiblyLeftForm,
  readPupilForm,
  staffChangeForm,
  staffForm,
} from './people.forms.ts';
import {
  canChangeStaffMember,
  canGrantRole,
  canManagePupils,
  canManageStaff,
} from './people.policy.ts';
import type { PupilRow } from './people.repository.ts';
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
function roleItems(p: StaffPrincipal, chosen: readonly string[]) {
  return staffRoles
    .filter((role) => canGrantRole(p, role))
    .map((role) => ({
      value: role,
      text: roleLabels[role],
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
}) {
  return {
    givenName: member.givenName,
    familyName: member.familyName,
    jobTitle: member.jobTitle ?? '',
    roles: member.roles,
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

  app.post('/pupils/new', { config: { access: canManagePupils } }, async (request, reply) => {
    const p = staffOf(request.principal);
    const values = (request.body ?? {}) as Record<string, unknown>;
    const form = readPupilForm(values);
    if (!form.ok)
      return renderPupilForm(reply.status(400), { pupil: null, values, errors: form.errors });
    try {
      const pupil = await services.people.addPupil(p, form.value);
      flash(reply, `${pupil.givenName} ${pupil.familyName} added.`);
      return reply.redirect(`/pupils/${pupil.id}`, 303);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      return renderPupilForm(reply.status(400), { pupil: null, values, errors: e.fieldErrors });
    }
  });

  const managedPupil = async (p: StaffPrincipal, id: string) =>
    (await services.people.pupilRecord(p, id)).pupil as PupilRow;

  app.get('/pupils/:id/edit', { config: { access: canManagePupils } }, async (request, reply) => {
    const p = staffOf(request.principal);
    const pupil = await managedPupil(p, idOf(request.params));
    return renderPupilForm(reply, { pupil, values: pupilValues(pupil) });
  });

  app.post('/pupils/:id/edit', { config: { access: canManagePupils } }, async (request, reply) => {
    const p = staffOf(request.principal);
    const pupil = await managedPupil(p, idOf(request.params));
    const values = (request.body ?? {}) as Record<string, unknown>;
    const form = readPupilForm(values);
    if (!form.ok) return renderPupilForm(reply.status(400), { pupil, values, errors: form.errors });
    try {
      await services.people.updatePupil(p, pupil.id, {
        ...form.value,
        misId: form.value.misId ?? pupil.misId,
      });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      return renderPupilForm(reply.status(400), { pupil, values, errors: e.fieldErrors });
    }
    flash(reply, 'Details saved.');
    return reply.redirect(`/pupils/${pupil.id}`, 303);
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

  app.post(
    '/pupils/:id/leaving',
    { config: { access: canManagePupils } },
    async (request, reply) => {
      const p = staffOf(request.principal);
      const pupil = await managedPupil(p, idOf(request.params));
      const values = (request.body ?? {}) as Record<string, unknown>;
      const form = readLeavingForm(values);
      if (!form.ok) return renderLeaving(reply.status(400), pupil, values, form.errors);
      try {
        await services.people.recordLeaving(p, [pupil.id], form.value);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        return renderLeaving(reply.status(400), pupil, values, e.fieldErrors);
      }
      flash(reply, 'Leaving date recorded. The record and its history are kept.');
      return reply.redirect(`/pupils/${pupil.id}`, 303);
    },
  );

  app.post(
    '/pupils/:id/still-here',
    { config: { access: canManagePupils } },
    async (request, reply) => {
      const p = staffOf(request.principal);
      const pupil = await managedPupil(p, idOf(request.params));
      await services.people.confirmStillHere(p, [pupil.id]);
      flash(reply, `${pupil.givenName} ${pupil.familyName} is no longer marked as possibly left.`);
      return reply.redirect(`/pupils/${pupil.id}`, 303);
    },
  );

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

  app.post(
    '/pupils/possibly-left',
    { config: { access: canManagePupils } },
    async (request, reply) => {
      const p = staffOf(request.principal);
      const values = (request.body ?? {}) as Record<string, unknown>;
      const form = readPossiblyLeftForm(values);
      if (!form.ok) return renderReview(reply.status(400), p, values, form.errors);
      const { pupilIds, outcome, leavingDate } = form.value;
      try {
        const n =
          outcome === 'left'
            ? await services.people.recordLeaving(p, pupilIds, leavingDate!)
            : await services.people.confirmStillHere(p, pupilIds);
        flash(
          reply,
          outcome === 'left'
            ? `Leaving date recorded for ${n} ${n === 1 ? 'pupil' : 'pupils'}.`
            : `${n} ${n === 1 ? 'pupil is' : 'pupils are'} no longer marked as possibly left.`,
        );
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        return renderReview(reply.status(400), p, values, e.fieldErrors);
      }
      return reply.redirect('/pupils/possibly-left', 303);
    },
  );

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
      roleItems: roleItems(p, listOf(view.values.roles)),
      givesEveryRole: staffRoles.every((role) => canGrantRole(p, role)),
      isSelf: view.member?.id === p.id,
    });

  app.get('/staff/new', { config: { access: canManageStaff } }, async (request, reply) =>
    renderStaffForm(reply, staffOf(request.principal), { member: null, values: {} }),
  );

  app.post('/staff/new', { config: { access: canManageStaff } }, async (request, reply) => {
    const p = staffOf(request.principal);
    const values = (request.body ?? {}) as Record<string, unknown>;
    const form = parseForm(staffForm, values);
    if (!form.ok) {
      return renderStaffForm(reply.status(400), p, { member: null, values, errors: form.errors });
    }
    try {
      const member = await services.people.addStaff(p, form.value);
      // The invitation email is a job enqueued with the row; this process sends it at once.
      services.auth.deliverQueuedStaffInvitations();
      flash(
        reply,
        `${member.givenName} ${member.familyName} added. We have emailed them a link to set their password.`,
      );
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      return renderStaffForm(reply.status(400), p, { member: null, values, errors: e.fieldErrors });
    }
    return reply.redirect('/staff', 303);
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

  app.post('/staff/:id/edit', { config: { access: canManageStaff } }, async (request, reply) => {
    const p = staffOf(request.principal);
    const member = await services.people.staffMember(p.schoolId, idOf(request.params));
    const values = (request.body ?? {}) as Record<string, unknown>;
    const form = parseForm(staffChangeForm, values);
    if (!form.ok)
      return renderStaffForm(reply.status(400), p, { member, values, errors: form.errors });
    try {
      await services.people.updateStaff(p, member.id, form.value);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      return renderStaffForm(reply.status(400), p, { member, values, errors: e.fieldErrors });
    }
    flash(reply, 'Account saved.');
    return reply.redirect('/staff', 303);
  });

  // "Send a new invitation": a fresh "set your password" link for someone who has none yet.
  app.post(
    '/staff/:id/invitation',
    { config: { access: canManageStaff } },
    async (request, reply) => {
      const p = staffOf(request.principal);
      const member = await services.people.staffMember(p.schoolId, idOf(request.params));
      try {
        await services.people.inviteStaffAgain(p, member.id);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        return renderStaffForm(reply.status(400), p, {
          member,
          values: storedStaffValues(member),
          errors: e.fieldErrors,
        });
      }
      services.auth.deliverQueuedStaffInvitations();
      flash(
        reply,
        `We have emailed ${member.givenName} ${member.familyName} a new link to set their password.`,
      );
      return reply.redirect(`/staff/${member.id}/edit`, 303);
    },
  );

  for (const [path, active] of [
    ['deactivate', false],
    ['reactivate', true],
  ] as const) {
    app.post(
      `/staff/:id/${path}`,
      { config: { access: canManageStaff } },
      async (request, reply) => {
        const p = staffOf(request.principal);
        const member = await services.people.staffMember(p.schoolId, idOf(request.params));
        try {
          await services.people.updateStaff(p, member.id, { active });
        } catch (e) {
          if (!(e instanceof ValidationError)) throw e;
          return renderStaffForm(reply.status(400), p, {
            member,
            values: storedStaffValues(member),
            errors: { active: Object.values(e.fieldErrors).join(' ') },
          });
        }
        flash(
          reply,
          active
            ? `${member.givenName} ${member.familyName} can sign in again.`
            : `${member.givenName} ${member.familyName} can no longer sign in. Their history is kept.`,
        );
        return reply.redirect('/staff', 303);
      },
    );
  }
}
