import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { asStaff } from '../support/publishing.ts';
import type { Actor } from '../../src/modules/audit/audit.service.ts';
import type { Services } from '../../src/container.ts';

/**
 * The name a pupil is known by, from the MIS export's "Preferred Forename" and "Preferred Surname"
 * columns, reaches the name check through the real import: a post naming Alfred Wolstenholme as
 * "Alfie Wolstenholme" fails once the roll says he is known as Alfie, and not before.
 */
describe('preferred names from an MIS import in the name check (real PostgreSQL)', () => {
  let ctx: TestContext;
  let s: Services;
  let fx: SchoolFixture;
  let newsId: string;

  const header = 'UPN,Legal Forename,Preferred Forename,Legal Surname,Preferred Surname,DOB,Year';
  const csv = (rows: string[]) => Buffer.from([header, ...rows].join('\r\n') + '\r\n');

  /** upload → preview → confirm → commit, as the web and the worker do it (not the whole roll). */
  async function runImport(data: Buffer) {
    const actor: Actor = { kind: 'staff', id: fx.staff.office.id };
    const id = await s.imports.upload(fx.school.id, actor, { filename: 'pupils.csv', data });
    const previewed = await s.imports.preview(id);
    expect(previewed?.status).toBe('previewed');
    await s.imports.requestCommit(fx.school.id, actor, id, { wholeRoll: false });
    await s.imports.commit(id, actor.id);
    const view = await s.imports.get(fx.school.id, id);
    expect(view.status).toBe('committed');
    return view;
  }

  const nameCheckOf = async (body: string) => {
    const teacher = asStaff(fx, 'teacher');
    const post = await s.posts.createDraft(teacher, {
      title: 'Sports day',
      body,
      eventLabel: null,
      kind: 'standard',
      media: [],
      accountIds: [newsId],
      scheduledAt: null,
    });
    await s.posts.submit(teacher, post.id);
    const view = await s.posts.view(asStaff(fx, 'headteacher'), post.id);
    return view.checks.find((c) => c.key === 'full_name')!;
  };

  beforeAll(async () => {
    ctx = await createTestServices();
    s = ctx.services;
    fx = await createSchool(s, { pupils: 4 });
    newsId = (await s.posts.newsAccount(fx.school.id)).id;
  });
  afterAll(async () => ctx?.close());

  it('fails a post with a preferred full name once the import records it', async () => {
    // First the legal names only: the preferred columns are blank.
    await runImport(
      csv([
        'A823401299001,Alfred,,Wolstenholme,,01/06/2018,Year 2',
        'A823401299002,Margaret,,Ashdown,,15/10/2017,Year 3',
      ]),
    );
    expect((await nameCheckOf('Alfie Wolstenholme won the sack race.')).outcome).toBe('pass');
    expect((await nameCheckOf('Peggy Lyle won the egg and spoon.')).outcome).toBe('pass');

    // Then the MIS records the names they are known by; one equal to the legal name is not kept.
    const view = await runImport(
      csv([
        'A823401299001,Alfred,Alfie,Wolstenholme,Wolstenholme,01/06/2018,Year 2',
        'A823401299002,Margaret,Peggy,Ashdown,Lyle,15/10/2017,Year 3',
      ]),
    );
    expect(view.summary?.counts).toMatchObject({ updatedPupils: 2, newPupils: 0 });
    expect(view.preview?.samples.updatedPupils).toEqual([
      {
        line: 2,
        misId: 'A823401299001',
        name: 'Alfred Wolstenholme',
        changes: [{ field: 'Preferred first name', from: null, to: 'Alfie' }],
      },
      {
        line: 3,
        misId: 'A823401299002',
        name: 'Margaret Ashdown',
        changes: [
          { field: 'Preferred first name', from: null, to: 'Peggy' },
          { field: 'Preferred surname', from: null, to: 'Lyle' },
        ],
      },
    ]);
    const { rows } = await s.database.pool.query<{
      given_name: string;
      preferred_given_name: string | null;
      preferred_family_name: string | null;
    }>(
      `SELECT given_name, preferred_given_name, preferred_family_name FROM pupils
        WHERE school_id = $1 AND mis_id LIKE 'A8234012990%' ORDER BY mis_id`,
      [fx.school.id],
    );
    expect(rows).toEqual([
      { given_name: 'Alfred', preferred_given_name: 'Alfie', preferred_family_name: null },
      { given_name: 'Margaret', preferred_given_name: 'Peggy', preferred_family_name: 'Lyle' },
    ]);

    const alfie = await nameCheckOf('Alfie Wolstenholme won the sack race.');
    expect(alfie.outcome).toBe('fail');
    expect(alfie.sentence).toContain('Alfie Wolstenholme');
    // Every pairing of legal and preferred names, and the initial forms.
    for (const text of [
      'Peggy Lyle won the egg and spoon.',
      'Margaret Lyle won the egg and spoon.',
      'Peggy Ashdown won the egg and spoon.',
      'Well done #PeggyLyle',
      'Well done Peggy L. for the egg and spoon.',
    ]) {
      expect((await nameCheckOf(text)).outcome, text).toBe('fail');
    }
    expect((await nameCheckOf('Thank you to everyone who came.')).outcome).toBe('pass');
  });
});
