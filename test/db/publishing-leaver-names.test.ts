import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { asStaff } from '../support/publishing.ts';
import type { StaffPrincipal } from '../../src/modules/auth/index.ts';
import type { Services } from '../../src/container.ts';

/**
 * The name check reads the real roll, leavers included (issue 12 item 3): a pupil who has left
 * keeps their name on the school's records, so a post naming them in full, or by first name and
 * initial, still fails when it is sent for approval; the check cites the school's own clause.
 */
describe('the name check against the real roll (real PostgreSQL)', () => {
  let ctx: TestContext;
  let s: Services;
  let fx: SchoolFixture;
  let newsId: string;

  beforeAll(async () => {
    ctx = await createTestServices();
    s = ctx.services;
    fx = await createSchool(s, { pupils: 4 });
    newsId = (await s.posts.newsAccount(fx.school.id)).id;
    const { rows } = await s.database.pool.query<{ yesterday: string }>(
      `SELECT ((now() AT TIME ZONE 'Europe/London')::date - 1)::text AS yesterday`,
    );
    await s.people.recordLeaving(
      asStaff(fx, 'office') as StaffPrincipal,
      [fx.pupils[0]!.id],
      rows[0]!.yesterday,
    );
  });
  afterAll(async () => ctx?.close());

  const nameCheckOf = async (body: string) => {
    const teacher = asStaff(fx, 'teacher');
    const post = await s.posts.createDraft(teacher, {
      title: 'A visit',
      body,
      eventLabel: null,
      kind: 'standard',
      media: [],
      accountIds: [newsId],
      scheduledAt: null,
    });
    await s.posts.submit(teacher, post.id);
    const view = await s.posts.view(asStaff(fx, 'headteacher'), post.id);
    return view.checks.find((c) => c.key === 'full_name')!;
  };

  it('fails a post naming a pupil who has left, in full or by first name and initial', async () => {
    const leaver = fx.pupils[0]!;
    const { rows } = await s.database.pool.query<{ leaving_date: string | null }>(
      `SELECT leaving_date::text FROM pupils WHERE id = $1`,
      [leaver.id],
    );
    expect(rows[0]!.leaving_date).not.toBeNull();

    const full = await nameCheckOf(
      `Former pupil ${leaver.givenName} ${leaver.familyName.toUpperCase()}'s visit was lovely.`,
    );
    expect(full.outcome).toBe('fail');
    expect(full.sentence).toContain(leaver.givenName);
    expect((full.citation as { clause?: string } | null)?.clause).toEqual(expect.any(String));

    const initial = await nameCheckOf(
      `Thank you to ${leaver.givenName} ${leaver.familyName.charAt(0)} for visiting.`,
    );
    expect(initial.outcome).toBe('fail');

    const nobody = await nameCheckOf('Thank you to everyone who came.');
    expect(nobody.outcome).toBe('pass');
  });
});
