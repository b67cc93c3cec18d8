import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';
import { addDays } from '../../src/modules/policies/index.ts';
import { ukDate } from '../../src/platform/clock.ts';
import { formatDateInWords } from '../../src/web/dates.ts';

/**
 * The training and acknowledgement windows over HTTP: the policy page and the settings editor
 * show the four settings in words with Lanyard's 30 days; once the school's profile says 14 days
 * for a new starter and 7 for "due soon", the compliance page says "within 7 days" and shows the
 * new starter's induction and acknowledgement due 14 days after they started.
 */
describe('training windows from the profile (HTTP)', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let head: Browser;
  const labels = [
    'Days a new starter has to complete induction and training',
    'Days before a due date that training shows as due soon',
    'Days to complete training after being marked due again',
    'Days to acknowledge the policy after starting or after a new version is published',
  ];
  const today = ukDate(new Date());
  const started = addDays(today, -3);

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    fx = await createSchool(ctx.services, { pupils: 2 });
    const pool = ctx.services.database.pool;
    // The policy has been in place for over a year; the teacher started three days ago.
    await pool.query(
      `UPDATE policy_profile_versions SET created_at = created_at - interval '400 days'
        WHERE school_id = $1`,
      [fx.school.id],
    );
    await pool.query('UPDATE staff SET start_date = $1 WHERE id = $2', [
      started,
      fx.staff.teacher.id,
    ]);
    head = new Browser(app);
    await head.signIn(fx.staff.headteacher.email);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('the policy page and the editor show the four windows in words, 30 days by default', async () => {
    const page = await head.get('/policy');
    expect(page.statusCode).toBe(200);
    for (const label of labels) expect(page.body).toContain(label);
    expect(page.body).not.toContain('newStarterDays');
    const edit = await head.get('/policy/edit');
    expect(edit.statusCode).toBe(200);
    for (const label of labels) expect(edit.body).toContain(label);
    for (const path of [
      'training.newStarterDays',
      'training.dueSoonDays',
      'training.dueAgainDays',
      'training.acknowledgeWithinDays',
    ])
      expect(edit.body).toMatch(new RegExp(`name="${path.replace('.', '\\.')}"[^>]*value="30"`));
    const compliance = await head.get('/compliance');
    expect(compliance.body).toContain('due soon (within 30 days, as your policy sets)');
  });

  it('a school whose profile says 14 days sees its new starter due 14 days after they started', async () => {
    const current = await ctx.services.policies.current(fx.school.id);
    await ctx.services.policies.saveSettings(
      fx.school.id,
      { kind: 'staff', id: fx.staff.headteacher.id },
      {
        values: {
          'training.newStarterDays': 14,
          'training.dueSoonDays': 7,
          'training.acknowledgeWithinDays': 14,
        },
        note: 'A fortnight for new starters',
        expectedVersion: current.version,
        substantive: false,
      },
    );
    const page = await head.get('/compliance');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('due soon (within 7 days, as your policy sets)');
    const teacherRow = page.body
      .split('<th scope="row">teacher Tester</th>')[1]!
      .split('</tr>')[0]!;
    const due = `due ${formatDateInWords(addDays(started, 14))}`;
    // Induction, regular training (never attended) and the acknowledgement: 14 days after.
    expect(teacherRow.split(due).length - 1).toBeGreaterThanOrEqual(3);
    expect(teacherRow).not.toContain(`due ${formatDateInWords(addDays(started, 30))}`);
  });
});
