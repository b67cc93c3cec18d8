import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../src/errors.ts';
import type { Principal } from '../../src/modules/auth/principal.ts';

describe('people and tenancy (real PostgreSQL)', () => {
  let ctx: TestContext;
  let a: SchoolFixture;
  let b: SchoolFixture;

  beforeAll(async () => {
    ctx = await createTestServices();
    a = await createSchool(ctx.services, { slug: 'alpha', pupils: 60 });
    b = await createSchool(ctx.services, { slug: 'beta', pupils: 10 });
  });
  afterAll(async () => ctx?.close());

  const staffOf = (fx: SchoolFixture, role: 'headteacher' | 'teacher' | 'office'): Principal => ({
    kind: 'staff',
    id: fx.staff[role].id,
    schoolId: fx.school.id,
    roles: [role],
    name: 'T',
  });

  it('lists only the school’s own pupils, paginated and searchable', async () => {
    const page1 = await ctx.services.people.listPupils(a.school.id, {}, 1);
    expect(page1.total).toBe(60);
    expect(page1.rows).toHaveLength(50);
    expect(page1.pages).toBe(2);
    const page2 = await ctx.services.people.listPupils(a.school.id, {}, 2);
    expect(page2.rows).toHaveLength(10);
    const ids = new Set([...page1.rows, ...page2.rows].map((p) => p.id));
    expect(ids.size).toBe(60);
    for (const p of b.pupils) expect(ids.has(p.id)).toBe(false);
    const target = a.pupils[7]!;
    const found = await ctx.services.people.listPupils(a.school.id, { q: target.misId }, 1);
    expect(found.rows.map((p) => p.id)).toEqual([target.id]);
    const other = await ctx.services.people.listPupils(b.school.id, { q: target.misId }, 1);
    expect(other.total).toBe(0);
  });

  it('treats another school’s pupil as missing', async () => {
    await expect(
      ctx.services.people.pupilRecord(staffOf(b, 'headteacher'), a.pupils[0]!.id),
    ).rejects.toBeInstanceOf(NotFoundError);
    const own = await ctx.services.people.pupilRecord(staffOf(a, 'office'), a.pupils[0]!.id);
    expect(own.pupil.id).toBe(a.pupils[0]!.id);
    expect(own.parents.length).toBeGreaterThan(0);
  });

  it('shows a teacher only the pupils of the classes assigned to them', async () => {
    const teacher = staffOf(a, 'teacher');
    const pupil = a.pupils[0]!;
    await expect(ctx.services.people.pupilRecord(teacher, pupil.id)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await ctx.services.staffClasses.assign(
      a.school.id,
      { kind: 'staff', id: a.staff.headteacher.id },
      a.staff.teacher.id,
      [pupil.className!],
    );
    expect((await ctx.services.people.pupilRecord(teacher, pupil.id)).pupil.id).toBe(pupil.id);
    expect(await ctx.services.people.classScope(teacher)).toEqual([pupil.className]);
    expect(await ctx.services.people.classScope(staffOf(a, 'office'))).toBeNull();
  });

  it('lets a parent see their own child and nobody else’s', async () => {
    const parent: Principal = { kind: 'parent', id: a.parent.id, schoolId: a.school.id, name: 'P' };
    const mine = await ctx.services.people.pupilRecord(parent, a.pupils[0]!.id);
    expect(mine.pupil.id).toBe(a.pupils[0]!.id);
    expect(mine.parents).toEqual([]); // parents do not see other carers' contact details
    const children = await ctx.services.people.childrenOf(parent);
    const notMine = a.pupils.find((p) => !children.some((c) => c.id === p.id))!;
    await expect(ctx.services.people.pupilRecord(parent, notMine.id)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('sets up a new school from a template in one audited transaction', async () => {
    const school = await ctx.services.people.createSchool(
      { name: 'Gamma Primary', slug: 'gamma-primary', templateKey: 'john-clifford-primary' },
      { kind: 'cli', id: null },
    );
    const policy = await ctx.services.policies.current(school.id);
    expect(policy.settings.consent.model.value).toBe('admission');
    const audit = await ctx.services.audit.listForSchool(school.id, {}, 1);
    expect(audit.rows.map((r) => r.action).sort()).toEqual([
      'people.school-created',
      'policy.profile-adopted',
    ]);
    await expect(
      ctx.services.people.createSchool(
        { name: 'Again', slug: 'gamma-primary', templateKey: 'jump-primary' },
        { kind: 'cli', id: null },
      ),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(
      ctx.services.people.createSchool(
        { name: 'Bad', slug: 'Not A Slug', templateKey: 'jump-primary' },
        { kind: 'cli', id: null },
      ),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('rolls back a school whose template does not exist', async () => {
    await expect(
      ctx.services.people.createSchool(
        { name: 'Delta', slug: 'delta', templateKey: 'nope' },
        { kind: 'cli', id: null },
      ),
    ).rejects.toBeInstanceOf(ValidationError);
    const { PeopleRepository } = await import('../../src/modules/people/people.repository.ts');
    expect(
      await new PeopleRepository().getSchoolBySlug(ctx.services.database.db, 'delta'),
    ).toBeUndefined();
  });
});
