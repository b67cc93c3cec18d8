import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import {
  createPlatform,
  createServices,
  jobHandlers,
  type Platform,
  type Services,
} from '../../src/container.ts';
import { LocalFileStore } from '../../src/platform/files/file-store.ts';
import { SmtpSink } from '../../src/platform/mail/smtp-sink.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';

const sims = fs.readFileSync(
  path.resolve(import.meta.dirname, '../fixtures/imports/sims-pupils.csv'),
);

/**
 * Issue 11 item 5: an import's file lives in the FileStore, not on the web process's disk. Two
 * "processes" share only the database and a file store (as two hosts would share PostgreSQL and an
 * object store): a web process (DATA_DIR A, no workers) takes the uploads and the confirmations;
 * a worker (DATA_DIR B) runs the pg-boss jobs that check and apply them. Folder A is emptied
 * before the worker starts, so nothing on the web process's disk can be read by the jobs.
 */
describe('imports checked and applied by a worker that shares only the database and the file store', () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  const dirs: string[] = [];
  const platforms: Platform[] = [];
  let shared: string;
  let web: Services;
  let worker: Services;
  let fx: SchoolFixture;

  async function processWith(dataDir: string): Promise<Services> {
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      SESSION_SECRET: 'test-secret-test-secret-test-secret-0123456789',
      SMTP_URL: sink.url,
      BASE_URL: 'http://lanyard.test',
      LOG_LEVEL: 'silent',
    });
    const platform = await createPlatform(config, { supervise: false, mailSink: sink });
    platforms.push(platform);
    return createServices({ ...platform, files: new LocalFileStore(shared) });
  }

  const tempDir = (prefix: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };

  /** Every file under a folder (relative paths). */
  const filesUnder = (dir: string): string[] =>
    fs.existsSync(dir)
      ? (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
          .filter((e) => e.isFile())
          .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
      : [];

  async function until<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
    let value = await read();
    for (let i = 0; i < 120 && !done(value); i++) {
      await sleep(250);
      value = await read();
    }
    return value;
  }

  let webDir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    sink = new SmtpSink();
    await sink.start(0);
    shared = tempDir('lanyard-shared-store-');
    webDir = tempDir('lanyard-web-');
    web = await processWith(webDir);
    fx = await createSchool(web, { pupils: 1 });
  });

  afterAll(async () => {
    for (const p of platforms.reverse()) await p.close().catch(() => undefined);
    await sink?.stop();
    await database?.drop();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('previews and applies a pupil import and a consent import from the file store', async () => {
    const office = { kind: 'staff' as const, id: fx.staff.office.id };
    const dpo = { kind: 'staff' as const, id: fx.staff.dpo.id };

    // The web process takes the upload: the file goes to the shared store, none to its own disk.
    const pupilImport = await web.imports.upload(fx.school.id, office, {
      filename: 'sims.csv',
      data: sims,
    });
    expect(
      await web.files.exists(web.imports.fileKey({ id: pupilImport, schoolId: fx.school.id })),
    ).toBe(true);
    expect(filesUnder(webDir).filter((f) => f.endsWith('.csv'))).toEqual([]);
    expect((await web.imports.get(fx.school.id, pupilImport)).status).toBe('uploaded');

    // The web process's folder goes; a worker with another DATA_DIR runs the jobs.
    fs.rmSync(webDir, { recursive: true, force: true });
    worker = await processWith(tempDir('lanyard-worker-'));
    await platforms[1]!.jobs.work(jobHandlers(worker));

    const previewed = await until(
      () => web.imports.get(fx.school.id, pupilImport),
      (v) => v.status !== 'uploaded' && v.status !== 'previewing',
    );
    expect(previewed.status).toBe('previewed');
    expect(previewed.preview?.counts?.newPupils).toBe(20);

    await web.imports.requestCommit(fx.school.id, office, pupilImport, { wholeRoll: false });
    const applied = await until(
      () => web.imports.get(fx.school.id, pupilImport),
      (v) => v.status !== 'committing',
    );
    expect(applied.status).toBe('committed');
    expect(applied.summary?.counts.newPupils).toBe(20);

    // A consent spreadsheet for one of the imported pupils, by a parent with responsibility.
    const { rows } = await web.database.pool.query<{ mis_id: string; email: string }>(
      `SELECT p.mis_id, pa.email FROM pupils p
         JOIN pupil_parents pp ON pp.pupil_id = p.id AND pp.parental_responsibility
         JOIN parents pa ON pa.id = pp.parent_id AND pa.email IS NOT NULL
        WHERE p.school_id = $1 AND p.mis_id = 'J823401224100' LIMIT 1`,
      [fx.school.id],
    );
    const family = rows[0]!;
    const consentImport = await web.consentImports.upload(fx.school.id, dpo, {
      filename: 'consents.csv',
      data: Buffer.from(
        `UPN,Parent email,Date on form,school_social_media image\n${family.mis_id},${family.email},01/10/2026,Yes\n`,
      ),
    });
    const checked = await until(
      () => web.consentImports.get(fx.school.id, consentImport),
      (v) => v.status !== 'uploaded' && v.status !== 'previewing',
    );
    expect(checked.status, JSON.stringify(checked.preview?.errors)).toBe('previewed');
    await web.consentImports.requestCommit(fx.school.id, dpo, consentImport);
    const recorded = await until(
      () => web.consentImports.get(fx.school.id, consentImport),
      (v) => v.status === 'committed' || v.status === 'failed' || v.status === 'rejected',
    );
    expect(recorded.status).toBe('committed');
    expect(recorded.summary?.newStatements).toBe(1);

    // Applied imports leave no file behind; the web process's disk was never used.
    const left: string[] = [];
    for await (const f of web.files.list('imports')) left.push(f.key);
    expect(left).toEqual([]);
    expect(fs.existsSync(webDir)).toBe(false);
  }, 120_000);
});
