import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, grantConsentForAll, type SchoolFixture } from '../support/factories.ts';
import {
  approvedCamera,
  asStaff,
  oneFace,
  photoOfPupil,
  texturedJpeg,
} from '../support/publishing.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import type { Services } from '../../src/container.ts';
import type { PolicySettings } from '../../src/modules/policies/index.ts';

/**
 * Who may post on an account by a responsibility (issue 15, channels.accountRules): at a school
 * where only designated people post photos (the Avenue's template), a teacher not named on the
 * Facebook page fails the designated-poster check until the Headteacher gives them the publicity
 * poster responsibility; where the rule asks for training, only with their training up to date.
 */
describe('posting by a responsibility (real PostgreSQL)', () => {
  let ctx: TestContext;
  let s: Services;
  let fx: SchoolFixture;
  let accountId: string;
  let mediaId: string;
  const clock = fixedClock('2026-10-05T09:00:00Z');

  /** A new version of the school's profile with the social accounts' rule changed. */
  const setSocialRule = async (needsTraining: boolean) => {
    const pool = s.database.pool;
    const { rows } = await pool.query<{
      id: string;
      current_version: number;
      settings: PolicySettings;
    }>(
      `SELECT p.id, p.current_version, v.settings FROM policy_profiles p
         JOIN policy_profile_versions v ON v.profile_id = p.id AND v.version = p.current_version
        WHERE p.school_id = $1`,
      [fx.school.id],
    );
    const row = rows[0]!;
    const settings = row.settings;
    settings.channels.accountRules.value = settings.channels.accountRules.value.map((r) =>
      r.accountKind === 'social'
        ? { ...r, posterResponsibilities: ['publicity_poster'], postersNeedTraining: needsTraining }
        : r,
    );
    const version = row.current_version + 1;
    await pool.query(
      `INSERT INTO policy_profile_versions (school_id, profile_id, version, settings, change_note)
       VALUES ($1, $2, $3, $4, 'test: social accounts rule')`,
      [fx.school.id, row.id, version, JSON.stringify(settings)],
    );
    await pool.query('UPDATE policy_profiles SET current_version = $1 WHERE id = $2', [
      version,
      row.id,
    ]);
  };

  const posterCheck = async () => {
    const teacher = asStaff(fx, 'teacher');
    const post = await s.posts.createDraft(teacher, {
      title: 'Sports day',
      body: 'Year 3 had a wonderful sports day.',
      eventLabel: 'sports day',
      kind: 'standard',
      media: [{ mediaId, altText: 'Children running a race' }],
      accountIds: [accountId],
      scheduledAt: null,
    });
    await s.posts.submit(teacher, post.id);
    const view = await s.posts.view(asStaff(fx, 'headteacher'), post.id);
    return view.checks.find((c) => c.key === 'designated_poster')!;
  };

  beforeAll(async () => {
    ctx = await createTestServices({ clock, faces: oneFace });
    s = ctx.services;
    fx = await createSchool(s, { pupils: 4, template: 'the-avenue-primary' });
    await grantConsentForAll(s, fx);
    const camera = await approvedCamera(s, fx);
    mediaId = await photoOfPupil(s, fx, camera, fx.pupils[0]!.id, await texturedJpeg(ctx.platform));
    const external = (await s.policies.current(fx.school.id)).settings.consent.purposes.value.find(
      (p) => p.external,
    )!.key;
    const { channel } = await s.channelAccounts.create(asStaff(fx, 'business_manager'), {
      kind: 'social',
      name: 'School Facebook page',
      platform: 'Facebook',
      handle: '@avenue',
      purposeKey: external,
      audience: 'public',
      comments: 'on_moderated',
      moderation: 'The office checks comments every morning',
      custodianId: null,
      endpointUrl: null,
      credential: null,
      maxLength: null,
      maxImages: null,
    });
    accountId = channel.id;
  });
  afterAll(async () => ctx?.close());

  it('fails a teacher who is neither named on the account nor holds the responsibility', async () => {
    await setSocialRule(false);
    expect((await posterCheck()).outcome).toBe('fail');
  });

  it('passes once the Headteacher gives them the publicity poster responsibility', async () => {
    await s.responsibilities.give(
      fx.school.id,
      { kind: 'staff', id: fx.staff.headteacher.id },
      { staffId: fx.staff.teacher.id, responsibilityKey: 'publicity_poster' },
    );
    expect((await posterCheck()).outcome).toBe('pass');
  });

  it('where the rule asks for training, only with their training up to date', async () => {
    await setSocialRule(true);
    const report = await s.training.status(fx.school.id, [fx.staff.teacher.id]);
    const me = report.people.find((p) => p.staffId === fx.staff.teacher.id)!;
    const upToDate = Object.values(me.kinds).every((k) => k?.state !== 'overdue');
    expect((await posterCheck()).outcome).toBe(upToDate ? 'pass' : 'fail');
    // Training overdue: a month past any due date, the responsibility alone is not enough.
    clock.set('2029-10-05T09:00:00Z');
    const later = await s.training.status(fx.school.id, [fx.staff.teacher.id]);
    const overdue = Object.values(
      later.people.find((p) => p.staffId === fx.staff.teacher.id)!.kinds,
    ).some((k) => k?.state === 'overdue');
    expect(overdue).toBe(true);
    expect((await posterCheck()).outcome).toBe('fail');
  });
});
