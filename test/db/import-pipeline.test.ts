import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/errors.ts';
import {
  ImportFailure,
  ImportPipeline,
  type ImportActor,
  type ImportKind,
} from '../../src/platform/imports/import-pipeline.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';

/**
 * A later kind of import plugs into the pipeline with one small file: here a made-up staff list
 * (one email per line) on a table with the pipeline's columns, to show what a kind has to
 * provide and that the pipeline does the rest (file in the FileStore, preview, confirm, one
 * transaction, all or nothing, file removed). docs/architecture.md, "Adding a kind of import".
 */
describe('a new kind of import in one small file (real PostgreSQL and file store)', () => {
  let ctx: TestContext;
  let fx: SchoolFixture;
  const queued: string[] = [];

  interface Preview {
    canCommit: boolean;
    emails: string[];
    errors: { line: number; message: string }[];
  }

  /** The kind: everything a staff import would write, bar its pages. */
  const staffKind: ImportKind<Preview, { added: number }, null, { note: string }, ImportActor> = {
    name: 'staff',
    table: 'staff_imports',
    defaultFilename: 'staff.csv',
    messages: { cannotCommit: 'Has problems.', overtaken: 'Overtaken.', failed: 'Failed.' },
    check: (data) => (data.subarray(0, 4).toString() === '%PDF' ? 'This is a PDF.' : null),
    preview: ({ data }) => {
      const emails = data.toString('utf8').split('\n').slice(1).filter(Boolean);
      const errors = emails
        .map((e, i) => ({ line: i + 2, message: e.includes('@') ? '' : `“${e}” is not an email` }))
        .filter((e) => e.message);
      return Promise.resolve({
        preview: { canCommit: errors.length === 0, emails, errors },
        canCommit: errors.length === 0,
        rows: emails.length,
      });
    },
    prepare: () => Promise.resolve(null),
    apply: async (tx, { run }) => {
      const { emails } = run.preview as Preview;
      for (const email of emails) {
        if (email.startsWith('boom')) throw new ImportFailure('Boom.', true);
        await tx.client.query('INSERT INTO staff_import_rows (email) VALUES ($1)', [email]);
      }
      return { added: emails.length };
    },
  };

  let pipeline: ImportPipeline<Preview, { added: number }, null, { note: string }, ImportActor>;
  const actor = () => ({ kind: 'staff', id: fx.staff.office.id });
  const rows = async () =>
    (await ctx.services.database.pool.query('SELECT email FROM staff_import_rows ORDER BY email'))
      .rows;

  beforeAll(async () => {
    ctx = await createTestServices();
    fx = await createSchool(ctx.services, { pupils: 1 });
    // The kind's table: the pipeline's columns (as consent_imports has them).
    await ctx.services.database.pool.query(
      `CREATE TABLE staff_imports (LIKE consent_imports INCLUDING DEFAULTS);
       CREATE TABLE staff_import_rows (email text NOT NULL)`,
    );
    pipeline = new ImportPipeline(staffKind, {
      database: ctx.services.database,
      files: ctx.services.files,
      clock: ctx.services.clock,
      jobs: {
        preview: (id) => Promise.resolve(void queued.push(`preview ${id}`)),
        apply: (id) => Promise.resolve(void queued.push(`apply ${id}`)),
      },
    });
  });
  afterAll(async () => ctx?.close());

  it('runs upload → preview → confirm → apply, with the file in the FileStore until applied', async () => {
    const id = await pipeline.upload(fx.school.id, actor(), {
      filename: 'staff.csv',
      data: Buffer.from('email\nada@example.com\nbob@example.com\n'),
    });
    expect(queued).toContain(`preview ${id}`);
    const key = pipeline.fileKey({ id, schoolId: fx.school.id });
    expect(await ctx.services.files.exists(key)).toBe(true);
    expect((await pipeline.preview(id))?.status).toBe('previewed');
    await pipeline.requestCommit(fx.school.id, actor(), id, { note: 'x' });
    expect(queued).toContain(`apply ${id}`);
    const done = await pipeline.commit(id, actor());
    expect(done).toMatchObject({ status: 'committed', summary: { added: 2 } });
    expect(await rows()).toEqual([{ email: 'ada@example.com' }, { email: 'bob@example.com' }]);
    expect(await ctx.services.files.exists(key)).toBe(false);
    await pipeline.commit(id, actor()); // the job delivered twice
    expect(await rows()).toHaveLength(2);
  });

  it('refuses a file at upload, lists row errors, and applies all or nothing', async () => {
    const pdf = await pipeline.upload(fx.school.id, actor(), {
      filename: 'x.pdf',
      data: Buffer.from('%PDF-1.4'),
    });
    expect(await pipeline.get(fx.school.id, pdf)).toMatchObject({
      status: 'rejected',
      fileError: 'This is a PDF.',
    });

    const bad = await pipeline.upload(fx.school.id, actor(), {
      filename: 'bad.csv',
      data: Buffer.from('email\nnot-an-email\n'),
    });
    expect((await pipeline.preview(bad))?.status).toBe('rejected');
    await expect(
      pipeline.requestCommit(fx.school.id, actor(), bad, { note: '' }),
    ).rejects.toBeInstanceOf(ConflictError);

    const boom = await pipeline.upload(fx.school.id, actor(), {
      filename: 'boom.csv',
      data: Buffer.from('email\ncat@example.com\nboom@example.com\n'),
    });
    await pipeline.preview(boom);
    await pipeline.requestCommit(fx.school.id, actor(), boom, { note: '' });
    expect(await pipeline.commit(boom, actor())).toMatchObject({
      status: 'failed',
      fileError: 'Boom.',
    });
    expect(await rows()).toHaveLength(2); // cat@ was rolled back with the rest
  });
});
