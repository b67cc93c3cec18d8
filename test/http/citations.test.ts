/**
 * Every citation is the school's own (issue 9 item 5). A school on each of the five built-in
 * templates, with a withdrawal of consent and a device waiting for approval (so the dashboard
 * shows its cited items), is browsed by its Headteacher: every staff page reachable without an id
 * (app.lanyardRoutes) and the record pages of a pupil, a class and a policy version. No page may
 * show a citation written in another template, and the pages that cite must cite the school's own.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ukDate } from '../../src/platform/clock.ts';
import { policyTemplates } from '../../src/modules/policies/templates/index.ts';
import { formatCitation, type Citation } from '../../src/modules/policies/policy-settings.ts';
import { consentKeysFor } from '../../src/modules/consent/index.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, grantConsentForAll, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';

/** Every citation in a template's settings (rules and playbook steps), as pages show them. */
function citationStrings(settings: unknown): Set<string> {
  const out = new Set<string>();
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === 'object' && node !== null) {
      const o = node as Record<string, unknown>;
      if ('seed' in o && 'section' in o && 'quote' in o) {
        if (o.seed !== null) out.add(formatCitation(o as Citation));
        return;
      }
      Object.values(o).forEach(walk);
    }
  };
  walk(settings);
  return out;
}

function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

const seedOf = (t: (typeof policyTemplates)[number]) => t.seedFile.slice(0, 3);

describe('every citation is the school’s own', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  const schools = new Map<string, SchoolFixture>();

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    for (const t of policyTemplates) {
      const fx = await createSchool(ctx.services, {
        slug: `cite-${seedOf(t)}`,
        pupils: 6,
        template: t.key,
      });
      schools.set(t.key, fx);
      // Forms for everyone, then a written withdrawal of every use for the first pupil: the
      // dashboard cites the school's withdrawal clauses.
      await grantConsentForAll(ctx.services, fx);
      const settings = await ctx.services.consent.settings(fx.school.id);
      const pupil = fx.pupils[0]!;
      const register = await ctx.services.consent.pupilRegister(fx.school.id, pupil.id);
      const parent = register.parents.find((p) => p.parentalResponsibility)!;
      await ctx.services.consent.record(
        {
          schoolId: fx.school.id,
          pupilId: pupil.id,
          decider: { kind: 'parent', parentId: parent.id },
          decisions: Object.fromEntries(consentKeysFor(settings).map((k) => [k, 'refused'])),
          method: 'letter',
          kind: 'withdrawal',
          decidedOn: ukDate(ctx.services.clock.now()),
        },
        { kind: 'staff', id: fx.staff.office.id },
      );
      // A device waiting for the approver: the dashboard cites the school's device rule.
      await ctx.services.devices.register(
        fx.school.id,
        { kind: 'staff', id: fx.staff.ict_technician.id },
        { name: 'Class camera', deviceType: 'camera', assetTag: `CAM-${seedOf(t)}` },
      );
    }
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('knows each template’s citations, and no two templates share one', () => {
    const all = policyTemplates.map((t) => citationStrings(t.settings));
    for (const [i, set] of all.entries()) {
      expect(set.size, policyTemplates[i]!.key).toBeGreaterThanOrEqual(3);
      for (const [j, other] of all.entries()) {
        if (i !== j) for (const c of set) expect(other.has(c), c).toBe(false);
      }
    }
  });

  for (const template of policyTemplates) {
    it(`shows a school on the ${template.school} template only its own clauses`, async () => {
      const fx = schools.get(template.key)!;
      const own = citationStrings(template.settings);
      const foreign = new Set<string>();
      for (const t of policyTemplates) {
        if (t.key !== template.key) for (const c of citationStrings(t.settings)) foreign.add(c);
      }
      // Another seed's number followed by a section ("003 §4.9", "004 D", "000 PREVENT").
      const otherSeeds = policyTemplates.map(seedOf).filter((s) => s !== seedOf(template));
      const otherSeedClause = new RegExp(`\\b(?:${otherSeeds.join('|')})\\s(?:§|[A-Z])`);

      const head = new Browser(app);
      await head.signIn(fx.staff.headteacher.email);
      const pupil = fx.pupils[0]!;
      const urls = app.lanyardRoutes
        .filter(
          (r) =>
            r.method === 'GET' &&
            !r.url.includes(':') &&
            !r.url.includes('*') &&
            !/^\/(api|assets|dev|sign-in|sign-out|healthz|readyz)\b/.test(r.url) &&
            !/\.(csv|pdf|json)$/.test(r.url),
        )
        .map((r) => r.url);
      urls.push(
        `/pupils/${pupil.id}`,
        `/consent/pupils/${pupil.id}`,
        `/consent/classes/${encodeURIComponent(pupil.className!)}`,
        `/consent/classes/${encodeURIComponent(pupil.className!)}/card`,
        '/policy/versions/1',
      );
      const shown: string[] = [];
      const rendered: string[] = [];
      for (const url of urls) {
        const res = await head.get(url);
        if (res.statusCode !== 200 || !/text\/html/.test(String(res.headers['content-type'])))
          continue;
        rendered.push(url);
        const page = text(res.body);
        for (const c of foreign) {
          expect(page.includes(c), `${url} shows ${c}, another template’s clause`).toBe(false);
        }
        expect(page, `${url} cites another seed`).not.toMatch(otherSeedClause);
        for (const c of own) if (page.includes(c)) shown.push(c);
      }
      // Not vacuous: the pages were there, and they cite this school's own clauses.
      for (const url of ['/', '/policy', '/consent', `/consent/pupils/${pupil.id}`]) {
        expect(rendered, url).toContain(url);
      }
      expect(rendered.length).toBeGreaterThan(15);
      expect(new Set(shown).size).toBeGreaterThanOrEqual(3);
      const settings = await ctx.services.consent.settings(fx.school.id);
      const home = text((await head.get('/')).body);
      expect(home).toContain('Consent withdrawn for');
      expect(home).toContain(formatCitation(settings.consent.takedownWherePracticable.citation));
      expect(home).toContain('device is waiting for your approval');
      expect(home).toContain(
        `photos of pupils (${formatCitation(settings.media.schoolDevicesOnly.citation)})`,
      );
    });
  }
});
