import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { asStaff } from '../support/publishing.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { NotFoundError } from '../../src/errors.ts';
import type { Services } from '../../src/container.ts';

/**
 * The personal-details check is given the school's own contact details from the school record
 * (issue 12 gap): the office's number, address and email in a post are not flagged; anyone
 * else's still are.
 */
describe('publishing: the school’s own contact details (real PostgreSQL)', () => {
  let ctx: TestContext;
  let s: Services;
  let fx: SchoolFixture;
  let other: SchoolFixture;
  let newsId: string;

  beforeAll(async () => {
    ctx = await createTestServices({ clock: fixedClock('2026-10-05T09:00:00Z') });
    s = ctx.services;
    [fx, other] = await Promise.all([
      createSchool(s, { pupils: 3 }),
      createSchool(s, { pupils: 1 }),
    ]);
    newsId = (await s.posts.newsAccount(fx.school.id)).id;
  });
  afterAll(async () => ctx?.close());

  const detailsCheck = async (body: string) => {
    const teacher = asStaff(fx, 'teacher');
    const post = await s.posts.createDraft(teacher, {
      title: 'Summer fair',
      body,
      eventLabel: 'summer fair',
      kind: 'standard',
      media: [],
      accountIds: [newsId],
      scheduledAt: null,
    });
    const rows = await s.posts.recheck(teacher, post.id);
    return rows.find((r) => r.key === 'personal_details')!;
  };

  const text =
    'Tickets from the office on 01632 960 001 or office@fair-school.sch.uk, at 12 Mill Lane, Oakfield OK1 2AB.';

  it('flags the school’s details while the school record has none', async () => {
    const r = await detailsCheck(text);
    expect(r.outcome).not.toBe('pass');
    expect(r.sentence).toContain('01632 960 001');
  });

  it('the Headteacher saves the details (audited); the post then passes, another number still fails', async () => {
    const head = asStaff(fx, 'headteacher');
    await s.schoolDetails.setContacts(
      fx.school.id,
      { kind: 'staff', id: head.id },
      {
        phone: '01632 960001',
        email: 'office@fair-school.sch.uk',
        address: '12 Mill Lane\nOakfield',
        postcode: 'OK1 2AB',
      },
    );
    expect(await s.schoolDetails.contacts(fx.school.id)).toMatchObject({
      phone: '01632 960001',
      postcode: 'OK1 2AB',
      address: '12 Mill Lane\nOakfield',
    });
    const audit = await s.audit.listForSchool(
      fx.school.id,
      { action: 'people.school-contacts-changed' },
      1,
    );
    expect(audit.total).toBe(1);
    // The other school's record is unchanged.
    expect((await s.schoolDetails.contacts(other.school.id)).phone).toBeNull();

    const passes = await detailsCheck(text);
    expect(passes.outcome).toBe('pass');

    const mixed = await detailsCheck(
      `${text} Ring Jo’s mum on 07700 900123 or write to 3 Oakfield Road.`,
    );
    expect(mixed.outcome).not.toBe('pass');
    expect(mixed.sentence).toContain('07700 900123');
    expect(mixed.sentence).toContain('3 Oakfield Road');
    expect(mixed.sentence).not.toContain('01632');
    expect(mixed.sentence).not.toContain('OK1 2AB');
  });

  it('an unknown school is a 404', async () => {
    await expect(
      s.schoolDetails.contacts('00000000-0000-4000-8000-000000000000'),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});
