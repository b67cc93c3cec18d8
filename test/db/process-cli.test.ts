import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  HttpSession,
  killPostgresFor,
  makeDataDir,
  postgresPidsUnder,
  repoRoot,
  runCli,
  startLanyard,
  stillRunning,
  stopLanyard,
  waitUntil,
  withTimeout,
  type CliResult,
  type LanyardOptions,
  type LanyardProcess,
} from '../support/lanyard-process.ts';

/**
 * Every `lanyard` command beside a running server, as a school would run them: `npm start` in
 * one terminal (the demo seeded, the development mail sink on a fixed SMTP_SINK_PORT, as by
 * default), `npx lanyard …` in another with the same environment. Each must attach to the
 * server's database and mail sink instead of starting its own (which failed with EADDRINUSE on
 * the sink's port and told the user to set PORT). Then the server's embedded PostgreSQL is
 * killed: Lanyard restarts it and a signed-in person's pages come back within seconds.
 *
 * The server is the compiled build `npm start` runs (ADR 0033: scripts/build.mjs, then
 * `node dist/main.js all`), built into a folder of this test's own; the CLI runs through tsx.
 */
describe('the CLI beside a running server', () => {
  let options: LanyardOptions;
  let server: LanyardProcess;
  const extra: LanyardProcess[] = [];
  const folders: string[] = [];
  let base: string;
  const password = 'a-long-test-password-2026';
  const today = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London' }).format(new Date());

  const cli = (...args: string[]) => runCli(options, args, { LANYARD_PASSWORD: password });
  /** Nothing a command prints may say it started a mail sink or clashed on a port. */
  const expectAttached = (r: CliResult) => {
    expect(r.stderr + r.stdout).not.toMatch(/EADDRINUSE|already in use|mail sink listening/i);
  };

  beforeAll(async () => {
    const dataDir = makeDataDir('lanyard-cli-test-');
    folders.push(dataDir);
    options = {
      dataDir,
      port: await freePort(),
      pgPort: await freePort(),
      // A fixed sink port, as a developer has (2525 by default): a command that started its own
      // sink on it would fail.
      env: { SMTP_SINK_PORT: String(await freePort()), DEMO_SEED: 'true', LOG_LEVEL: 'info' },
    };
    base = `http://127.0.0.1:${options.port}`;
    const built = `dist-test-${process.pid}`;
    folders.push(path.join(repoRoot, built));
    execFileSync(process.execPath, ['scripts/build.mjs', '--out', built], {
      cwd: repoRoot,
      stdio: 'pipe',
    });
    server = startLanyard({ ...options, entry: [`${built}/main.js`] });
    await withTimeout(server.ready, 150_000, 'the server start with the demo seed');
    const advertised = JSON.parse(
      fs.readFileSync(path.join(dataDir, 'lanyard.server.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(advertised).toMatchObject({
      pid: server.pid,
      embeddedPgPort: options.pgPort,
      smtpSinkUrl: `smtp://127.0.0.1:${options.env!.SMTP_SINK_PORT}`,
    });
  }, 180_000);

  afterAll(async () => {
    for (const p of [server, ...extra]) {
      if (p && p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGKILL');
        await p.exited;
      }
    }
    for (const dir of folders) {
      await killPostgresFor(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('the start-up output is a banner with every demo sign-in, then one short line per request', async () => {
    await (await fetch(`${base}/sign-in`)).text();
    await (await fetch(`${base}/no-such-page?token=secret`)).text();
    await waitUntil(async () => /GET \/no-such-page 404/.test(server.output()), 5_000, 'log');
    const out = server.output();
    const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Demo sign-ins'), readme.indexOf('## Config'));
    const emails = [...table.matchAll(/`([a-z]+@[a-z.]+\.example)`/g)].map((m) => m[1]!);
    expect(emails.length).toBeGreaterThanOrEqual(14);
    for (const email of emails) expect(out).toContain(email);
    // Development logs: no JSON, the route and status in one line, never the query.
    expect(out).not.toMatch(/^\{"level"/m);
    expect(out).toMatch(/^\d\d:\d\d:\d\d GET \/sign-in 200 \d+ ms$/m);
    expect(out).not.toContain('token=secret');
  });

  it('schools, migrate, seed demo and demo-code answer beside it', async () => {
    const schools = await cli('schools');
    expect(schools.code).toBe(0);
    expect(schools.stdout).toMatch(/oakfield-primary\s+Oakfield Primary School/);
    expect(schools.stdout).toMatch(/riverside-primary\s+Riverside Primary School/);
    expectAttached(schools);

    const migrate = await cli('migrate');
    expect([migrate.code, migrate.stdout.trim()]).toEqual([0, 'Migrations applied.']);

    const seed = await cli('seed', 'demo');
    expect(seed.code).toBe(0);
    expect(seed.stdout).toContain('The demo trust is already there.');

    const code = await cli('demo-code', 'head@oakfield.example');
    expect(code.code).toBe(0);
    const totp = new TOTP({ secret: Secret.fromBase32('LANYARDDEMOHEADTEACHERAAAAAAAAAA') });
    expect(totp.validate({ token: code.stdout.trim(), window: 1 })).not.toBeNull();
    for (const r of [migrate, seed, code]) expectAttached(r);
  }, 120_000);

  it('creates a school, imports its pupils and consents (preview, then --yes), a user, a token and a new password', async () => {
    const school = await cli(
      'create-school',
      '--name',
      'Larkspur Primary School',
      '--slug',
      'larkspur',
      '--template',
      'sacred-heart-rochdale',
    );
    expect(school.code).toBe(0);
    expect(school.stdout).toContain('Created Larkspur Primary School (larkspur)');

    const pupilsFile = path.join(repoRoot, 'test/fixtures/imports/canonical.csv');
    const preview = await cli('import', 'pupils', pupilsFile, '--school', 'larkspur');
    expect(preview.code).toBe(0);
    expect(preview.stdout).toMatch(/New pupils:\s+5/);
    expect(preview.stdout).toContain('Nothing has been changed yet');
    const applied = await cli('import', 'pupils', pupilsFile, '--school', 'larkspur', '--yes');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/Imported canonical\.csv[\s\S]*New pupils:\s+5/);

    const consentsFile = path.join(options.dataDir, 'consents.csv');
    fs.writeFileSync(
      consentsFile,
      [
        'UPN,Parent email,Date on form,Method,school_social_media image,school_social_media video',
        `LY-0001,jess.holloway@example.com,${today},paper form,Yes,No`,
        `LY-0003,hannah.pennington@example.com,${today},paper form,No,No`,
      ].join('\n'),
    );
    const consentPreview = await cli('import', 'consents', consentsFile, '--school', 'larkspur');
    expect(consentPreview.code).toBe(0);
    expect(consentPreview.stdout).toMatch(/Statements to record:\s+2/);
    const recorded = await cli('import', 'consents', consentsFile, '--school', 'larkspur', '--yes');
    expect(recorded.code).toBe(0);
    expect(recorded.stdout).toMatch(/Statements recorded:\s+2/);

    const user = await cli(
      'create-user',
      '--school',
      'larkspur',
      '--email',
      'office@larkspur.example',
      '--name',
      'Lena Marsh',
      '--role',
      'office',
    );
    expect(user.code).toBe(0);
    expect(user.stdout).toContain(
      'Created office@larkspur.example (office) at Larkspur Primary School',
    );

    const token = await cli(
      'token',
      'create',
      '--email',
      'office@larkspur.example',
      '--name',
      'ci',
    );
    expect(token.code).toBe(0);
    // The running server sees what the commands wrote: the token and the new person work there.
    const me = await fetch(`${base}/api/v1/me`, {
      headers: { authorization: `Bearer ${token.stdout.trim()}` },
    });
    expect(me.status).toBe(200);
    expect(JSON.stringify(await me.json())).toContain('Lena');
    const newPassword = 'another-long-test-password-2026';
    const reset = await runCli(options, ['set-password', '--email', 'office@larkspur.example'], {
      LANYARD_PASSWORD: newPassword,
    });
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('Password set for office@larkspur.example.');
    const session = new HttpSession(base);
    await session.signIn('office@larkspur.example', newPassword);
    const pupils = await session.get('/pupils');
    expect(pupils.status).toBe(200);
    expect(await pupils.text()).toContain('Holloway');
    for (const r of [school, preview, applied, consentPreview, recorded, user, token, reset])
      expectAttached(r);
  }, 180_000);

  it('audit verify, mail test (through the server’s sink: on its outbox) and backup', async () => {
    const audit = await cli('audit', 'verify');
    expect(audit.code).toBe(0);
    expect(audit.stdout).toMatch(/Audit log verified: \d+ entries in \d+ chains, no breaks/);

    const mail = await cli('mail', 'test', 'it-office@larkspur.example');
    expect(mail.code).toBe(0);
    expect(mail.stdout).toContain("through the running server's development mail sink");
    const outbox = await (await fetch(`${base}/dev/outbox`)).text();
    expect(outbox).toContain('it-office@larkspur.example');
    expect(outbox).toContain('Lanyard test email');

    const file = path.join(options.dataDir, 'backup.jsonl.gz');
    const backup = await cli('backup', file);
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/Backed up \d+ rows from \d+ tables and \d+ files/);
    expect(fs.statSync(file).size).toBeGreaterThan(1000);

    // Restore needs an empty Lanyard: beside a running one it refuses, clearly, and changes nothing.
    const restore = await cli('restore', file);
    expect(restore.code).toBe(1);
    expect(restore.stderr).toContain('restore needs an empty Lanyard database');
    for (const r of [audit, mail, backup, restore]) expectAttached(r);

    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect(server.output()).not.toMatch(/EADDRINUSE|already in use/);
  }, 180_000);

  it('a clash names the variable that clashed: SMTP_SINK_PORT, PORT, EMBEDDED_PG_PORT', async () => {
    const otherDir = makeDataDir('lanyard-cli-test-other-');
    folders.push(otherDir);
    const clash = async (env: Record<string, string>, port: number) => {
      const proc = startLanyard({
        dataDir: otherDir,
        port,
        pgPort: await freePort(),
        env: { DEMO_SEED: 'false', ...env },
      });
      extra.push(proc);
      const { code } = await withTimeout(proc.exited, 60_000, 'a clashing start');
      expect(code).toBe(1);
      return proc.output();
    };
    const sink = await clash({ SMTP_SINK_PORT: options.env!.SMTP_SINK_PORT! }, await freePort());
    expect(sink).toContain(`Port ${options.env!.SMTP_SINK_PORT} for the development mail sink`);
    expect(sink).toContain('set SMTP_SINK_PORT to a free port');
    expect(sink).not.toContain('Set PORT');

    const web = await clash({}, options.port);
    expect(web).toContain(`Port ${options.port} for the web server is already in use`);
    expect(web).toContain('set PORT to a free port');

    const pg = await clash({ EMBEDDED_PG_PORT: String(options.pgPort) }, await freePort());
    expect(pg).toContain(`Port ${options.pgPort} for the embedded PostgreSQL is already in use`);
    expect(pg).toContain('set EMBEDDED_PG_PORT to a free port');
    // The running server was not disturbed.
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  }, 180_000);

  it('restarts its embedded PostgreSQL after kill -9; a signed-in person’s pages come back within seconds', async () => {
    const session = new HttpSession(base);
    await session.signIn('office@oakfield.example', 'lanyard-demo-2026');
    expect((await session.get('/pupils')).status).toBe(200);

    const postmaster = Number(
      fs
        .readFileSync(path.join(options.dataDir, 'postgres', 'postmaster.pid'), 'utf8')
        .split('\n')[0],
    );
    expect(postgresPidsUnder(server.pid)).toContain(postmaster);
    process.kill(postmaster, 'SIGKILL');
    await waitUntil(async () => stillRunning([postmaster]).length === 0, 5_000, 'postmaster gone');

    // While it is away and being restarted: liveness never depends on the database, pages say
    // "unavailable" (503), never 500.
    const t0 = performance.now();
    const health = new Set<number>();
    const statuses = new Set<number>();
    while (!/running again/.test(server.output()) && performance.now() - t0 < 15_000) {
      health.add((await session.get('/healthz')).status);
      statuses.add((await session.get('/pupils')).status);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(server.output()).toMatch(/The embedded PostgreSQL is running again \(\d+ ms/);
    const recovered = await waitUntil(
      async () =>
        (await session.get('/pupils')).status === 200 &&
        (await fetch(`${base}/readyz`)).status === 200,
      10_000,
      'pages after the database was restarted',
    );
    expect([...health]).toEqual([200]);
    expect([...statuses].filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(performance.now() - t0).toBeLessThan(15_000);
    expect(recovered).toBeLessThan(10_000);
    const me = await session.get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(server.output()).toContain(
      'The embedded PostgreSQL stopped unexpectedly (signal SIGKILL)',
    );
    const newPostmaster = Number(
      fs
        .readFileSync(path.join(options.dataDir, 'postgres', 'postmaster.pid'), 'utf8')
        .split('\n')[0],
    );
    expect(newPostmaster).not.toBe(postmaster);
    expect(postgresPidsUnder(server.pid)).toContain(newPostmaster);

    // And it still stops cleanly, taking the restarted PostgreSQL with it.
    const { code } = await stopLanyard(server, 30_000);
    expect(code, server.output().slice(-2500)).toBe(0);
    expect(server.output()).toContain('Stopped cleanly');
    await waitUntil(
      async () => stillRunning([newPostmaster]).length === 0,
      10_000,
      'postgres gone',
    );
    expect(fs.existsSync(path.join(options.dataDir, 'lanyard.server.json'))).toBe(false);
  }, 120_000);
});
