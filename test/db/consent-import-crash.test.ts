import fs from 'node:fs';
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/seed.ts';
import { runningEmbeddedUrl } from '../../src/platform/db/embedded.ts';
import { FetchClient } from '../support/fetch-client.ts';
import { multipartBody } from '../support/http.ts';
import { nextTotpCode } from '../support/e2e-pages.ts';
import {
  freePort,
  killPostgresFor,
  makeDataDir,
  startLanyard,
  stopLanyard,
  withTimeout,
  type LanyardOptions,
  type LanyardProcess,
} from '../support/lanyard-process.ts';

/**
 * Issue 10 item 9 for consent spreadsheet imports, through the import pipeline (ADR 0022): the
 * file is checked by a job and recorded in ONE transaction by another. Here the server is killed
 * (`kill -9`) while that transaction is open (it waits for pupils another session holds). Nothing
 * of it is recorded by the dead process; after the restart the worker queues the job again and the
 * import finishes within a minute, every row recorded exactly once. Real processes and the
 * embedded PostgreSQL.
 */
describe('a consent import whose server is killed while recording (real processes)', () => {
  const processes: LanyardProcess[] = [];
  let options: LanyardOptions;
  let dataDir: string;

  const start = () => {
    const proc = startLanyard({ ...options, env: { DEMO_SEED: 'true', LOG_LEVEL: 'warn' } });
    processes.push(proc);
    return proc;
  };

  beforeAll(async () => {
    dataDir = makeDataDir('lanyard-consent-crash-');
    options = { dataDir, port: await freePort(), pgPort: await freePort() };
  });

  afterAll(async () => {
    for (const p of processes) {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGKILL');
        await p.exited;
      }
    }
    await killPostgresFor(dataDir);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  async function signIn(web: FetchClient): Promise<void> {
    await web.request('/sign-in');
    const res = await web.form('/sign-in', {
      email: 'dpo@oakfield.example',
      password: DEMO_PASSWORD,
    });
    expect(res.location).toBe('/sign-in/two-factor');
    await web.request('/sign-in/two-factor');
    const two = await web.form('/sign-in/two-factor', {
      code: await nextTotpCode('dpo@oakfield.example'),
    });
    expect(two.status).toBe(303);
  }

  it('records nothing half-way, and finishes the import within a minute of the restart', async () => {
    const first = start();
    await withTimeout(first.ready, 120_000, 'the first start');
    const db = new pg.Client({ connectionString: runningEmbeddedUrl(dataDir, options.pgPort) });
    await db.connect();
    // Four pupils and a parent of each who holds parental responsibility.
    const families = (
      await db.query<{ id: string; mis_id: string; email: string }>(
        `SELECT DISTINCT ON (p.id) p.id, p.mis_id, pa.email
           FROM pupils p JOIN schools s ON s.id = p.school_id
           JOIN pupil_parents pp ON pp.pupil_id = p.id AND pp.parental_responsibility
           JOIN parents pa ON pa.id = pp.parent_id AND pa.email IS NOT NULL
          WHERE s.slug = 'oakfield-primary' AND p.leaving_date IS NULL
          ORDER BY p.id LIMIT 4`,
      )
    ).rows;
    expect(families).toHaveLength(4);
    const csv = [
      'UPN,Parent email,Date on form,Method,Note,school_social_media image,school_social_media video',
      ...families.map((f) => `${f.mis_id},${f.email},01/10/2026,paper form,crash test,Yes,No`),
    ].join('\r\n');

    const web = new FetchClient(`http://127.0.0.1:${options.port}`);
    await signIn(web);
    await web.request('/consent/imports');
    const body = multipartBody(
      { _csrf: web.csrf },
      { filename: 'consents.csv', content: Buffer.from(csv) },
    );
    const uploaded = await web.request('/consent/imports', {
      method: 'POST',
      body: new Uint8Array(body.payload),
      type: body.contentType,
    });
    expect(uploaded.status).toBe(303);
    const url = uploaded.location!;
    // The check is a job: the page says "Checking" until the preview is ready.
    let preview = '';
    for (let i = 0; i < 120; i++) {
      preview = (await web.request(url)).body;
      if (preview.includes('Ready to confirm')) break;
      await sleep(250);
    }
    expect(preview, preview.slice(0, 3000)).toMatch(/Confirm import/);

    // Hold the pupils, confirm (the recording job waits inside its transaction), then kill.
    await db.query('BEGIN');
    await db.query('SELECT id FROM pupils WHERE id = ANY($1::uuid[]) FOR UPDATE', [
      families.map((f) => f.id),
    ]);
    const confirmed = await web.form(`${url}/confirm`, {});
    expect(confirmed.status).toBe(303);
    let waiting = false;
    for (let i = 0; i < 200 && !waiting; i++) {
      await db.query('SELECT pg_stat_clear_snapshot()');
      const rows = await db.query(
        `SELECT 1 FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()
            AND wait_event_type = 'Lock' AND query ILIKE '%FOR UPDATE%'`,
      );
      waiting = (rows.rowCount ?? 0) > 0;
      if (!waiting) await sleep(50);
    }
    expect(waiting, 'the recording job waits inside its transaction').toBe(true);
    expect((await web.request(url)).body).toContain('Importing');
    first.child.kill('SIGKILL');
    await first.exited;
    await db.query('ROLLBACK');
    // Nothing of the import was recorded by the process that died.
    const half = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM consent_records WHERE pupil_id = ANY($1::uuid[])
         AND decided_on = '2026-10-01'`,
      [families.map((f) => f.id)],
    );
    expect(Number(half.rows[0]!.n)).toBe(0);
    await db.end().catch(() => undefined);

    const second = start();
    const t0 = performance.now();
    await withTimeout(second.ready, 120_000, 'the restart');
    const again = new pg.Client({ connectionString: runningEmbeddedUrl(dataDir, options.pgPort) });
    await again.connect();
    const recorded = async () =>
      Number(
        (
          await again.query<{ n: string }>(
            `SELECT count(*) AS n FROM consent_records WHERE pupil_id = ANY($1::uuid[])
               AND decided_on = '2026-10-01' AND method = 'paper_form'`,
            [families.map((f) => f.id)],
          )
        ).rows[0]!.n,
      );
    // The session lives in PostgreSQL: the same browser carries on.
    let page = '';
    while (performance.now() - t0 < 90_000) {
      page = (await web.request(url)).body;
      if (page.includes('Import complete') || page.includes('did not finish')) break;
      await sleep(250);
    }
    const doneMs = performance.now() - t0;
    console.log(JSON.stringify({ consentImportDoneAfterRestartMs: Math.round(doneMs) }));
    expect(page).toContain('Import complete');
    expect(doneMs).toBeLessThan(60_000);
    expect(await recorded()).toBe(4);
    expect(second.output()).toContain('Resumed 1 interrupted consent import');
    // Confirming again is harmless.
    expect((await web.form(`${url}/confirm`, {})).status).toBe(303);
    expect(await recorded()).toBe(4);
    await again.end();

    const { code } = await stopLanyard(second, 30_000);
    expect(code).toBe(0);
  }, 400_000);
});
