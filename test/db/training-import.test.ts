import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { ConflictError } from '../../src/errors.ts';
import { ukDate } from '../../src/platform/clock.ts';

describe('training attendance import through the pipeline (real PostgreSQL)', () => {
  let ctx: TestContext;
  let fx: SchoolFixture;
  const actor = () => ({ kind: 'staff' as const, id: fx.staff.dsl.id });
  const ddmmyyyy = (iso: string) => iso.split('-').reverse().join('/');

  beforeAll(async () => {
    ctx = await createTestServices();
    fx = await createSchool(ctx.services, { pupils: 2 });
  });
  afterAll(async () => ctx?.close());

  const schedule = (kind: 'staff_regular' | 'staff_induction', daysAgo: number) =>
    ctx.services.training.schedule(
      {
        kind: 'staff',
        id: fx.staff.headteacher.id,
        schoolId: fx.school.id,
        roles: ['headteacher'],
        name: 'h',
      },
      {
        kind,
        title: `${kind} ${daysAgo}`,
        startsAt: new Date(Date.now() - daysAgo * 86_400_000),
        place: 'Hall',
        trainer: 'DSL',
        className: null,
        capacity: null,
      },
    );

  it('previews row problems (the induction rule too) and records nothing until a clean file is confirmed', async () => {
    const regular = await schedule('staff_regular', 20);
    const induction = await schedule('staff_induction', 15);
    const regularDate = ddmmyyyy(ukDate(regular.startsAt));
    const inductionDate = ddmmyyyy(ukDate(induction.startsAt));
    const bad = [
      'Email,Date,Training',
      `${fx.staff.teacher.email},${regularDate},Regular social media training for staff`,
      `nobody@elsewhere.test,${regularDate},regular`,
      `${fx.staff.office.email},${inductionDate},Induction`,
      `${fx.staff.office.email},31/02/2026,regular`,
    ].join('\n');
    const id = await ctx.services.trainingImports.upload(
      fx.school.id,
      actor(),
      { filename: 'sheet.csv', data: Buffer.from(bad) },
      { queue: false },
    );
    const view = (await ctx.services.trainingImports.preview(id))!;
    // A preview with problems is rejected (upload a corrected file), its problems listed.
    expect(view.status).toBe('rejected');
    expect(view.preview!.canCommit).toBe(false);
    expect(view.preview!.errors.map((e) => e.line)).toEqual([3, 4, 5]);
    expect(view.preview!.errors[1]!.message).toMatch(
      /cannot be marked as inducted until they have acknowledged/,
    );
    await expect(
      ctx.services.trainingImports.confirm(fx.school.id, actor(), id),
    ).rejects.toBeInstanceOf(ConflictError);
    const none = await ctx.platform.database.pool.query(
      'SELECT 1 FROM training_attendance WHERE school_id = $1',
      [fx.school.id],
    );
    expect(none.rows).toHaveLength(0);

    await ctx.services.acknowledgements.acknowledge({
      kind: 'staff',
      id: fx.staff.office.id,
      schoolId: fx.school.id,
    });
    const good = [
      'Staff email;Session date;Course',
      `${fx.staff.teacher.email.toUpperCase()};${regularDate};staff_regular`,
      `${fx.staff.office.email};${inductionDate};New staff induction`,
    ].join('\n');
    const id2 = await ctx.services.trainingImports.upload(
      fx.school.id,
      actor(),
      { filename: 'good.csv', data: Buffer.from(good) },
      { queue: false },
    );
    const v2 = (await ctx.services.trainingImports.preview(id2))!;
    expect(v2.preview).toMatchObject({ canCommit: true, totalRows: 2 });
    const done = await ctx.services.trainingImports.confirm(fx.school.id, actor(), id2);
    expect(done.summary).toMatchObject({ recorded: 2, sessions: 2 });
    const status = await ctx.services.training.status(fx.school.id, [
      fx.staff.teacher.id,
      fx.staff.office.id,
    ]);
    const by = new Map(status.people.map((p) => [p.staffId, p]));
    expect(by.get(fx.staff.teacher.id)!.kinds.staff_regular!.state).toBe('done');
    expect(by.get(fx.staff.office.id)!.kinds.staff_induction!.state).toBe('done');
    const audit = await ctx.services.audit.listForSchool(
      fx.school.id,
      { action: 'training.attendance-imported' },
      1,
    );
    expect(audit.total).toBe(1);
  });

  it('refuses a spreadsheet that is not a CSV at upload, without storing it', async () => {
    const xlsx = Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(200)]);
    const id = await ctx.services.trainingImports.upload(
      fx.school.id,
      actor(),
      { filename: 'sheet.xlsx', data: xlsx },
      { queue: false },
    );
    const view = await ctx.services.trainingImports.get(fx.school.id, id);
    expect(view.status).toBe('rejected');
    expect(view.fileError).toBeTruthy();
  });
});
