import crypto from 'node:crypto';
import zlib from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import {
  Browser,
  formValues,
  linkFromEmail,
  requestLink,
  scalar,
  setPupilEmail,
  signInWithLink,
} from '../support/http-principals.ts';
import { formatCitation } from '../../src/modules/policies/policy-settings.ts';
import { formatDateInWords, formatDateTimeInWords } from '../../src/web/dates.ts';

/**
 * The consent form over HTTP with sessions and CSRF on: a parent arrives by an emailed link,
 * answers, checks and confirms; only their own children; the GOV.UK error summary; a pupil
 * decides only when assessed competent; used and expired links offer a new one; the staff
 * button that emails a parent their link.
 */

const main = (html: string) => /<main[\s\S]*<\/main>/.exec(html)?.[0] ?? '';

/** What a person reads: the page without its tags and attributes (links' addresses). */
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

function errorHrefs(html: string): string[] {
  const summary = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '';
  return [...summary.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]!);
}

describe('consent form pages', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let A: SchoolFixture;
  let B: SchoolFixture;
  let S: SchoolFixture;
  let period: string;
  let parent: Browser;
  let childId: string;
  let recordId: string;
  let formLink: string;

  /** Emails the parent their form link (as the school would) and returns its path. */
  const sendLink = async (fx: SchoolFixture) => {
    const since = ctx.sink.lastId();
    expect(
      await ctx.services.consentForm.sendFormLink(fx.school.id, fx.parent.id, {
        reason: 'invitation',
        periodKey: period,
      }),
    ).toBe('sent');
    return linkFromEmail(ctx, fx.parent.email!, since);
  };

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [A, B, S] = await Promise.all([
      createSchool(ctx.services, { slug: 'hform-a', pupils: 12, template: 'the-avenue-primary' }),
      createSchool(ctx.services, { slug: 'hform-b', pupils: 6, template: 'the-avenue-primary' }),
      createSchool(ctx.services, { slug: 'hform-s', pupils: 6, template: 'sacred-heart-rochdale' }),
    ]);
    period = (await ctx.services.consent.recordablePeriods(A.school.id))[0]!.key;
    childId = A.pupils[0]!.id;
    parent = new Browser(app);
    formLink = await sendLink(A);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('lands a parent on their consent form from the emailed link', async () => {
    const page = await parent.get(formLink);
    expect(page.statusCode).toBe(200);
    const res = await parent.post(formLink);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/consent/family');
    const family = await parent.get('/consent/family');
    expect(family.statusCode).toBe(200);
    const children = await ctx.services.consent.childrenOf(A.school.id, A.parent.id);
    for (const c of children) expect(family.body).toContain(`${c.givenName} ${c.familyName}`);
    expect(family.body).toContain(`href="/consent/family/${childId}/${period}"`);
    expect(family.body).toContain('Not started');
    // Nobody else's children.
    const mine = new Set(children.map((c) => c.id));
    for (const p of A.pupils.filter((x) => !mine.has(x.id)))
      expect(main(family.body)).not.toContain(`${p.givenName} ${p.familyName}`);
  });

  it('refuses a form post without the CSRF token, saving nothing', async () => {
    const url = `/consent/family/${childId}/${period}`;
    const page = await parent.get(url);
    const values: Record<string, string> = {
      ...formValues(page.body, url),
      'school_website-image': 'yes',
    };
    delete values._csrf;
    const res = await parent.post(url, values, { csrf: false });
    expect(res.statusCode).toBe(403);
    expect(await scalar(ctx, 'SELECT count(*) AS n FROM consent_drafts')).toBe(0);
  });

  it('names each unanswered question in the error summary, keeps the answers, saves nothing', async () => {
    const url = `/consent/family/${childId}/${period}`;
    const empty = await parent.post(url, {}, { csrfFrom: url });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('<title>Error: ');
    const hrefs = errorHrefs(empty.body);
    expect(hrefs).toHaveLength(16);
    expect(hrefs).toContain('school_website-image');
    expect(hrefs).toContain('local_newspapers-name');
    // Each link points at the first radio of its question.
    for (const h of hrefs) expect(empty.body).toContain(`id="${h}"`);
    expect(empty.body).toMatch(/Select yes if we may use videos of \w+ for school website/);

    const partial = await parent.post(
      url,
      { 'school_website-image': 'no', 'classroom_display-video': 'yes' },
      { csrfFrom: url },
    );
    expect(partial.statusCode).toBe(400);
    expect(errorHrefs(partial.body)).toHaveLength(14);
    const kept = formValues(partial.body, url);
    expect(kept['school_website-image']).toBe('no');
    expect(kept['classroom_display-video']).toBe('yes');
    expect(await scalar(ctx, 'SELECT count(*) AS n FROM consent_drafts')).toBe(0);
    expect(await scalar(ctx, 'SELECT count(*) AS n FROM consent_records')).toBe(0);
  });

  it('saves, shows check answers with Change links, confirms and shows the receipt', async () => {
    const url = `/consent/family/${childId}/${period}`;
    const page = await parent.get(url);
    const names = [
      ...new Set(
        [...page.body.matchAll(/name="([a-z_]+-(?:image|video|name|media))"/g)].map((m) => m[1]!),
      ),
    ];
    expect(names).toHaveLength(16);
    const answers = Object.fromEntries(names.map((n) => [n, 'yes']));
    answers['local_newspapers-name'] = 'no';
    const saved = await parent.post(url, answers);
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`${url}/check`);

    const check = await parent.get(`${url}/check`);
    expect(check.statusCode).toBe(200);
    expect(check.body).toContain('Check your answers before sending');
    expect(check.body).toContain(`href="${url}#local_newspapers-name"`);
    expect(check.body.match(/govuk-summary-list__row/g)?.length).toBe(16);
    // Back on the question page, the draft is prefilled.
    const back = await parent.get(url);
    expect(formValues(back.body, url)['local_newspapers-name']).toBe('no');

    const since = ctx.sink.lastId();
    await parent.get(`${url}/check`);
    const confirmed = await parent.post(`${url}/check`);
    expect(confirmed.statusCode).toBe(303);
    const m = /^\/consent\/family\/receipts\/([0-9a-f-]{36})\?sent=1$/.exec(
      String(confirmed.headers.location),
    );
    expect(m).not.toBeNull();
    recordId = m![1]!;
    const receipt = await parent.get(String(confirmed.headers.location));
    expect(receipt.statusCode).toBe(200);
    expect(receipt.body).toContain('govuk-panel');
    // The reference a person can read out, stored with the record; never the record's UUID.
    const reference = String(
      (
        await ctx.services.database.pool.query(
          'SELECT receipt_reference FROM consent_records WHERE id = $1',
          [recordId],
        )
      ).rows[0].receipt_reference,
    );
    expect(reference).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
    const printed = `${reference.slice(0, 4)}-${reference.slice(4)}`;
    expect(receipt.body).toContain(
      `Your receipt reference<br><strong class="lanyard-nowrap">${printed}</strong>`,
    );
    expect(text(main(receipt.body))).not.toMatch(uuid);
    expect(receipt.body).toContain(`${A.pupils[0]!.givenName} ${A.pupils[0]!.familyName}`);
    expect(receipt.body).toContain(`href="/consent/family/receipts/${recordId}.json"`);
    const mail = await ctx.sink.waitFor(A.parent.email!, { since });
    expect(mail.text).toContain(`Receipt reference: ${printed}`);
    // Only the links' addresses hold the record's id.
    const words = mail.text.split('\n').filter((l) => !l.includes('http://'));
    expect(words.join('\n')).not.toMatch(uuid);

    const json = await parent.get(`/consent/family/receipts/${recordId}.json`);
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.headers['content-disposition']).toBe(
      `attachment; filename="consent-receipt-${printed}.json"`,
    );
    const body = JSON.parse(json.body);
    expect(body).toMatchObject({
      jurisdiction: 'UK',
      consentReceiptID: recordId,
      receiptReference: printed,
      subject: { pupilId: childId },
    });
    expect(
      body.purposes.find((p: { purpose: string }) => p.purpose === 'local_newspapers').decisions,
    ).toEqual({ image: 'granted', video: 'granted', name: 'refused' });

    // The check page without a draft sends them back to the questions.
    const again = await parent.get(`${url}/check`);
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe(url);
    const family = await parent.get('/consent/family');
    expect(family.body).toContain('Done');
    expect(family.body).toContain(`/consent/family/receipts/${recordId}`);
  });

  it('shows earlier answers and explains that withdrawing is not retroactive', async () => {
    const url = `/consent/family/${childId}/${period}`;
    const page = await parent.get(url);
    expect(formValues(page.body, url)['school_website-image']).toBe('yes');
    expect(page.body).toContain('withdraws your consent');
    expect(page.body).toContain('does not undo what was published before');
  });

  it('answers someone else’s child, another school’s pupil, a bad id and another’s receipt with 404', async () => {
    const mine = new Set(
      (await ctx.services.consent.childrenOf(A.school.id, A.parent.id)).map((c) => c.id),
    );
    const other = A.pupils.find((p) => !mine.has(p.id))!;
    const missing = await parent.get(`/consent/family/${crypto.randomUUID()}/${period}`);
    expect(missing.statusCode).toBe(404);
    for (const url of [
      `/consent/family/${other.id}/${period}`,
      `/consent/family/${B.pupils[0]!.id}/${period}`,
      `/consent/family/not-a-uuid/${period}`,
      `/consent/family/${childId}/1999-00`,
      `/consent/family/${other.id}/${period}/check`,
      `/consent/family/receipts/${crypto.randomUUID()}`,
    ]) {
      const res = await parent.get(url);
      expect(res.statusCode, url).toBe(404);
      expect(main(res.body), url).toBe(main(missing.body));
      expect(res.body).not.toContain(`${other.givenName} ${other.familyName}`);
    }
    const post = await parent.post(`/consent/family/${other.id}/${period}`, {
      [`school_website-image`]: 'yes',
    });
    expect(post.statusCode).toBe(404);

    const bParent = new Browser(app);
    await signInWithLink(bParent, ctx, B.parent.email!);
    for (const url of [
      `/consent/family/receipts/${recordId}`,
      `/consent/family/receipts/${recordId}.json`,
      `/consent/family/${childId}/${period}`,
    ]) {
      const res = await bParent.get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain(recordId.slice(0, 8) + '-');
    }
    // Staff use their own pages, not the family form.
    const head = new Browser(app);
    await head.signIn(A.staff.headteacher.email);
    expect((await head.get('/consent/family')).statusCode).toBe(404);
    expect((await head.get(`/consent/family/receipts/${recordId}.json`)).statusCode).toBe(404);
  });

  it('lets a pupil use the form only when assessed competent and the policy allows it', async () => {
    const pupil = S.pupils[0]!;
    const email = `pupil@${S.school.slug}.test`;
    await setPupilEmail(ctx, pupil.id, email);
    const browser = new Browser(app);
    await signInWithLink(browser, ctx, email);
    const before = await browser.get('/consent/family');
    expect(before.statusCode).toBe(200);
    expect(before.body).toContain('Your parent or carer decides');
    expect((await browser.get('/')).body).not.toContain('consent form to fill in');
    expect(before.body).not.toContain(`/consent/family/${pupil.id}/`);
    expect((await browser.get(`/consent/family/${pupil.id}/${period}`)).statusCode).toBe(404);

    await ctx.services.consent.assessCompetence(
      { schoolId: S.school.id, pupilId: pupil.id, competent: true, assessedOn: '2026-09-10' },
      { staffId: S.staff.dpo.id },
    );
    const after = await browser.get('/consent/family');
    expect(after.body).toContain(`/consent/family/${pupil.id}/${period}`);
    // Their home page now says their own form is waiting (before the assessment it did not).
    const home = await browser.get('/');
    expect(text(main(home.body))).toContain(
      'You have a consent form to fill in about photos and videos of you',
    );
    expect(home.body).toContain(`href="/consent/family/${pupil.id}/${period}"`);
    const url = `/consent/family/${pupil.id}/${period}`;
    const page = await browser.get(url);
    expect(page.statusCode).toBe(200);
    // Sacred Heart asks about its social media: photos, videos, and naming.
    expect(page.body).toContain('School social media accounts');
    const saved = await browser.post(url, {
      'school_social_media-image': 'yes',
      'school_social_media-video': 'no',
      'school_social_media-name': 'no',
    });
    expect(saved.statusCode).toBe(303);
    await browser.get(`${url}/check`);
    const done = await browser.post(`${url}/check`);
    expect(done.statusCode).toBe(303);
    const { rows } = await ctx.services.database.pool.query(
      'SELECT decider_kind, decisions FROM consent_records WHERE pupil_id = $1',
      [pupil.id],
    );
    expect(rows).toEqual([
      {
        decider_kind: 'pupil',
        decisions: {
          'school_social_media/image': 'granted',
          'school_social_media/video': 'refused',
          'school_social_media/name': 'refused',
        },
      },
    ]);
    // Another pupil's form stays closed to them.
    expect((await browser.get(`/consent/family/${S.pupils[1]!.id}/${period}`)).statusCode).toBe(
      404,
    );
  });

  it('says a used or expired link cannot be used and emails a new one on request', async () => {
    // The form link was used in the first test.
    const used = await parent.get(formLink);
    expect(used.statusCode).toBe(410);
    expect(used.body).toContain('already been used');
    expect(used.body).toContain(`action="${formLink}/renew"`);
    expect(used.body).not.toContain(A.parent.email!);
    const since = ctx.sink.lastId();
    const renewed = await parent.post(`${formLink}/renew`);
    expect(renewed.statusCode).toBe(303);
    expect(renewed.headers.location).toBe('/sign-in/link/renewed');
    const sent = await parent.get('/sign-in/link/renewed');
    expect(sent.body).toContain('We have sent you a new link');
    expect(sent.body).not.toContain(A.parent.email!);
    const fresh = await linkFromEmail(ctx, A.parent.email!, since);
    const other = new Browser(app);
    await other.get(fresh);
    const res = await other.post(fresh);
    expect(res.headers.location).toBe('/consent/family');

    const url = await ctx.services.auth.createSignInLink(ctx.services.database.db, {
      schoolId: A.school.id,
      principalKind: 'parent',
      principalId: A.parent.id,
      nextPath: '/consent/family',
      ttlMinutes: 60,
    });
    const path = new URL(url).pathname;
    await ctx.services.database.pool.query(
      "UPDATE sign_in_links SET expires_at = now() - interval '1 minute' WHERE token_hash = encode(sha256($1::bytea), 'hex')",
      [path.split('/').at(-1)],
    );
    const expired = await new Browser(app).get(path);
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('This link has expired');
    expect(expired.body).toContain(`action="${path}/renew"`);
    // A made-up link: nothing to renew, nothing sent.
    const before = ctx.sink.lastId();
    const stranger = new Browser(app);
    expect((await stranger.get('/sign-in/link/made-up-token')).body).not.toContain('/renew');
    const bogus = await stranger.post(
      '/sign-in/link/made-up-token/renew',
      {},
      { csrfFrom: '/sign-in/link' },
    );
    expect(bogus.statusCode).toBe(410);
    expect(ctx.sink.lastId()).toBe(before);
  });

  it('refuses every form post without a valid CSRF token (missing, forged, another browser’s, no cookie)', async () => {
    const stranger = new Browser(app);
    await stranger.get('/sign-in');
    const office = new Browser(app);
    await office.signIn(A.staff.office.email);
    const url = `/consent/family/${childId}/${period}`;
    const page = await parent.get(url);
    const answers = formValues(page.body, url);
    delete answers._csrf;
    // A draft waiting to be confirmed, so the check page's POST would record something.
    await ctx.services.consentForm.saveDraft(
      { kind: 'parent', id: A.parent.id, schoolId: A.school.id, name: '' },
      childId,
      period,
      { ...answers, 'class_photograph-video': 'no' },
    );
    const cases: [Browser, string, string, Record<string, string>][] = [
      [parent, url, url, answers],
      [parent, `${url}/check`, `${url}/check`, {}],
      [office, `/parents/${A.parent.id}`, `/consent/parents/${A.parent.id}/send-link`, {}],
      [new Browser(app), formLink, `${formLink}/renew`, {}],
    ];
    const state = async () => [
      await scalar(ctx, 'SELECT count(*) AS n FROM consent_records'),
      await scalar(ctx, 'SELECT count(*) AS n FROM sign_in_links'),
      await scalar(
        ctx,
        "SELECT count(*) AS n FROM consent_drafts WHERE answers->>'class_photograph-video' = 'no'",
      ),
      ctx.sink.lastId(),
    ];
    for (const [who, from, target, fields] of cases) {
      await who.get(from);
      const token = who.csrf!;
      expect(token, from).toBeTruthy();
      const before = await state();
      const variants: [string, Record<string, string>, string][] = [
        ['no token', { ...fields }, who.cookieString()],
        ['forged', { ...fields, _csrf: `${token.slice(0, -4)}AAAA` }, who.cookieString()],
        ['another browser', { ...fields, _csrf: stranger.csrf! }, who.cookieString()],
        [
          'no cookie',
          { ...fields, _csrf: token },
          [...who.cookies.entries()]
            .filter(([k]) => k !== '_csrf')
            .map(([k, v]) => `${k}=${v}`)
            .join('; '),
        ],
      ];
      for (const [variant, body, cookie] of variants) {
        const res = await who.request({
          method: 'POST',
          url: target,
          payload: new URLSearchParams(body).toString(),
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        });
        expect(res.statusCode, `${target} (${variant})`).toBe(403);
        expect(res.body).toContain('This form has expired');
      }
      expect(await state(), target).toEqual(before);
    }
    await ctx.services.database.pool.query('DELETE FROM consent_drafts');
  });

  it('lets the office email a parent their form link, and nobody else', async () => {
    const office = new Browser(app);
    await office.signIn(A.staff.office.email);
    const url = `/consent/parents/${A.parent.id}/send-link`;
    const since = ctx.sink.lastId();
    const res = await office.post(url, {}, { csrfFrom: `/parents/${A.parent.id}` });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/parents/${A.parent.id}`);
    const mail = await ctx.sink.waitFor(A.parent.email!, { since });
    expect(mail.text).toContain('as asked');
    const next = await office.get(`/parents/${A.parent.id}`);
    expect(next.body).toContain('We have emailed');
    const audit = await ctx.services.audit.listForSchool(
      A.school.id,
      { action: 'consent.form-link-sent' },
      1,
    );
    expect(audit.rows[0]).toMatchObject({
      actorId: A.staff.office.id,
      data: { reason: 'requested' },
    });

    const teacher = new Browser(app);
    await teacher.signIn(A.staff.teacher.email);
    expect((await teacher.post(url, {}, { csrfFrom: '/' })).statusCode).toBe(404);
    const bHead = new Browser(app);
    await bHead.signIn(B.staff.headteacher.email);
    expect((await bHead.post(url, {}, { csrfFrom: '/' })).statusCode).toBe(404);
    const noCsrf = await office.post(url, {}, { csrf: false });
    expect(noCsrf.statusCode).toBe(403);
  });
});

/** The text of a PDF as pdfkit writes it: deflated content streams, text as hex strings in TJ. */
function pdfText(pdf: Buffer): string {
  const out: string[] = [];
  const raw = pdf.toString('latin1');
  for (const m of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let content: string;
    try {
      content = zlib.inflateSync(Buffer.from(m[1]!, 'latin1')).toString('latin1');
    } catch {
      continue;
    }
    for (const tj of content.matchAll(/\[([^\]]*)\]\s*TJ/g)) {
      const hex = [...tj[1]!.matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => h[1]!).join('');
      out.push(Buffer.from(hex, 'hex').toString('latin1'));
    }
  }
  return out.join(' ').replace(/\s+/g, ' ');
}

/**
 * What parents see (issue 9 item 7): the home page says when a form is waiting; the receipt has a
 * reference a person can read out (the office finds it), a printable page and a PDF as well as the
 * JSON; no clause numbers anywhere a parent looks; dates and times in UK local time in words, in
 * pages and emails; no API link in their footer.
 */
describe('parents’ pages and receipts', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let H: SchoolFixture;
  let O: SchoolFixture;
  let period: string;
  let parent: Browser;
  let children: { id: string; givenName: string; familyName: string }[];
  let recordId: string;
  let reference: string;
  let receiptMail: string;

  /** Every citation in the school's policy settings ("003 §4.6", "Lanyard default", …). */
  const citationsOf = async (schoolId: string): Promise<string[]> => {
    const found = new Set<string>();
    const walk = (v: unknown) => {
      if (!v || typeof v !== 'object') return;
      const o = v as Record<string, unknown>;
      if (o.citation && typeof o.citation === 'object') {
        found.add(formatCitation(o.citation as Parameters<typeof formatCitation>[0]));
      }
      for (const x of Object.values(o)) walk(x);
    };
    walk(await ctx.services.consent.settings(schoolId));
    return [...found].filter((c) => c.length > 2);
  };

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [H, O] = await Promise.all([
      createSchool(ctx.services, {
        slug: 'hparent-h',
        pupils: 8,
        template: 'sacred-heart-rochdale',
      }),
      createSchool(ctx.services, {
        slug: 'hparent-o',
        pupils: 4,
        template: 'sacred-heart-rochdale',
      }),
    ]);
    period = (await ctx.services.consent.recordablePeriods(H.school.id))[0]!.key;
    children = await ctx.services.consent.childrenOf(H.school.id, H.parent.id);
    parent = new Browser(app);
    await signInWithLink(parent, ctx, H.parent.email!);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('says on the home page which forms are waiting, with a start button, until they are done', async () => {
    const home = await parent.get('/');
    expect(home.statusCode).toBe(200);
    const names = children.map((c) => c.givenName);
    const heading =
      names.length === 1
        ? `You have a consent form to fill in for ${names[0]}`
        : `You have consent forms to fill in for ${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
    expect(text(main(home.body))).toContain(heading);
    for (const c of children) {
      expect(home.body).toMatch(
        new RegExp(
          `href="/consent/family/${c.id}/${period}"[^>]*class="govuk-button[^"]*govuk-button--start`,
        ),
      );
    }

    // Answer every child's form: the banner goes.
    for (const [i, c] of children.entries()) {
      const url = `/consent/family/${c.id}/${period}`;
      const page = await parent.get(url);
      const answers = Object.fromEntries(
        [
          ...new Set(
            [...page.body.matchAll(/name="([a-z_]+-(?:image|video|name|media))"/g)].map(
              (m) => m[1]!,
            ),
          ),
        ].map((n) => [n, 'yes']),
      );
      expect(Object.keys(answers).length).toBeGreaterThan(0);
      expect((await parent.post(url, answers)).statusCode).toBe(303);
      await parent.get(`${url}/check`);
      const since = ctx.sink.lastId();
      const done = await parent.post(`${url}/check`);
      expect(done.statusCode).toBe(303);
      if (i === 0) {
        recordId = /receipts\/([0-9a-f-]{36})/.exec(String(done.headers.location))![1]!;
        receiptMail = (await ctx.sink.waitFor(H.parent.email!, { since })).text;
      }
      const after = await parent.get('/');
      if (i < children.length - 1)
        expect(after.body).toContain(children[i + 1]!.givenName + '’s form');
    }
    const home2 = await parent.get('/');
    expect(text(main(home2.body))).not.toContain('consent form to fill in');
    expect(text(main(home2.body))).not.toContain('consent forms to fill in');
    expect(text(main(home2.body))).toContain('No consent form is waiting for you.');
    expect(home2.body).toContain('href="/consent/family"');
    reference = String(
      (
        await ctx.services.database.pool.query(
          'SELECT receipt_reference FROM consent_records WHERE id = $1',
          [recordId],
        )
      ).rows[0].receipt_reference,
    );
  });

  it('gives each receipt a short reference, unique in the school, never the record’s UUID', async () => {
    expect(reference).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
    const dupes = await scalar(
      ctx,
      `SELECT count(*) AS n FROM (SELECT school_id, receipt_reference FROM consent_records
         GROUP BY 1, 2 HAVING count(*) > 1) d`,
    );
    expect(dupes).toBe(0);
    const printed = `${reference.slice(0, 4)}-${reference.slice(4)}`;
    const page = await parent.get(`/consent/family/receipts/${recordId}`);
    expect(text(main(page.body))).toContain(`Receipt reference ${printed}`);
    expect(text(main(page.body))).not.toMatch(uuid);
    expect(receiptMail).toContain(`Receipt reference: ${printed}`);
  });

  it('offers the receipt as a printable page, a PDF and JSON; the PDF only to its owner', async () => {
    const page = await parent.get(`/consent/family/receipts/${recordId}`);
    expect(page.body).toContain(`href="/consent/family/receipts/${recordId}.pdf"`);
    expect(page.body).toContain(`href="/consent/family/receipts/${recordId}.json"`);
    // Links and menus are hidden when printed (the print stylesheet hides .lanyard-no-print).
    expect(page.body).toMatch(
      /class="govuk-body lanyard-no-print">\s*<a class="govuk-link" href="[^"]+\.pdf"/,
    );

    const pdf = await parent.get(`/consent/family/receipts/${recordId}.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const printed = `${reference.slice(0, 4)}-${reference.slice(4)}`;
    expect(pdf.headers['content-disposition']).toBe(
      `attachment; filename="consent-receipt-${printed}.pdf"`,
    );
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const words = pdfText(pdf.rawPayload);
    const record = (
      await ctx.services.database.pool.query(
        'SELECT recorded_at FROM consent_records WHERE id = $1',
        [recordId],
      )
    ).rows[0] as { recorded_at: Date };
    expect(words).toContain(`Receipt reference: ${printed}`);
    expect(words).toContain(`${children[0]!.givenName} ${children[0]!.familyName}`);
    expect(words).toContain(formatDateTimeInWords(record.recorded_at));
    expect(words).toContain('School social media accounts');
    for (const c of await citationsOf(H.school.id)) expect(words).not.toContain(c);

    const other = new Browser(app);
    await signInWithLink(other, ctx, O.parent.email!);
    expect((await other.get(`/consent/family/receipts/${recordId}.pdf`)).statusCode).toBe(404);
    const office = new Browser(app);
    await office.signIn(H.staff.office.email);
    expect((await office.get(`/consent/family/receipts/${recordId}.pdf`)).statusCode).toBe(404);
  });

  it('shows no clause numbers on any page a parent sees, nor in their emails', async () => {
    const citations = await citationsOf(H.school.id);
    expect(citations).toContain('003 §4.6');
    const child = children[0]!;
    const url = `/consent/family/${child.id}/${period}`;
    // A change turning a yes into a no: the form and check pages explain withdrawal.
    const form = await parent.get(url);
    expect(form.body).toContain('withdraws your consent');
    const answers = formValues(form.body, url);
    delete answers._csrf;
    answers['school_social_media-video'] = 'no';
    expect((await parent.post(url, answers)).statusCode).toBe(303);
    const check = await parent.get(`${url}/check`);
    expect(check.body).toContain('You are withdrawing consent');
    const pages: [string, string][] = [
      ['/', (await parent.get('/')).body],
      ['/consent/family', (await parent.get('/consent/family')).body],
      [url, form.body],
      [`${url}/check`, check.body],
      ['receipt', (await parent.get(`/consent/family/receipts/${recordId}`)).body],
      ['pupil page', (await parent.get(`/pupils/${child.id}`)).body],
      ['receipt email', receiptMail],
    ];
    for (const [name, body] of pages) {
      for (const c of citations) expect(body, `${name}: ${c}`).not.toContain(c);
      expect(body, name).not.toContain('§');
    }
    await ctx.services.database.pool.query('DELETE FROM consent_drafts');
  });

  it('gives dates and times in UK local time, in words, on pages and in emails', async () => {
    const record = (
      await ctx.services.database.pool.query(
        'SELECT recorded_at, decided_on::text AS decided_on FROM consent_records WHERE id = $1',
        [recordId],
      )
    ).rows[0] as { recorded_at: Date; decided_on: string };
    const when = formatDateTimeInWords(record.recorded_at);
    expect(when).toMatch(/^\d{1,2} [A-Z][a-z]+ \d{4} at (\d{1,2}(:\d{2})?[ap]m|midday|midnight)$/);
    const page = await parent.get(`/consent/family/receipts/${recordId}`);
    expect(text(main(page.body))).toContain(`When ${when}`);
    expect(receiptMail).toContain(`When: ${when}`);
    expect(receiptMail).not.toContain('UTC');
    const family = await parent.get('/consent/family');
    expect(text(main(family.body))).toContain(
      `Last answered ${formatDateInWords(record.decided_on)}`,
    );

    // The form link's email says until when the link works, in words.
    const since = ctx.sink.lastId();
    await ctx.services.consentForm.sendFormLink(H.school.id, H.parent.id, {
      reason: 'reminder',
      periodKey: period,
    });
    const mail = await ctx.sink.waitFor(H.parent.email!, { since });
    expect(mail.text).toMatch(
      /The link works once and lasts until \d{1,2} [A-Z][a-z]+ \d{4} at (\d{1,2}(:\d{2})?[ap]m|midday|midnight)\./,
    );
  });

  it('says in the sign-in link email until when the link works, in words', async () => {
    const since = ctx.sink.lastId();
    await requestLink(new Browser(app), ctx, H.parent.email!);
    const mail = await ctx.sink.waitFor(H.parent.email!, { since });
    expect(mail.text).toMatch(
      /The link works once and expires in \d+ (minutes|hours?) \(\d{1,2} [A-Z][a-z]+ \d{4} at (\d{1,2}(:\d{2})?[ap]m|midday|midnight)\)\./,
    );
  });

  it('shows parents and pupils no API link in the footer; staff still have it', async () => {
    for (const url of ['/', '/consent/family', `/consent/family/receipts/${recordId}`]) {
      const res = await parent.get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).not.toContain('/api/v1/openapi.json');
    }
    const office = new Browser(app);
    await office.signIn(H.staff.office.email);
    expect((await office.get('/')).body).toContain('href="/api/v1/openapi.json"');
  });

  it('lets the office find a receipt by its reference, in their school only', async () => {
    const printed = `${reference.slice(0, 4)}-${reference.slice(4)}`;
    const office = new Browser(app);
    await office.signIn(H.staff.office.email);
    expect((await office.get('/consent')).body).toContain('href="/consent/receipts"');
    const blank = await office.get('/consent/receipts');
    expect(blank.statusCode).toBe(200);
    expect(blank.body).toContain('Find a consent receipt');
    // As read out over the phone: lower case, a space instead of the hyphen.
    const typed = `${reference.slice(0, 4)} ${reference.slice(4)}`.toLowerCase();
    const found = await office.get(`/consent/receipts?reference=${encodeURIComponent(typed)}`);
    expect(found.statusCode).toBe(200);
    const child = children[0]!;
    expect(text(main(found.body))).toContain(`Receipt ${printed}`);
    expect(text(main(found.body))).toContain(`${child.givenName} ${child.familyName}`);
    expect(found.body).toContain(`href="/consent/pupils/${child.id}"`);
    // The pupil's register page shows each record's reference too.
    const register = await office.get(`/consent/pupils/${child.id}`);
    expect(text(main(register.body))).toContain(`Receipt reference ${printed}`);

    const bad = await office.get('/consent/receipts?reference=K7M4-Q2P0');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('govuk-error-summary');
    expect(bad.body).toContain('href="#reference"');
    expect(bad.body).toContain('8 letters and numbers, like K7M4-Q2PX');
    const empty = await office.get('/consent/receipts?reference=');
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Enter the receipt reference');

    // Another school's office: no such receipt, and nothing about the pupil.
    const otherOffice = new Browser(app);
    await otherOffice.signIn(O.staff.office.email);
    const elsewhere = await otherOffice.get(`/consent/receipts?reference=${printed}`);
    expect(elsewhere.statusCode).toBe(200);
    expect(elsewhere.body).toContain('No receipt found');
    expect(elsewhere.body).not.toContain(child.familyName);
    expect(elsewhere.body).not.toContain(child.id);

    // Those who do not see the whole register, and parents, get nothing.
    const teacher = new Browser(app);
    await teacher.signIn(H.staff.teacher.email);
    expect((await teacher.get(`/consent/receipts?reference=${printed}`)).statusCode).toBe(404);
    expect((await parent.get(`/consent/receipts?reference=${printed}`)).statusCode).toBe(404);
  });
});
