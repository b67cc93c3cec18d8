import crypto from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { TOTP, Secret } from 'otpauth';
import { buildApp } from '../../src/app.ts';
import type { TestContext } from './db.ts';
import { TEST_PASSWORD, TEST_TOTP_SECRET } from './factories.ts';

export async function buildTestApp(ctx: TestContext): Promise<FastifyInstance> {
  const app = await buildApp(ctx.services, ctx.config);
  await app.ready();
  return app;
}

export function totpNow(secret = TEST_TOTP_SECRET, at = Date.now()): string {
  return new TOTP({
    secret: Secret.fromBase32(secret),
    digits: 6,
    period: 30,
    algorithm: 'SHA1',
  }).generate({ timestamp: at });
}

/**
 * A browser-like client over app.inject: keeps cookies, reads the CSRF token from the last page
 * and sends it with form posts (CSRF protection stays on).
 */
export class HttpClient {
  cookies = new Map<string, string>();
  csrf: string | undefined;

  constructor(readonly app: FastifyInstance) {}

  private cookieHeader(): string {
    return [...this.cookies.entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(res: LightMyRequestResponse): void {
    for (const c of res.cookies) {
      if (c.value === '' || (c.expires && c.expires.getTime() < Date.now()))
        this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const m = /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (m) this.csrf = m[1];
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({
      method: 'GET',
      url,
      headers: { cookie: this.cookieHeader(), ...headers },
    });
    this.remember(res);
    return res;
  }

  /** Posts a urlencoded form with the current CSRF token (fetches `csrfFrom` first if given). */
  async post(
    url: string,
    form: Record<string, string> = {},
    options: { csrfFrom?: string; csrf?: boolean } = {},
  ) {
    if (options.csrfFrom) await this.get(options.csrfFrom);
    const body = new URLSearchParams({
      ...(options.csrf === false ? {} : { _csrf: this.csrf ?? '' }),
      ...form,
    }).toString();
    const res = await this.app.inject({
      method: 'POST',
      url,
      payload: body,
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
    });
    this.remember(res);
    return res;
  }

  /** Signs a staff member in (password, then TOTP if their role needs it). */
  async signIn(email: string, password = TEST_PASSWORD): Promise<void> {
    const res = await this.post('/sign-in', { email, password }, { csrfFrom: '/sign-in' });
    if (res.statusCode !== 303) throw new Error(`sign-in failed for ${email}: ${res.statusCode}`);
    if (res.headers.location === '/sign-in/two-factor') {
      // A code is accepted once; signing the same person in again within 30 s needs the next
      // code, as a real authenticator app would show.
      for (const offset of [0, 30_000]) {
        const two = await this.post(
          '/sign-in/two-factor',
          { code: totpNow(TEST_TOTP_SECRET, Date.now() + offset) },
          { csrfFrom: '/sign-in/two-factor' },
        );
        if (two.statusCode === 303) return;
      }
      throw new Error(`second factor failed for ${email}`);
    }
  }
}

/** A multipart/form-data body, as a browser sends a form with a file input. */
export function multipartBody(
  fields: Record<string, string | string[]>,
  file?: { field?: string; filename: string; type?: string; content: Buffer },
): { payload: Buffer; contentType: string } {
  const boundary = `----lanyard${crypto.randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    for (const v of [value].flat()) {
      parts.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`,
        ),
      );
    }
  }
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field ?? 'file'}"; filename="${file.filename}"\r\nContent-Type: ${file.type ?? 'text/csv'}\r\n\r\n`,
      ),
      file.content,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(parts),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}
