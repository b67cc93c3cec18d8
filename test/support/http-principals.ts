import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { PeopleRepository } from '../../src/modules/people/people.repository.ts';
import { hashPassword } from '../../src/platform/crypto.ts';
import type { TestContext } from './db.ts';
import { TEST_PASSWORD } from './factories.ts';
import { HttpClient } from './http.ts';

let ipCounter = 0;

/** A distinct client address for each simulated browser, so per-IP rate limits stay per person. */
export function nextIp(): string {
  ipCounter += 1;
  return `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

/**
 * An HttpClient that sends its requests from its own client address (the rate limiter keys on
 * the address; every simulated person has a machine of their own).
 */
export class Browser extends HttpClient {
  readonly ip: string;

  constructor(app: FastifyInstance, ip = nextIp()) {
    const wrapped = {
      inject: (options: InjectOptions) => app.inject({ ...options, remoteAddress: ip }),
    } as unknown as FastifyInstance;
    super(wrapped);
    this.ip = ip;
  }

  /** The Cookie header this browser would send. */
  cookieString(): string {
    return [...this.cookies.entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** A raw request with this browser's cookies (and address), e.g. a multipart upload. */
  async request(options: InjectOptions): Promise<LightMyRequestResponse> {
    const headers = { cookie: this.cookieString(), ...(options.headers ?? {}) };
    return this.app.inject({ ...options, headers });
  }
}

/** The one-time sign-in link in the newest email to `email` after `since`. */
export async function linkFromEmail(
  ctx: TestContext,
  email: string,
  since: number,
): Promise<string> {
  const mail = await ctx.sink.waitFor(email, { since });
  const m = /https?:\/\/[^/\s]+(\/sign-in\/link\/[A-Za-z0-9_-]+)/.exec(mail.text);
  if (!m?.[1]) throw new Error(`no sign-in link in the email to ${email}:\n${mail.text}`);
  return m[1];
}

/** Asks for a sign-in link by email and returns its path (/sign-in/link/<token>). */
export async function requestLink(
  browser: HttpClient,
  ctx: TestContext,
  email: string,
): Promise<string> {
  const since = ctx.sink.lastId();
  const res = await browser.post('/sign-in/link', { email }, { csrfFrom: '/sign-in/link' });
  if (res.statusCode !== 303)
    throw new Error(`link request failed for ${email}: ${res.statusCode}`);
  return linkFromEmail(ctx, email, since);
}

/** Signs a parent or pupil in through the emailed one-time link (GET shows Continue; POST it). */
export async function signInWithLink(
  browser: HttpClient,
  ctx: TestContext,
  email: string,
): Promise<void> {
  const link = await requestLink(browser, ctx, email);
  const page = await browser.get(link);
  if (page.statusCode !== 200) throw new Error(`link page for ${email}: ${page.statusCode}`);
  const res = await browser.post(link);
  if (res.statusCode !== 303 || res.headers.location !== '/') {
    throw new Error(
      `link sign-in failed for ${email}: ${res.statusCode} ${String(res.headers.location)}`,
    );
  }
}

/** Gives a pupil an email address so they can ask for a sign-in link. */
export async function setPupilEmail(
  ctx: TestContext,
  pupilId: string,
  email: string,
): Promise<void> {
  await ctx.services.database.pool.query('UPDATE pupils SET email = $1 WHERE id = $2', [
    email,
    pupilId,
  ]);
}

export interface OrgAdminFixture {
  id: string;
  email: string;
  organisationId: string;
  name: string;
}

/** An organisation (trust) holding these schools, with one admin whose password is TEST_PASSWORD. */
export async function createOrganisationAdmin(
  ctx: TestContext,
  schoolIds: string[],
  options: { name?: string } = {},
): Promise<OrgAdminFixture> {
  const tag = crypto.randomBytes(4).toString('hex');
  const db = ctx.services.database.db;
  const organisationId = await new PeopleRepository().createOrganisation(db, `Trust ${tag}`);
  for (const id of schoolIds) {
    await ctx.services.database.pool.query(
      'UPDATE schools SET organisation_id = $1 WHERE id = $2',
      [organisationId, id],
    );
  }
  const email = `admin-${tag}@trust.test`;
  const name = options.name ?? 'Olive Trustadmin';
  await new PeopleRepository().createOrganisationAdmin(db, {
    organisationId,
    email,
    name,
    passwordHash: await hashPassword(TEST_PASSWORD),
  });
  const { rows } = await ctx.services.database.pool.query<{ id: string }>(
    'SELECT id FROM organisation_admins WHERE email = $1',
    [email],
  );
  return { id: rows[0]!.id, email, organisationId, name };
}

/** One number from a SQL query (counts, mostly). */
export async function scalar(
  ctx: TestContext,
  text: string,
  params: unknown[] = [],
): Promise<number> {
  const { rows } = await ctx.services.database.pool.query<{ n: string | number }>(text, params);
  return Number(rows[0]?.n ?? 0);
}

/**
 * A fingerprint of everything a stray POST could change: audit log, sessions, links, imports,
 * policy versions and profiles, staff sign-in state, and the outbox.
 */
export async function stateSnapshot(ctx: TestContext): Promise<Record<string, string | number>> {
  const q = async (text: string) => {
    const { rows } = await ctx.services.database.pool.query<{ v: string | null }>(text);
    return rows[0]?.v ?? '';
  };
  return {
    auditEvents: await scalar(ctx, 'SELECT count(*) AS n FROM audit_events'),
    sessions: await scalar(ctx, 'SELECT count(*) AS n FROM sessions'),
    sessionsSecondFactorDone: await scalar(
      ctx,
      'SELECT count(*) AS n FROM sessions WHERE second_factor_done',
    ),
    links: await scalar(ctx, 'SELECT count(*) AS n FROM sign_in_links'),
    linksUsed: await scalar(
      ctx,
      'SELECT count(*) AS n FROM sign_in_links WHERE used_at IS NOT NULL',
    ),
    imports: await scalar(ctx, 'SELECT count(*) AS n FROM pupil_imports'),
    importStates: await q(
      "SELECT md5(string_agg(id::text || status, ',' ORDER BY id)) AS v FROM pupil_imports",
    ),
    policyVersions: await scalar(ctx, 'SELECT count(*) AS n FROM policy_profile_versions'),
    policyProfiles: await q(
      "SELECT md5(string_agg(id::text || current_version || next_review_date, ',' ORDER BY id)) AS v FROM policy_profiles",
    ),
    staffAuth: await q(
      "SELECT md5(string_agg(id::text || coalesce(totp_secret, '') || coalesce(totp_enabled_at::text, '') || failed_attempts || coalesce(locked_until::text, ''), ',' ORDER BY id)) AS v FROM staff",
    ),
    mails: ctx.sink.lastId(),
  };
}

function decodeEntities(s: string): string {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*"([^"]*)")?/g;
  const inner = tag.replace(/^<\w+/, '').replace(/\/?>$/, '');
  for (let m = re.exec(inner); m; m = re.exec(inner))
    out[m[1]!.toLowerCase()] = decodeEntities(m[2] ?? '');
  return out;
}

/** The forms on a page: method, action and the `<input>`s with their attributes. */
export function formsOf(html: string): { method: string; action: string; html: string }[] {
  const out: { method: string; action: string; html: string }[] = [];
  const re = /<form\b[^>]*>[\s\S]*?<\/form>/gi;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    const open = /<form\b[^>]*>/i.exec(m[0])![0];
    const a = attributes(open);
    out.push({ method: (a.method ?? 'get').toLowerCase(), action: a.action ?? '', html: m[0] });
  }
  return out;
}

/**
 * What a browser would submit for the form posting to `action`: text, hidden and date inputs,
 * checked radios and checkboxes, selected options, textareas.
 */
export function formValues(html: string, action: string): Record<string, string> {
  const form = formsOf(html).find((f) => f.action === action);
  if (!form) throw new Error(`no form posting to ${action}`);
  const values: Record<string, string> = {};
  for (const m of form.html.matchAll(/<input\b[^>]*>/gi)) {
    const a = attributes(m[0]);
    if (!a.name || a.disabled !== undefined) continue;
    const type = (a.type ?? 'text').toLowerCase();
    if (type === 'submit' || type === 'button' || type === 'file') continue;
    if ((type === 'radio' || type === 'checkbox') && a.checked === undefined) continue;
    values[a.name] = a.value ?? (type === 'checkbox' || type === 'radio' ? 'on' : '');
  }
  for (const m of form.html.matchAll(/<select\b[^>]*>([\s\S]*?)<\/select>/gi)) {
    const a = attributes(/<select\b[^>]*>/i.exec(m[0])![0]);
    if (!a.name) continue;
    const options = [...m[1]!.matchAll(/<option\b[^>]*>([\s\S]*?)<\/option>/gi)].map((o) => {
      const oa = attributes(/<option\b[^>]*>/i.exec(o[0])![0]);
      return {
        value: oa.value ?? decodeEntities(o[1]!.trim()),
        selected: oa.selected !== undefined,
      };
    });
    const chosen = options.find((o) => o.selected) ?? options[0];
    if (chosen) values[a.name] = chosen.value;
  }
  for (const m of form.html.matchAll(/<textarea\b[^>]*>([\s\S]*?)<\/textarea>/gi)) {
    const a = attributes(/<textarea\b[^>]*>/i.exec(m[0])![0]);
    if (a.name) values[a.name] = decodeEntities(m[1]!.replace(/^\n/, ''));
  }
  return values;
}

/** The value attribute of the input called `name` on a page (undefined if there is none). */
export function inputValue(html: string, name: string): string | undefined {
  for (const m of html.matchAll(/<input\b[^>]*>/gi)) {
    const a = attributes(m[0]);
    if (a.name === name) return a.value;
  }
  return undefined;
}
