import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { fixedClock } from '../../src/platform/clock.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';

/** Every statement any pg client of this process sends while `fn` runs. */
async function statementsDuring(fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0];
    seen.push(typeof q === 'string' ? q : ((q as { text?: string } | undefined)?.text ?? '?'));
    return original.apply(this, args);
  };
  try {
    await fn();
  } finally {
    proto.query = original;
  }
  return seen;
}

const DAY = 86_400_000;

/**
 * The home page's items (every module's `attention`) and the teacher's class figure are kept per
 * person and checked against the school's cache version (ADR 0018 addendum, migration 0048): a
 * warm home page costs the one version read, and a change made through another connection in
 * plain SQL (as another process, a job or the CLI would) shows on the next home page.
 */
describe('the home page on a warm cache', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let school: SchoolFixture;
  let other: pg.Client;
  const clock = fixedClock(new Date());

  beforeAll(async () => {
    ctx = await createTestServices({ clock });
    app = await buildTestApp(ctx);
    school = await createSchool(ctx.services, { slug: 'home-page-cache', pupils: 12 });
    other = new pg.Client({ connectionString: ctx.database.url });
    await other.connect();
  });
  afterAll(async () => {
    await other?.end();
    await app?.close();
    await ctx?.close();
  });

  async function signedIn(role: keyof SchoolFixture['staff']): Promise<Browser> {
    const b = new Browser(app);
    await b.signIn(school.staff[role].email);
    // The first requests load the session (twice: the first load cannot know its school yet)
    // and the page's reads.
    for (let i = 0; i < 3; i++) expect((await b.get('/')).statusCode).toBe(200);
    return b;
  }

  it.each(['office', 'headteacher', 'dsl', 'teacher', 'ict_technician'] as const)(
    "%s: a warm home page runs at most two statements (the school's version)",
    async (role) => {
      const b = await signedIn(role);
      let body = '';
      const seen = await statementsDuring(async () => {
        const res = await b.get('/');
        expect(res.statusCode).toBe(200);
        body = res.body;
      });
      expect(body).toContain('Sign out');
      expect(seen.length, seen.join('\n')).toBeLessThanOrEqual(2);
      expect(seen.some((q) => q.includes('cache_versions'))).toBe(true);
    },
  );

  it("a policy acknowledged in plain SQL leaves the teacher's next home page", async () => {
    const b = await signedIn('teacher');
    expect((await b.get('/')).body).toContain('Acknowledge the policy');
    await other.query(
      `INSERT INTO policy_acknowledgements
         (school_id, person_kind, person_id, policy_version_id, policy_version, acknowledged_at, recorded_by)
       SELECT p.school_id, 'staff', $2, v.id, v.version, now(), $2
         FROM policy_profiles p JOIN policy_profile_versions v
           ON v.profile_id = p.id AND v.version = p.current_version
        WHERE p.school_id = $1`,
      [school.school.id, school.staff.teacher.id],
    );
    expect((await b.get('/')).body).not.toContain('Acknowledge the policy');
  });

  it('a training session added in plain SQL shows at once; one just beyond the week shows when the clock reaches it', async () => {
    const b = await signedIn('office');
    expect((await b.get('/')).body).not.toContain('training session');
    const now = clock.now().getTime();
    await other.query(
      `INSERT INTO training_sessions (school_id, kind, audience, title, starts_at, place, trainer)
       VALUES ($1, 'staff_regular', 'staff', 'Online safety update', $2, 'Hall', 'The DSL')`,
      [school.school.id, new Date(now + 7 * DAY + 30 * 60_000)],
    );
    // Seven days and half an hour ahead: not within the week.
    expect((await b.get('/')).body).not.toContain('training session');
    await other.query(
      `INSERT INTO training_sessions (school_id, kind, audience, title, starts_at, place, trainer)
       VALUES ($1, 'staff_regular', 'staff', 'Reporting concerns', $2, 'Library', 'The DSL')`,
      [school.school.id, new Date(now + 2 * DAY)],
    );
    const soon = (await b.get('/')).body;
    expect(soon).toContain('1 training session this week');
    expect(soon).toContain('Reporting concerns');
    // An hour on, both are within the week: the kept items are not used past the clock's minute.
    clock.set(new Date(now + 60 * 60_000));
    try {
      const later = (await b.get('/')).body;
      expect(later).toContain('2 training sessions this week');
      expect(later).toContain('Online safety update');
    } finally {
      clock.set(new Date(now));
    }
  });

  it('a change that bypasses the triggers goes unseen: the items really are kept', async () => {
    const b = await signedIn('office');
    const before = (await b.get('/')).body;
    expect(before).not.toContain('Unseen session');
    await other.query("SET session_replication_role = 'replica'");
    try {
      await other.query(
        `INSERT INTO training_sessions (school_id, kind, audience, title, starts_at, place, trainer)
         VALUES ($1, 'staff_regular', 'staff', 'Unseen session', $2, 'Hall', 'The DSL')`,
        [school.school.id, new Date(clock.now().getTime() + DAY)],
      );
    } finally {
      await other.query("SET session_replication_role = 'origin'");
    }
    expect((await b.get('/')).body).not.toContain('Unseen session');
  });

  it("a class given to the teacher in plain SQL changes their 'Pupils in your classes'", async () => {
    const b = await signedIn('teacher');
    const figure = (html: string) =>
      /Pupils in your classes[\s\S]*?(\d+)/.exec(html.replace(/<[^>]+>/g, ' '))?.[1];
    expect(figure((await b.get('/')).body)).toBe('0');
    const pupil = school.pupils.find((p) => p.className)!;
    const inClass = school.pupils.filter((p) => p.className === pupil.className).length;
    await other.query(
      'INSERT INTO staff_classes (school_id, staff_id, class_name) VALUES ($1, $2, $3)',
      [school.school.id, school.staff.teacher.id, pupil.className],
    );
    expect(figure((await b.get('/')).body)).toBe(String(inClass));
  });
});
