/**
 * A browser over fetch for tests against a real Lanyard process: keeps cookies and the CSRF token
 * of the last page it read.
 */
export class FetchClient {
  private cookies = new Map<string, string>();
  csrf = '';
  constructor(private readonly base: string) {}

  private remember(res: Response, body: string): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    const m = /name="_csrf" value="([^"]+)"/.exec(body);
    if (m) this.csrf = m[1]!;
  }

  async request(
    path: string,
    init: { method?: string; body?: BodyInit; type?: string } = {},
  ): Promise<{ status: number; location: string | null; body: string }> {
    const res = await fetch(this.base + path, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(init.type ? { 'content-type': init.type } : {}),
      },
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    const body = await res.text();
    this.remember(res, body);
    return { status: res.status, location: res.headers.get('location'), body };
  }

  form(path: string, fields: Record<string, string>) {
    return this.request(path, {
      method: 'POST',
      body: new URLSearchParams({ _csrf: this.csrf, ...fields }).toString(),
      type: 'application/x-www-form-urlencoded',
    });
  }
}
