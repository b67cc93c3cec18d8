import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';

/**
 * What ADR 0018's version check costs a page: the session check and the page's shared reads
 * share one read of the school's version per request (platform/request-context.ts), and a page
 * whose session and reads are kept in memory needs no other statement.
 */
describe('one cache version read per page', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let school: SchoolFixture;

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    school = await createSchool(ctx.services, { slug: 'one-version-read', pupils: 12 });
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it.each([
    ['the dashboard', '/'],
    ['the pupil list', '/pupils'],
  ])('%s: one version read once the session and the page are kept', async (_name, path) => {
    const office = new Browser(app);
    await office.signIn(school.staff.office.email);
    // The first requests load the session (twice: the first load cannot know its school yet)
    // and the page's shared reads.
    for (let i = 0; i < 3; i++) expect((await office.get(path)).statusCode).toBe(200);
    const reader = ctx.services.database.versions;
    const before = reader.stats.reads;
    expect((await office.get(path)).statusCode).toBe(200);
    expect(reader.stats.reads - before).toBe(1);
  });
});
