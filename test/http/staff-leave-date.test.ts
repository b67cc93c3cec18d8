import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';

/**
 * A member of staff's leave date (docs/people.md, "Leave date"): set on their account page (a
 * GOV.UK date input) or through `PATCH /api/v1/staff/{id}`, never before their start date; a date
 * in the future keeps them active until that day (the hourly job then deactivates them), today or
 * earlier deactivates them as the Deactivate button does. Shown in words, audited.
 */
describe('the leave date on the staff page and the API', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let A: SchoolFixture;
  let bm: Browser;
  let head: Browser;
  let today: string;

  const plusDays = (iso: string, n: number) =>
    new Date(Date.parse(`${iso}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  const words = (iso: string) =>
    new Date(`${iso}T12:00:00Z`).toLocaleDateString('en-GB', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    });
  const dateFields = (iso: string | null) =>
    iso
      ? {
          'leaveDate-day': String(Number(iso.slice(8, 10))),
          'leaveDate-month': String(Number(iso.slice(5, 7))),
          'leaveDate-year': iso.slice(0, 4),
        }
      : { 'leaveDate-day': '', 'leaveDate-month': '', 'leaveDate-year': '' };
  const row = async (id: string) =>
    (
      await ctx.services.database.pool.query<{ active: boolean; leave_date: string | null }>(
        `SELECT active, to_char(leave_date, 'YYYY-MM-DD') AS leave_date FROM staff WHERE id = $1`,
        [id],
      )
    ).rows[0]!;
  const lastEvent = async (id: string) =>
    (
      await ctx.services.database.pool.query<{ action: string; data: Record<string, unknown> }>(
        'SELECT action, data FROM audit_events WHERE entity_id = $1 ORDER BY seq DESC LIMIT 1',
        [id],
      )
    ).rows[0];

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [A] = await Promise.all([createSchool(ctx.services, { slug: 'leave-a', pupils: 2 })]);
    today = ctx.services.people.today();
    // The teacher started last September.
    await ctx.services.database.pool.query('UPDATE staff SET start_date = $1 WHERE id = $2', [
      `${Number(today.slice(0, 4)) - 1}-09-01`,
      A.staff.teacher.id,
    ]);
    bm = new Browser(app);
    head = new Browser(app);
    await Promise.all([
      bm.signIn(A.staff.business_manager.email),
      head.signIn(A.staff.headteacher.email),
    ]);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  const teacherForm = (leave: string | null, extra: Record<string, string> = {}) => ({
    givenName: 'teacher',
    familyName: 'Tester',
    roles: 'teacher',
    lineManagerId: '',
    ...dateFields(leave),
    ...extra,
  });

  it('keeps a future leave date active until then, shown in words and audited', async () => {
    const id = A.staff.teacher.id;
    const page = await bm.get(`/staff/${id}/edit`);
    expect(page.body).toContain('Leave date (optional)');
    expect(page.body).toContain('name="leaveDate-day"');
    const future = plusDays(today, 40);
    const saved = await bm.post(`/staff/${id}/edit`, teacherForm(future), {
      csrfFrom: `/staff/${id}/edit`,
    });
    expect(saved.statusCode).toBe(303);
    expect(await row(id)).toEqual({ active: true, leave_date: future });
    const again = await bm.get(`/staff/${id}/edit`);
    expect(again.body).toContain(`Leaves on ${words(future)}. They can sign in until then`);
    const list = await bm.get('/staff');
    expect(list.body).toContain(`Leaves on ${words(future)}`);
    expect(await lastEvent(id)).toMatchObject({
      action: 'people.staff-changed',
      data: { changed: ['leaveDate'], leaveDate: future },
    });
    // Blank clears it again.
    await bm.post(`/staff/${id}/edit`, teacherForm(null), { csrfFrom: `/staff/${id}/edit` });
    expect(await row(id)).toEqual({ active: true, leave_date: null });
  });

  it('refuses a date before the start date or half a date with the error summary', async () => {
    const id = A.staff.teacher.id;
    const start = `${Number(today.slice(0, 4)) - 1}-09-01`;
    const early = await bm.post(`/staff/${id}/edit`, teacherForm(plusDays(start, -1)), {
      csrfFrom: `/staff/${id}/edit`,
    });
    expect(early.statusCode).toBe(400);
    expect(early.body).toContain('govuk-error-summary');
    expect(early.body).toContain('href="#leaveDate"');
    expect(early.body).toContain(
      `The leave date must be the same as or after their start date, ${words(start)}`,
    );
    const half = await bm.post(
      `/staff/${id}/edit`,
      teacherForm(null, { 'leaveDate-day': '31', 'leaveDate-month': '8' }),
      { csrfFrom: `/staff/${id}/edit` },
    );
    expect(half.statusCode).toBe(400);
    expect(half.body).toContain('The leave date must include a year');
    // The answers are kept.
    expect(half.body).toContain('value="31"');
    expect(await row(id)).toEqual({ active: true, leave_date: null });
  });

  it('deactivates on a date that has come, as the Deactivate button does', async () => {
    const id = A.staff.support_staff.id;
    const past = plusDays(today, -3);
    const res = await bm.post(
      `/staff/${id}/edit`,
      {
        givenName: 'support staff',
        familyName: 'Tester',
        roles: 'support_staff',
        lineManagerId: '',
        ...dateFields(past),
      },
      { csrfFrom: `/staff/${id}/edit` },
    );
    expect(res.statusCode).toBe(303);
    expect(await row(id)).toEqual({ active: false, leave_date: past });
    expect(await lastEvent(id)).toMatchObject({
      action: 'people.staff-deactivated',
      data: { changed: ['leaveDate'], leaveDate: past },
    });
    expect((await bm.get('/staff')).body).toContain(`Deactivated. Left on ${words(past)}`);
    expect((await bm.get(`/staff/${id}/edit`)).body).toContain(
      `they left on ${words(past)}, and they cannot sign in`,
    );
    // A deactivated account keeps its leave date: clearing it is refused.
    const cleared = await bm.post(
      `/staff/${id}/edit`,
      {
        givenName: 'support staff',
        familyName: 'Tester',
        roles: 'support_staff',
        lineManagerId: '',
        ...dateFields(null),
      },
      { csrfFrom: `/staff/${id}/edit` },
    );
    expect(cleared.statusCode).toBe(400);
    expect(cleared.body).toContain('To clear it, reactivate the account');
    // Reactivating clears it.
    await bm.post(`/staff/${id}/reactivate`, {}, { csrfFrom: `/staff/${id}/edit` });
    expect(await row(id)).toEqual({ active: true, leave_date: null });
  });

  it('never deactivates yourself through a leave date', async () => {
    const id = A.staff.business_manager.id;
    const res = await bm.post(
      `/staff/${id}/edit`,
      {
        givenName: 'business manager',
        familyName: 'Tester',
        roles: 'business_manager',
        lineManagerId: '',
        ...dateFields(today),
      },
      { csrfFrom: `/staff/${id}/edit` },
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('You cannot deactivate your own account');
    expect(res.body).toContain('href="#leaveDate"');
    expect(await row(id)).toEqual({ active: true, leave_date: null });
  });

  it('is in the JSON API with problem JSON for bad dates', async () => {
    const token = await ctx.services.auth.createApiToken(
      A.staff.headteacher.id,
      A.school.id,
      'leave',
    );
    const patch = (payload: unknown) =>
      app.inject({
        method: 'PATCH',
        url: `/api/v1/staff/${A.staff.office.id}`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: JSON.stringify(payload),
      });
    const future = plusDays(today, 10);
    const ok = await patch({ leaveDate: future });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ active: true, leaveDate: future });
    for (const bad of [
      { leaveDate: '2026-02-30' },
      { leaveDate: today, active: true },
      { leaveDate: future, active: false },
    ]) {
      const res = await patch(bad);
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toContain('leave date');
    }
    await ctx.services.database.pool.query('UPDATE staff SET start_date = $1 WHERE id = $2', [
      today,
      A.staff.office.id,
    ]);
    const early = await patch({ leaveDate: plusDays(today, -1) });
    expect(early.statusCode).toBe(400);
    expect(early.body).toContain('after their start date');
    expect(await row(A.staff.office.id)).toEqual({ active: true, leave_date: future });
    const cleared = await patch({ leaveDate: null });
    expect(cleared.json()).toMatchObject({ active: true, leaveDate: null });
    const openapi = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(openapi.body).toContain('leaveDate');
  });

  it('deactivates those whose leave date has come each hour, keeping the last Headteacher', async () => {
    const id = A.staff.volunteer.id;
    // Set in the future earlier; the day has now come.
    await ctx.services.database.pool.query(
      'UPDATE staff SET leave_date = $1, active = true WHERE id = ANY($2)',
      [plusDays(today, -1), [id, A.staff.headteacher.id]],
    );
    const first = await ctx.services.people.deactivateLeavers();
    expect(first).toEqual({ deactivated: 1, keptHeads: 1 });
    expect(await row(id)).toEqual({ active: false, leave_date: plusDays(today, -1) });
    expect(await lastEvent(id)).toMatchObject({
      action: 'people.staff-deactivated',
      data: { reason: 'leave-date' },
    });
    expect((await row(A.staff.headteacher.id)).active).toBe(true);
    // Safe to run twice.
    expect(await ctx.services.people.deactivateLeavers()).toEqual({
      deactivated: 0,
      keptHeads: 1,
    });
    // The audit log says it in words.
    const audit = await head.get('/audit');
    expect(audit.body).toContain('their leave date');
  });
});
