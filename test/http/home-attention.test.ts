/**
 * The home page's "Needs your attention" (issue 17): the Headteacher sees who is overdue ONCE, as
 * the compliance view's item (training and the policy together), never again as a training item;
 * and a member of staff with nothing due (in a new school: they have acknowledged the policy and
 * been to every training session the profile asks of them) sees the empty state.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';

const items = (body: string) =>
  [...body.matchAll(/govuk-task-list__link" href="([^"]+)"[^>]*>([^<]+)</g)].map((m) => ({
    href: m[1]!,
    title: m[2]!,
  }));

describe('the home page’s attention items', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    fx = await createSchool(ctx.services, { pupils: 2 });
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('shows the Headteacher one overdue item, linking to the compliance view', async () => {
    const head = new Browser(app);
    await head.signIn(fx.staff.headteacher.email);
    const home = await head.get('/');
    expect(home.statusCode).toBe(200);
    const overdue = items(home.body).filter((i) => /people overdue|person overdue/.test(i.title));
    expect(overdue).toHaveLength(1);
    expect(overdue[0]!.href).toBe('/compliance?status=overdue');
    expect(overdue[0]!.title).toMatch(/^\d+ people overdue for training or the policy$/);
    // Not repeated by training (the old "N members of staff overdue for training").
    expect(home.body).not.toContain('overdue for training</a>');
    expect(items(home.body).some((i) => i.href === '/training/status')).toBe(false);
    // Their own overdue training is theirs to act on: a separate, personal item.
    expect(items(home.body).filter((i) => i.title === 'Your training is overdue')).toHaveLength(1);
  });

  it('says "Nothing needs your attention" to a teacher with nothing due', async () => {
    const teacher = new Browser(app);
    await teacher.signIn(fx.staff.teacher.email);
    const before = items((await teacher.get('/')).body).map((i) => i.title);
    expect(before).toEqual(['Acknowledge the policy', 'Your training is overdue']);

    // They acknowledge the policy and go to each session the profile asks of them.
    await ctx.services.acknowledgements.acknowledge({
      kind: 'staff',
      id: fx.staff.teacher.id,
      schoolId: fx.school.id,
    });
    const head = {
      kind: 'staff' as const,
      id: fx.staff.headteacher.id,
      schoolId: fx.school.id,
      roles: ['headteacher' as const],
      name: 'Head',
    };
    const report = await ctx.services.training.status(fx.school.id, [fx.staff.teacher.id]);
    const due = report.kinds.filter((k) => {
      const s = report.people[0]!.kinds[k];
      return s && s.state !== 'done';
    });
    expect(due.length).toBeGreaterThan(0);
    for (const kind of due) {
      const session = await ctx.services.training.schedule(head, {
        kind,
        title: `${kind} session`,
        startsAt: new Date(Date.now() - 86_400_000),
        place: 'Hall',
        trainer: 'DSL',
        className: null,
        capacity: null,
      });
      await ctx.services.training.recordAttendance(
        fx.school.id,
        { kind: 'staff', id: head.id },
        session.id,
        [fx.staff.teacher.id],
      );
    }

    const home = await teacher.get('/');
    expect(home.statusCode).toBe(200);
    expect(items(home.body)).toEqual([]);
    expect(home.body).toContain('Nothing needs your attention today.');
  });
});
