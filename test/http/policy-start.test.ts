/**
 * Starting the policy (issue 15 item 3) through the page: a school without a profile shows the
 * Headteacher Lanyard's defaults and the five templates, in words; the Headteacher starts from
 * Lanyard's defaults (version 1, every rule citing why Lanyard chose it); others see that the
 * policy is not set up yet and cannot start it.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser, formValues } from '../support/http-principals.ts';
import { policyTemplates } from '../../src/modules/policies/templates/index.ts';

describe('starting the policy from the page', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let head: Browser;
  let teacher: Browser;

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    fx = await createSchool(ctx.services, { pupils: 1, template: null });
    head = new Browser(app);
    await head.signIn(fx.staff.headteacher.email);
    teacher = new Browser(app);
    await teacher.signIn(fx.staff.teacher.email);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('offers Lanyard’s defaults and the five templates to the Headteacher only', async () => {
    expect(await ctx.services.policies.hasProfile(fx.school.id)).toBe(false);
    const page = await head.get('/policy');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Which policy is closest to your school’s?');
    expect(page.body).toContain('Lanyard’s defaults');
    expect(page.body.match(/name="templateKey"/g)).toHaveLength(1 + policyTemplates.length);
    for (const t of policyTemplates) expect(page.body).toContain(`value="${t.key}"`);
    const other = await teacher.get('/policy');
    expect(other.body).toContain('The policy is not set up yet');
    expect(other.body).not.toContain('action="/policy/adopt"');
  });

  it('re-renders with the error summary when nothing is chosen, and starts nothing', async () => {
    const page = await head.get('/policy');
    const res = await head.post('/policy/adopt', { ...formValues(page.body, '/policy/adopt') });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('govuk-error-summary');
    expect(await ctx.services.policies.hasProfile(fx.school.id)).toBe(false);
  });

  it('starts from Lanyard’s defaults: version 1, each rule saying why Lanyard chose it', async () => {
    const page = await head.get('/policy');
    const res = await head.post('/policy/adopt', {
      ...formValues(page.body, '/policy/adopt'),
      templateKey: 'lanyard-defaults',
    });
    expect(res.statusCode).toBe(303);
    const current = await ctx.services.policies.current(fx.school.id);
    expect(current.version).toBe(1);
    expect(current.templateKey).toBe('lanyard-defaults');
    expect(current.settings.people.conductStatements.citation.section).toBe('Lanyard default');
    const policy = await head.get('/policy');
    expect(policy.body).toContain('Lanyard’s defaults');
    expect(policy.body).not.toContain('Which policy is closest to your school’s?');
  });
});
