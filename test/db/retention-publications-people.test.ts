import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { addParent, createSchool, type SchoolFixture } from '../support/factories.ts';
import { fixedClock } from '../../src/platform/clock.ts';

/**
 * The retention sweep's publications and people records (issue 16 item 6; the defaults: 6 years
 * after a publication ended, 6 years after a pupil left). Due publications go with the files
 * that went out (real files in the store); a publication still live is kept and reported. A
 * pupil who left long enough ago goes with their family links and a parent left with no child,
 * unless a kept record still names them: then they are kept with the reason (safeguarding,
 * still published), and the run says so.
 */
describe('retention of publications and people records (real PostgreSQL, real files)', () => {
  let ctx: TestContext;
  const clock = fixedClock('2026-12-06T18:28:00Z');
  let A: SchoolFixture;
  const db = () => ctx.services.database.db;
  const rows = async <T extends Record<string, unknown>>(q: ReturnType<typeof sql>) =>
    (await db().execute<T>(q)).rows;
  const count = async (q: ReturnType<typeof sql>) => Number((await rows<{ n: string }>(q))[0]!.n);
  const ids: Record<string, string> = {};
  const files: Record<string, string[]> = {};

  const file = async (key: string) => {
    const temp = await ctx.services.files.writeTemp(Buffer.from(`published ${key}`));
    await ctx.services.files.commit(temp.name, key);
    return key;
  };
  const publication = async (o: {
    state: string;
    createdAt: string;
    removedAt: string | null;
    files: number;
    pupils: string[];
  }) => {
    const id = randomUUID();
    await db().execute(sql`
      INSERT INTO publications (id, school_id, post_id, account_id, purpose_key, state,
        idempotency_key, title, text, created_at, removed_at, published_at)
      VALUES (${id}, ${A.school.id}, ${ids.post}, ${ids.account}, 'school_website', ${o.state},
        ${randomUUID()}, 'Sports day', 'Well done everyone', ${o.createdAt}, ${o.removedAt},
        ${o.state === 'failed' ? null : o.createdAt})`);
    const keys: string[] = [];
    for (let i = 0; i < o.files; i++) {
      const key = await file(`${A.school.id}/publications/${id}/${i}.jpg`);
      keys.push(key);
      await db().execute(sql`
        INSERT INTO publication_items (publication_id, school_id, file_key, rendition_sha256,
          content_type, position)
        VALUES (${id}, ${A.school.id}, ${key}, 'x', 'image/jpeg', ${i})`);
    }
    for (const p of o.pupils)
      await db().execute(sql`
        INSERT INTO publication_pupils (publication_id, pupil_id, school_id)
        VALUES (${id}, ${p}, ${A.school.id})`);
    files[id] = keys;
    return id;
  };

  beforeAll(async () => {
    ctx = await createTestServices({ clock });
    A = await createSchool(ctx.services, { pupils: 6 });
    const [current, leaverFree, leaverShown, leaverSafeguarding, recentLeaver] = A.pupils.map(
      (p) => p.id,
    ) as [string, string, string, string, string];
    Object.assign(ids, { current, leaverFree, leaverShown, leaverSafeguarding, recentLeaver });
    const leavers = [leaverFree, leaverShown, leaverSafeguarding, recentLeaver];
    // The test's own families for the leavers (the generated ones may be shared with siblings).
    for (const p of leavers)
      await db().execute(sql`DELETE FROM pupil_parents WHERE pupil_id = ${p}`);
    ids.freeParent = await addParent(ctx.services, {
      schoolId: A.school.id,
      pupilId: leaverFree,
      givenName: 'Rowan',
      familyName: 'Leaver',
    });
    ids.shownParent = await addParent(ctx.services, {
      schoolId: A.school.id,
      pupilId: leaverShown,
      givenName: 'Sasha',
      familyName: 'Shown',
    });
    // The free parent acknowledged the parents' guidance and was reminded once.
    const [version] = await rows<{ id: string; version: number }>(sql`
      SELECT v.id, v.version FROM policy_profile_versions v WHERE v.school_id = ${A.school.id}
      ORDER BY v.version DESC LIMIT 1`);
    await db().execute(sql`
      INSERT INTO policy_acknowledgements (school_id, person_kind, person_id, policy_version_id,
        policy_version, acknowledged_at)
      VALUES (${A.school.id}, 'parent', ${ids.freeParent}, ${version!.id}, ${version!.version},
        '2019-03-01T10:00:00Z')`);
    await db().execute(sql`
      INSERT INTO policy_acknowledgement_reminders (school_id, person_kind, person_id, version, sent_at)
      VALUES (${A.school.id}, 'parent', ${ids.freeParent}, ${version!.version}, '2019-02-01T10:00:00Z')`);
    for (const p of [leaverFree, leaverShown, leaverSafeguarding])
      await db().execute(sql`UPDATE pupils SET leaving_date = '2019-07-20' WHERE id = ${p}`);
    await db().execute(
      sql`UPDATE pupils SET leaving_date = '2024-07-20' WHERE id = ${recentLeaver}`,
    );
    // Still a child: a safeguarding case about them is kept until they are 25.
    await db().execute(
      sql`UPDATE pupils SET date_of_birth = '2012-03-01' WHERE id = ${leaverSafeguarding}`,
    );
    const incident = randomUUID();
    await db().execute(sql`
      INSERT INTO incidents (id, school_id, seq, reference, reported_at, reporter_kind, reporter_id,
        what_happened, reporter_concern, indecent_image)
      VALUES (${incident}, ${A.school.id}, 1, 'INC-0001', '2019-01-10T10:00:00Z', 'staff',
        ${A.staff.office.id}, 'A concern', true, false)`);
    await db().execute(sql`
      INSERT INTO incident_people (school_id, incident_id, person_kind, pupil_id, part, added_at)
      VALUES (${A.school.id}, ${incident}, 'pupil', ${leaverSafeguarding}, 'victim', '2019-01-10T10:00:00Z')`);
    await db().execute(sql`
      INSERT INTO incident_cases (incident_id, school_id, reference, reported_at, reporter_kind,
        reporter_id, status, safeguarding, indecent_image, assigned_staff_ids, deputy_staff_ids,
        entry_count, updated_at, closed_at)
      VALUES (${incident}, ${A.school.id}, 'INC-0001', '2019-01-10T10:00:00Z', 'staff',
        ${A.staff.office.id}, 'closed', true, false, '{}', '{}', 0, '2019-02-01T10:00:00Z',
        '2019-02-01T10:00:00Z')`);

    const [account] = await rows<{ id: string }>(sql`
      INSERT INTO channel_accounts (school_id, kind, name, purpose_key)
      VALUES (${A.school.id}, 'website', 'School website', 'school_website') RETURNING id`);
    ids.account = account!.id;
    const [post] = await rows<{ id: string }>(sql`
      INSERT INTO posts (school_id, author_id, title, body, status)
      VALUES (${A.school.id}, ${A.staff.teacher.id}, 'Sports day', 'Well done', 'published')
      RETURNING id`);
    ids.post = post!.id;
    ids.oldRemoved = await publication({
      state: 'removed',
      createdAt: '2018-06-01T10:00:00Z',
      removedAt: '2019-01-01T10:00:00Z',
      files: 2,
      pupils: [current],
    });
    await db().execute(sql`
      INSERT INTO takedown_tasks (school_id, publication_id, pupil_id, source_event_id, reason,
        automatic, due_at, state, done_at, outcome)
      VALUES (${A.school.id}, ${ids.oldRemoved}, ${current}, 1, 'Consent withdrawn', true,
        '2019-01-02T10:00:00Z', 'done', '2019-01-01T10:00:00Z', 'removed')`);
    await db().execute(sql`
      INSERT INTO webhook_deliveries (school_id, account_id, publication_id, event, webhook_id,
        status_code, attempt, at)
      VALUES (${A.school.id}, ${ids.account}, ${ids.oldRemoved}, 'publication.removed', 'msg_1',
        200, 1, '2019-01-01T10:00:00Z')`);
    ids.oldFailed = await publication({
      state: 'failed',
      createdAt: '2018-01-01T10:00:00Z',
      removedAt: null,
      files: 0,
      pupils: [],
    });
    ids.oldLive = await publication({
      state: 'live',
      createdAt: '2018-06-01T10:00:00Z',
      removedAt: null,
      files: 1,
      pupils: [leaverShown],
    });
    ids.recentRemoved = await publication({
      state: 'removed',
      createdAt: '2023-06-01T10:00:00Z',
      removedAt: '2024-01-01T10:00:00Z',
      files: 1,
      pupils: [current],
    });
  }, 120_000);
  afterAll(async () => ctx?.close());

  it('deletes due publications with their files and people nobody still names; keeps the rest with why', async () => {
    const [report] = await ctx.services.retention.sweep(A.school.id);
    expect(report!.counts).toMatchObject({
      publications: 2,
      publicationFiles: 2,
      pupils: 1,
      parents: 1,
    });
    // Publications: the ended ones are gone whole, with the files that went out.
    for (const id of [ids.oldRemoved!, ids.oldFailed!]) {
      expect(await count(sql`SELECT count(*) AS n FROM publications WHERE id = ${id}`)).toBe(0);
      for (const t of ['publication_items', 'publication_pupils', 'takedown_tasks'])
        expect(
          await count(sql`SELECT count(*) AS n FROM ${sql.raw(t)} WHERE publication_id = ${id}`),
          t,
        ).toBe(0);
    }
    expect(
      await count(
        sql`SELECT count(*) AS n FROM webhook_deliveries WHERE publication_id = ${ids.oldRemoved}`,
      ),
    ).toBe(0);
    for (const key of files[ids.oldRemoved!]!)
      expect(await ctx.services.files.exists(key), key).toBe(false);
    // Kept: still live (however old), and ended too recently; their files stay.
    for (const id of [ids.oldLive!, ids.recentRemoved!]) {
      expect(await count(sql`SELECT count(*) AS n FROM publications WHERE id = ${id}`)).toBe(1);
      for (const key of files[id]!) expect(await ctx.services.files.exists(key), key).toBe(true);
    }

    // People: the leaver nobody names goes, with their link and their parent left with no child.
    expect(await count(sql`SELECT count(*) AS n FROM pupils WHERE id = ${ids.leaverFree}`)).toBe(0);
    expect(await count(sql`SELECT count(*) AS n FROM parents WHERE id = ${ids.freeParent}`)).toBe(
      0,
    );
    // Kept: named in a kept safeguarding case; shown in a live publication (and so their parent,
    // still linked); left too recently; on the roll.
    for (const id of [ids.leaverSafeguarding!, ids.leaverShown!, ids.recentLeaver!, ids.current!])
      expect(await count(sql`SELECT count(*) AS n FROM pupils WHERE id = ${id}`), id).toBe(1);
    expect(await count(sql`SELECT count(*) AS n FROM parents WHERE id = ${ids.shownParent}`)).toBe(
      1,
    );
    expect(report!.kept).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Publications still published', count: 1 }),
        expect.objectContaining({ type: 'Safeguarding incidents', count: 1 }),
        {
          type: 'Pupils who left',
          count: 1,
          reason: expect.stringMatching(/^Named in an incident that is kept: a safeguarding/),
        },
        {
          type: 'Pupils who left',
          count: 1,
          reason: expect.stringMatching(/^Shown in a publication that is kept/),
        },
      ]),
    );

    // Recorded with the ids and what was kept, and audited.
    const [run] = await rows<{
      items: Record<string, string[]>;
      kept: { type: string; count: number; reason: string }[];
    }>(sql`SELECT items, kept FROM retention_runs WHERE id = ${report!.runId}`);
    expect(run!.items.publications!.sort()).toEqual([ids.oldRemoved, ids.oldFailed].sort());
    expect(run!.items.pupils).toEqual([ids.leaverFree]);
    expect(run!.items.parents).toEqual([ids.freeParent]);
    expect(run!.kept).toEqual(report!.kept);
    const [audited] = await rows<{ data: { counts: Record<string, number> } }>(sql`
      SELECT data FROM audit_events WHERE school_id = ${A.school.id} AND action = 'retention.swept'`);
    expect(audited!.data.counts).toMatchObject({ publications: 2, pupils: 1, parents: 1 });

    // A second run deletes nothing more and keeps the same.
    const [again] = await ctx.services.retention.sweep(A.school.id);
    expect(Object.entries(again!.counts).filter(([, n]) => n > 0)).toEqual([]);
    expect(again!.kept).toEqual(report!.kept);
  });

  it('the retention page lists the new rules and what the run kept', async () => {
    const schedule = await ctx.services.retention.schedule({
      kind: 'staff',
      id: A.staff.dpo.id,
      schoolId: A.school.id,
      roles: ['dpo'],
      name: 'DPO',
    });
    expect(schedule.retention.publicationsYearsAfterEnding.value).toBe(6);
    expect(schedule.retention.pupilRecordsYearsAfterLeaving.value).toBe(6);
    expect(schedule.retention.safeguardingUntilAge.citation.note).toMatch(/IRMS/);
  });
});
