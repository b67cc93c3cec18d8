import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../src/errors.ts';
import type { Principal, StaffRole } from '../../src/modules/auth/principal.ts';
import { ukDate } from '../../src/platform/clock.ts';
import { addDays } from '../../src/modules/policies/index.ts';
import { conductJobs } from '../../src/modules/conduct/conduct.jobs.ts';

describe('conduct: declarations, permissions and filtering records (real PostgreSQL)', () => {
  let ctx: TestContext;
  let fx: SchoolFixture;
  let other: SchoolFixture;
  const as = (f: SchoolFixture, role: StaffRole): Principal => ({
    kind: 'staff',
    id: f.staff[role].id,
    schoolId: f.school.id,
    roles: [role],
    name: role,
  });
  const audits = async (action: string) =>
    (await ctx.services.audit.listForSchool(fx.school.id, { action }, 1)).total;
  const mailTo = (email: string) => ctx.sink.messages.filter((m) => m.to.includes(email));

  beforeAll(async () => {
    ctx = await createTestServices();
    [fx, other] = await Promise.all([
      createSchool(ctx.services, { pupils: 6 }),
      createSchool(ctx.services, { pupils: 4 }),
    ]);
  });
  afterAll(async () => ctx?.close());

  it('records a friend request from a pupil on the roll, emails the reviewer, and takes one response', async () => {
    const d = ctx.services.conductDeclarations;
    const pupil = fx.pupils[0]!;
    const before = mailTo(fx.staff.headteacher.email).length;
    const row = await d.declare(as(fx, 'teacher'), {
      kind: 'friend_request',
      value: {
        platform: 'Instagram',
        from: 'pupil',
        pupilId: pupil.id,
        parentId: undefined,
        exPupilName: '',
        actionTaken: 'blocked',
        details: '',
      },
    });
    expect(row).toMatchObject({
      status: 'awaiting_review',
      subjectPupilId: pupil.id,
      actionTaken: 'blocked',
    });
    expect(await audits('conduct.declaration-made')).toBeGreaterThanOrEqual(1);
    const mail = mailTo(fx.staff.headteacher.email);
    expect(mail.length).toBe(before + 1);
    // Content-free: no pupil's name in the email.
    expect(JSON.stringify(mail.at(-1))).not.toContain(pupil.familyName);

    // A pupil of another school is not on this roll.
    await expect(
      d.declare(as(fx, 'teacher'), {
        kind: 'friend_request',
        value: {
          platform: 'X',
          from: 'pupil',
          pupilId: other.pupils[0]!.id,
          parentId: undefined,
          exPupilName: '',
          actionTaken: 'declined',
          details: '',
        },
      }),
    ).rejects.toBeInstanceOf(ValidationError);

    // Only the reviewer responds; the teacher sees theirs, another teacher sees nothing.
    await expect(d.review(as(fx, 'teacher'), row.id, 'Thanks')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(d.view(as(fx, 'support_staff'), row.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(d.view(as(other, 'headteacher'), row.id)).rejects.toBeInstanceOf(NotFoundError);
    await d.review(as(fx, 'headteacher'), row.id, 'Thank you for telling us. Keep them blocked.');
    const view = await d.view(as(fx, 'teacher'), row.id);
    expect(view.declaration).toMatchObject({
      status: 'reviewed',
      response: 'Thank you for telling us. Keep them blocked.',
    });
    expect(view.subjectName).toBe(`${pupil.givenName} ${pupil.familyName}`);
    await expect(d.review(as(fx, 'headteacher'), row.id, 'Again')).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(mailTo(fx.staff.teacher.email).at(-1)?.subject).toBe('Your declaration has a response');
  });

  it('opens one incident from a declaration, even when the reviewer presses twice at once', async () => {
    const d = ctx.services.conductDeclarations;
    const row = await d.declare(as(fx, 'support_staff'), {
      kind: 'social_contact',
      value: { pupilId: fx.pupils[1]!.id, details: 'Our children play football together.' },
    });
    const incidents = async () =>
      Number(
        (
          await ctx.services.database.pool.query(
            'SELECT count(*)::int AS n FROM incidents WHERE school_id = $1',
            [fx.school.id],
          )
        ).rows[0].n,
      );
    const before = await incidents();
    // Only the reviewer can; another member of staff learns nothing.
    await expect(d.openIncident(as(fx, 'teacher'), row.id)).rejects.toBeInstanceOf(NotFoundError);
    const results = await Promise.allSettled([
      d.openIncident(as(fx, 'headteacher'), row.id),
      d.openIncident(as(fx, 'headteacher'), row.id),
    ]);
    const opened = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(opened).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    expect(await incidents()).toBe(before + 1);
    const view = await d.view(as(fx, 'headteacher'), row.id);
    expect(view.declaration.incidentId).toBe(
      (opened[0] as PromiseFulfilledResult<{ incidentId: string }>).value.incidentId,
    );
    expect(await audits('conduct.declaration-incident-opened')).toBeGreaterThanOrEqual(1);
  });

  it('sends the Headteacher’s own declaration to the governors: nobody responds to their own', async () => {
    const d = ctx.services.conductDeclarations;
    const settings = (await ctx.services.policies.current(fx.school.id)).settings;
    expect(settings.conduct.declarationReviewerRole.value).toBe('headteacher');
    expect(settings.conduct.selfRequestDeciders.value).toEqual(['headteacher', 'governor']);
    const before = mailTo(fx.staff.governor.email).length;
    const headMail = mailTo(fx.staff.headteacher.email).length;
    const row = await d.declare(as(fx, 'headteacher'), {
      kind: 'social_contact',
      value: { pupilId: fx.pupils[2]!.id, details: 'Our families go on holiday together.' },
    });
    // The governor is told, not the Headteacher (who made it).
    expect(mailTo(fx.staff.governor.email).length).toBe(before + 1);
    expect(mailTo(fx.staff.headteacher.email).length).toBe(headMail);

    // The Headteacher sees it, is told who reads it, and cannot respond or open an incident.
    const own = await d.view(as(fx, 'headteacher'), row.id);
    expect(own.isReviewer).toBe(false);
    expect(own.readInsteadBy).toEqual({ title: settings.people.roleTitles.value.governor });
    await expect(d.review(as(fx, 'headteacher'), row.id, 'Fine by me')).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(d.openIncident(as(fx, 'headteacher'), row.id)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    // Another member of staff learns nothing; the governor reads and responds.
    await expect(d.view(as(fx, 'teacher'), row.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(d.review(as(fx, 'dsl'), row.id, 'Noted')).rejects.toBeInstanceOf(NotFoundError);
    const theirs = await d.view(as(fx, 'governor'), row.id);
    expect(theirs.isReviewer).toBe(true);
    expect(theirs.declarantName).toContain('headteacher');
    await d.review(as(fx, 'governor'), row.id, 'Thank you. Keep school matters out of it.');
    expect((await d.view(as(fx, 'headteacher'), row.id)).declaration).toMatchObject({
      status: 'reviewed',
      reviewedBy: fx.staff.governor.id,
    });
    // The governor reads only what is passed to them: a teacher's declaration stays the Head's.
    const teachers = await d.declare(as(fx, 'teacher'), {
      kind: 'online_presence',
      value: { outcome: 'nothing_found', details: '' },
    });
    await expect(d.view(as(fx, 'governor'), teachers.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await d.view(as(fx, 'headteacher'), teachers.id)).isReviewer).toBe(true);
  });

  it('takes declarations from volunteers and governors too', async () => {
    for (const role of ['volunteer', 'governor'] as const) {
      const row = await ctx.services.conductDeclarations.declare(as(fx, role), {
        kind: 'online_presence',
        value: { outcome: 'nothing_found', details: '' },
      });
      expect(row).toMatchObject({ staffId: fx.staff[role].id, status: 'awaiting_review' });
    }
    const { rows } = await ctx.services.conductDeclarations.listForReview(as(fx, 'headteacher'));
    expect(rows.filter((r) => r.kind === 'online_presence').length).toBeGreaterThanOrEqual(2);
  });

  it('offers only the declarations the profile asks for', async () => {
    const settingsPath = 'conduct.socialContactMustBeDeclared';
    const current = await ctx.services.policies.current(other.school.id);
    await ctx.services.policies.updateSettings(
      other.school.id,
      { kind: 'staff', id: other.staff.headteacher.id },
      {
        answers: { [settingsPath]: 'no' },
        note: 'No social contact declarations',
        expectedVersion: current.version,
      },
    );
    const kinds = (await ctx.services.conductDeclarations.kindsOffered(other.school.id)).map(
      (k) => k.kind,
    );
    expect(kinds).not.toContain('social_contact');
    await expect(
      ctx.services.conductDeclarations.declare(as(other, 'teacher'), {
        kind: 'social_contact',
        value: { pupilId: other.pupils[0]!.id, details: 'Neighbour' },
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('takes a network permission through ICT sign-off, then the Headteacher, with its trail append-only', async () => {
    const perms = ctx.services.conductPermissions;
    const teacher = as(fx, 'teacher');
    const req = await perms.request(teacher, {
      type: 'school_network_social_media',
      reason: 'Class blog on the school WiFi',
    });
    expect(req.status).toBe('awaiting_sign_off');
    expect(mailTo(fx.staff.ict_technician.email).at(-1)?.subject).toBe(
      'A permission request needs your sign-off',
    );
    // The Headteacher cannot decide before the sign-off; the teacher cannot sign off.
    await expect(perms.decide(as(fx, 'headteacher'), req.id, 'granted', '')).rejects.toThrow(
      'It must be signed off by ICT before it can be decided.',
    );
    await expect(perms.decide(teacher, req.id, 'signed_off', '')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const signed = await perms.decide(
      as(fx, 'ict_technician'),
      req.id,
      'signed_off',
      'Filtered VLAN for staff devices',
    );
    expect(signed.status).toBe('awaiting_decision');
    await expect(
      perms.decide(as(fx, 'ict_technician'), req.id, 'granted', ''),
    ).rejects.toBeInstanceOf(NotFoundError);
    const granted = await perms.decide(as(fx, 'headteacher'), req.id, 'granted', '');
    expect(granted.status).toBe('granted');
    // 365 days in every template.
    expect(granted.expiresAt!.getTime() - granted.grantedAt!.getTime()).toBe(365 * 86_400_000);
    expect(
      await perms.holds(fx.school.id, fx.staff.teacher.id, 'school_network_social_media'),
    ).toBe(true);
    const view = await perms.view(teacher, req.id);
    expect(view.decisions.map((d) => d.step)).toEqual(['requested', 'signed_off', 'granted']);
    expect(view.decisions[1]!.byName).toBe('ict technician Tester');
    await expect(
      ctx.services.database.pool.query(
        `UPDATE conduct_permission_decisions SET reason = 'x' WHERE permission_id = $1`,
        [req.id],
      ),
    ).rejects.toThrow(/append-only/);
    await expect(
      ctx.services.database.pool.query(
        `DELETE FROM conduct_permission_decisions WHERE permission_id = $1`,
        [req.id],
      ),
    ).rejects.toThrow(/append-only/);
    // Deciding again is a conflict; withdrawing ends it.
    await expect(
      perms.decide(as(fx, 'headteacher'), req.id, 'refused', 'No'),
    ).rejects.toBeInstanceOf(ConflictError);
    await perms.decide(teacher, req.id, 'withdrawn', '');
    expect(
      await perms.holds(fx.school.id, fx.staff.teacher.id, 'school_network_social_media'),
    ).toBe(false);
    expect(await audits('conduct.permission-')).toBeGreaterThanOrEqual(4);
  });

  it('lets a permission expire by the job', async () => {
    const perms = ctx.services.conductPermissions;
    const office = as(fx, 'office');
    const req = await perms.request(office, {
      type: 'phone_accessible',
      reason: 'Waiting for a hospital call',
    });
    await perms.decide(as(fx, 'headteacher'), req.id, 'granted', '');
    const later = new Date(Date.now() + 8 * 86_400_000);
    expect(await perms.holds(fx.school.id, fx.staff.office.id, 'phone_accessible', later)).toBe(
      false,
    );
    await ctx.services.database.pool.query(
      `UPDATE conduct_permissions SET expires_at = now() - interval '1 minute' WHERE id = $1`,
      [req.id],
    );
    // The hourly job, as the worker runs it.
    await conductJobs['conduct.expire-permissions'].run(ctx.services);
    const view = await perms.view(office, req.id);
    expect(view.permission.status).toBe('expired');
    expect(view.decisions.at(-1)).toMatchObject({ step: 'expired', staffId: null });
  });

  it('gives the reminder-post check the author’s current permission', async () => {
    const teacher = as(fx, 'teacher');
    const news = await ctx.services.posts.newsAccount(fx.school.id);
    const draft = () =>
      ctx.services.posts.createDraft(teacher, {
        title: 'Trip slips',
        body: 'Please return your trip slips by Friday.',
        eventLabel: null,
        kind: 'reminder_to_parents',
        media: [],
        accountIds: [news.id],
        scheduledAt: null,
      });
    const outcome = async (postId: string) => {
      await ctx.services.posts.submit(teacher, postId).catch(() => undefined);
      const view = await ctx.services.posts.view(as(fx, 'headteacher'), postId);
      return view.checks.find((c) => c.key === 'reminder_permission')?.outcome;
    };
    expect(await outcome((await draft()).id)).toBe('fail');
    const perms = ctx.services.conductPermissions;
    const req = await perms.request(teacher, { type: 'reminder_post', reason: 'Trip slips' });
    await perms.decide(as(fx, 'headteacher'), req.id, 'granted', '');
    expect(await outcome((await draft()).id)).toBe('pass');
  });

  it('answers a named photo from the consent register, never a copy of it', async () => {
    const perms = ctx.services.conductPermissions;
    const pupil = fx.pupils[1]!;
    const req = await perms.request(as(fx, 'teacher'), {
      type: 'named_newspaper_photo',
      reason: 'Chronicle story on the science fair',
      pupilId: pupil.id,
      purposeKey: 'school_social_media',
    });
    expect(req.status).toBe('awaiting_parent');
    // Nobody at the school can grant it by hand.
    await expect(perms.decide(as(fx, 'headteacher'), req.id, 'granted', '')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const [parent] = (
      await ctx.services.consent.pupilRegister(fx.school.id, pupil.id)
    ).parents.filter((p) => p.parentalResponsibility);
    const periodKey = (await ctx.services.consent.recordablePeriods(fx.school.id))[0]!.key;
    await ctx.services.consent.record(
      {
        schoolId: fx.school.id,
        pupilId: pupil.id,
        periodKey,
        decider: { kind: 'parent', parentId: parent!.id },
        decisions: {
          'school_social_media/image': 'granted',
          'school_social_media/name': 'granted',
        },
        method: 'paper_form',
        kind: 'form',
        decidedOn: ukDate(new Date()),
      },
      { kind: 'staff', id: fx.staff.office.id },
    );
    const checked = await perms.checkConsent(as(fx, 'teacher'), req.id);
    expect(checked.granted).toBe(true);
    const view = await perms.view(as(fx, 'teacher'), req.id);
    expect(view.permission.status).toBe('granted');
    expect(view.consent?.allowed).toBe(true);
    expect(view.decisions.at(-1)).toMatchObject({ step: 'granted', staffId: null });
  });

  it('keeps filtering records: provision, an exception on a permission, checks; due dates from the profile', async () => {
    const f = ctx.services.conductFiltering;
    const ict = as(fx, 'ict_technician');
    expect((await f.schedule(fx.school.id)).checkOverdue).toBe(true);
    await expect(
      f.recordProvision(as(fx, 'teacher'), {
        filteringProvider: 'X',
        monitoringProvider: 'Y',
        blockedCategories: ['Gambling'],
        alertRecipients: 'DSL',
        notes: '',
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await f.recordProvision(ict, {
      filteringProvider: 'LGfL WebScreen',
      monitoringProvider: 'Senso',
      blockedCategories: ['Pornography', 'Gambling'],
      alertRecipients: 'DSL and Headteacher',
      notes: '',
    });
    const perm = await ctx.services.conductPermissions.request(as(fx, 'support_staff'), {
      type: 'school_device_social_media',
      reason: 'Year 6 blog',
    });
    await expect(
      f.addException(ict, { description: 'Blog', permissionId: perm.id, startsOn: '2026-12-01' }),
    ).rejects.toBeInstanceOf(ValidationError);
    await ctx.services.conductPermissions.decide(as(fx, 'headteacher'), perm.id, 'granted', '');
    await f.addException(ict, {
      description: 'Blogger for Year 6 on the class iPads',
      permissionId: perm.id,
      startsOn: '2026-12-01',
    });
    const today = ukDate(ctx.services.clock.now());
    await f.addCheck(ict, {
      kind: 'review',
      checkedOn: today,
      outcome: 'working',
      findings: 'Reviewed with the DSL',
      actions: '',
    });
    const schedule = await f.schedule(fx.school.id);
    expect(schedule).toMatchObject({
      checkOverdue: false,
      reviewOverdue: false,
      lastReviewOn: today,
      checkEveryDays: 91,
    });
    const governors = await f.reviewForGovernors(fx.school.id);
    expect(governors).toMatchObject({
      checksInLastYear: 1,
      exceptionsInForce: 1,
      lastReview: { findings: 'Reviewed with the DSL', recordedBy: 'ict technician Tester' },
    });
    // For a period (the governors' report's): the latest review in it, or none.
    const inPeriod = (from: string, until: string) =>
      f.reviewForGovernors(fx.school.id, { from, until }).then((g) => g.lastReview);
    expect(await inPeriod(today, addDays(today, 1))).toMatchObject({ checkedOn: today });
    expect(await inPeriod(addDays(today, -30), today)).toBeNull();
    // The DSL reads; another school's ICT Technician sees nothing of it.
    expect((await f.overview(as(fx, 'dsl'))).provision?.filteringProvider).toBe('LGfL WebScreen');
    expect((await f.overview(as(other, 'ict_technician'))).provision).toBeUndefined();
    await expect(f.overview(as(fx, 'teacher'))).rejects.toBeInstanceOf(NotFoundError);
  });
});
