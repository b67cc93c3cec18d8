import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, TEST_PASSWORD, type SchoolFixture } from '../support/factories.ts';
import {
  freePort,
  HttpSession,
  makeDataDir,
  startLanyard,
  stopLanyard,
  waitUntil,
  withTimeout,
  type LanyardProcess,
} from '../support/lanyard-process.ts';

/**
 * Several processes, as ARCHITECTURE promises (issue 11 item 6, ADR 0018): two web processes
 * (`lanyard web`) and one worker (`lanyard worker`), real processes on one PostgreSQL database
 * and one file store, mail to one SMTP sink. Rate limits and sign-in throttling count across the
 * web processes; a change made through one shows on the very next request to the other, although
 * both keep pages and sessions in memory; a pupil import uploaded through one is checked and
 * applied by the worker and confirmed through the other.
 */
describe('two web processes and a worker on one database', () => {
  let ctx: TestContext;
  let school: SchoolFixture;
  let dataDir: string;
  let web1: LanyardProcess;
  let web2: LanyardProcess;
  let worker: LanyardProcess;
  const base = (p: LanyardProcess) => `http://127.0.0.1:${p.options.port}`;
  const API_LIMIT = 8;
  const MAX_ATTEMPTS = 3;

  beforeAll(async () => {
    ctx = await createTestServices();
    school = await createSchool(ctx.services, { slug: 'several', pupils: 30 });
    dataDir = makeDataDir('lanyard-several-');
    const env = {
      DATABASE_URL: ctx.database.url,
      SMTP_URL: ctx.sink.url,
      SESSION_SECRET: 'several-processes-share-this-secret-0123456789',
      DEMO_SEED: 'false',
      LOGIN_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      LOGIN_RATE_LIMIT: '100',
      API_RATE_LIMIT: String(API_LIMIT),
    };
    const start = async (role: 'web' | 'worker') =>
      startLanyard({
        dataDir, // one file store, as S3 or a shared volume would be
        port: await freePort(),
        pgPort: await freePort(), // unused: DATABASE_URL is set
        env,
        args: [role],
      });
    [web1, web2, worker] = await Promise.all([start('web'), start('web'), start('worker')]);
    await withTimeout(
      Promise.all([web1.ready, web2.ready, worker.ready]),
      60_000,
      'starting two web processes and a worker',
    );
  }, 90_000);

  afterAll(async () => {
    await Promise.all([web1, web2, worker].filter(Boolean).map((p) => stopLanyard(p, 15_000)));
    await ctx?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('runs as three processes: two web, one worker', () => {
    expect(web1.output()).toMatch(/Lanyard \(web\) is ready/);
    expect(web2.output()).toMatch(/Lanyard \(web\) is ready/);
    expect(worker.output()).toMatch(/Lanyard \(worker\) is ready/);
    expect(new Set([web1.pid, web2.pid, worker.pid]).size).toBe(3);
  });

  it('counts the /api/ rate limit across both web processes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < API_LIMIT + 2; i++) {
      const target = i % 2 === 0 ? web1 : web2;
      statuses.push((await fetch(`${base(target)}/api/v1/pupils`)).status);
    }
    // Each process alone saw at most API_LIMIT / 2 + 1 requests: only a shared count says 429.
    expect(statuses.slice(0, API_LIMIT).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(API_LIMIT)).toEqual([429, 429]);
  });

  it('counts wrong passwords across both web processes (sign-in throttling)', async () => {
    const email = school.staff.teacher.email;
    const attempt = async (target: LanyardProcess, password: string) =>
      new HttpSession(base(target)).postForm('/sign-in', '/sign-in', {
        email,
        password,
        next: '/',
      });
    const wrong: number[] = [];
    for (let i = 0; i < MAX_ATTEMPTS; i++)
      wrong.push((await attempt(i % 2 === 0 ? web1 : web2, 'not-the-password')).status);
    expect(wrong).toEqual(Array(MAX_ATTEMPTS).fill(401));
    // web2 itself saw only one failure; the right password is still refused there.
    const blocked = await attempt(web2, TEST_PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('shows a pupil renamed and moved through one web process on the next page of the other', async () => {
    const office = new HttpSession(base(web1));
    await office.signIn(school.staff.office.email, TEST_PASSWORD);
    const onWeb2 = sessionOn(office, web2);
    const pupil = school.pupils[0]!;
    // web2 keeps the list and the classes in memory (read twice: the second is from memory).
    for (let i = 0; i < 2; i++) {
      const page = await (await onWeb2.get('/pupils')).text();
      expect(page).toContain(escapeHtml(pupil.familyName));
      expect(page).not.toContain('Renamedthroughweb');
    }
    const form = await (await office.get(`/pupils/${pupil.id}/edit`)).text();
    const values = formValues(form);
    const saved = await office.postForm(`/pupils/${pupil.id}/edit`, `/pupils/${pupil.id}/edit`, {
      ...values,
      familyName: 'Renamedthroughweb',
      className: 'Kestrel',
    });
    expect(saved.status).toBe(303);
    const after = await (await onWeb2.get('/pupils')).text();
    expect(after).toContain('Renamedthroughweb');
    expect(after).toContain('Kestrel'); // the class filter (its own shared read)
  });

  it('stops a session signed out through one web process on the next request to the other', async () => {
    const office = new HttpSession(base(web1));
    await office.signIn(school.staff.office.email, TEST_PASSWORD);
    const onWeb2 = sessionOn(office, web2);
    for (let i = 0; i < 2; i++) expect((await onWeb2.get('/')).status).toBe(200);
    const out = await office.postForm('/', '/sign-out', {});
    expect(out.status).toBe(303);
    const next = await onWeb2.get('/');
    expect(next.status).toBe(303);
    expect(next.headers.get('location')).toMatch(/^\/sign-in/);
  });

  it('has an import uploaded through one web process checked and applied by the worker, confirmed through the other', async () => {
    const office = new HttpSession(base(web1));
    await office.signIn(school.staff.office.email, TEST_PASSWORD);
    const onWeb2 = sessionOn(office, web2);
    const csv = fs.readFileSync(
      path.resolve(import.meta.dirname, '../fixtures/imports/sims-pupils.csv'),
    );
    const uploaded = await postFile(office, '/imports/pupils', '/imports/pupils', {
      filename: 'sims-pupils.csv',
      content: csv,
    });
    expect(uploaded.status).toBe(303);
    const importPath = uploaded.headers.get('location')!;
    expect(importPath).toMatch(/^\/imports\/pupils\/[0-9a-f-]{36}$/);

    // Only the worker runs jobs: the check (preview) is its work.
    await waitUntil(
      async () => (await (await onWeb2.get(importPath)).text()).includes('Confirm import'),
      30_000,
      'the preview, by the worker',
    );
    const confirmed = await onWeb2.postForm(importPath, `${importPath}/confirm`, {
      roll: 'partial',
    });
    expect(confirmed.status).toBe(303);
    await waitUntil(
      async () => (await (await office.get(importPath)).text()).includes('Import complete'),
      30_000,
      'the import, applied by the worker',
    );
    const list = await (await office.get('/pupils?q=Ashworth')).text();
    expect(list).toContain('Ashworth');
  }, 60_000);
});

/** The same cookies (session, CSRF) sent to another web process. */
function sessionOn(from: HttpSession, to: LanyardProcess): HttpSession {
  const other = new HttpSession(`http://127.0.0.1:${to.options.port}`);
  (other as unknown as { cookies: Map<string, string> }).cookies = (
    from as unknown as { cookies: Map<string, string> }
  ).cookies;
  return other;
}

function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function unescapeHtml(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** A form's current answers: text inputs and selected options (what a browser would send). */
function formValues(html: string): Record<string, string> {
  const values: Record<string, string> = {};
  const attr = (tag: string, name: string) =>
    new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1] ?? undefined;
  for (const [tag] of html.matchAll(/<input\b[^>]*>/g)) {
    const name = attr(tag, 'name');
    const type = attr(tag, 'type') ?? 'text';
    if (!name || name === '_csrf' || type === 'submit') continue;
    if ((type === 'radio' || type === 'checkbox') && !/\schecked\b/.test(tag)) continue;
    values[name] = unescapeHtml(attr(tag, 'value') ?? '');
  }
  for (const [, open, body] of html.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
    const name = /\sname="([^"]*)"/.exec(open!)?.[1];
    const selected = /<option\b[^>]*value="([^"]*)"[^>]*\sselected\b/.exec(body!);
    if (name && selected) values[name] = unescapeHtml(selected[1]!);
  }
  return values;
}

/** Posts a file as multipart form data with the CSRF token from `formPath`'s page. */
async function postFile(
  session: HttpSession,
  formPath: string,
  path: string,
  file: { filename: string; content: Buffer },
): Promise<Response> {
  const page = await (await session.get(formPath)).text();
  const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  if (!token) throw new Error(`No CSRF token on ${formPath}`);
  const body = new FormData();
  body.append('_csrf', token);
  body.append(
    'file',
    new Blob([new Uint8Array(file.content)], { type: 'text/csv' }),
    file.filename,
  );
  return fetch(`${session.baseUrl}${path}`, {
    method: 'POST',
    headers: { cookie: session.cookieHeader() },
    body,
    redirect: 'manual',
  });
}
