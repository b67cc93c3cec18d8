import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { addParent, createSchool, type SchoolFixture } from '../support/factories.ts';
import {
  createPlatform,
  createServices,
  type Platform,
  type Services,
} from '../../src/container.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import type { ConsentAnswer } from '../../src/modules/consent/register/consent-rules.ts';
import type {
  MayInput,
  RecordConsentInput,
} from '../../src/modules/consent/register/consent.service.ts';

/**
 * The consent check's in-process cache (ADR 0009) against PostgreSQL. Two sets of services on one
 * database stand for two Lanyard processes: whatever one of them (or raw SQL) changes, the other's
 * very next check sees, because every input of the check raises the school's register version in
 * the same transaction (triggers), and a cached answer is used only while that number is unchanged.
 */
describe('consent register cache (real PostgreSQL)', () => {
  let ctx: TestContext;
  let other: { platform: Platform; services: Services };
  let A: SchoolFixture;
  let B: SchoolFixture;
  const clock = fixedClock('2026-10-01T09:00:00Z');
  const IMAGE = 'school_social_media/image';
  const VIDEO = 'school_social_media/video';
  let office: { kind: 'staff'; id: string };

  const pool = () => ctx.services.database.pool;
  const version = async (schoolId: string) =>
    Number(
      (
        await pool().query<{ v: string }>(
          'SELECT COALESCE((SELECT version FROM consent_register_versions WHERE school_id = $1), 0) AS v',
          [schoolId],
        )
      ).rows[0]!.v,
    );
  const form = (pupilId: string, parentId: string, decisions: Record<string, string>) =>
    ({
      schoolId: A.school.id,
      pupilId,
      decider: { kind: 'parent', parentId },
      decisions,
      method: 'paper_form',
      kind: 'form',
      decidedOn: '2026-09-28',
    }) satisfies RecordConsentInput;
  const prParentOf = async (pupilId: string) =>
    (
      await pool().query<{ parent_id: string }>(
        `SELECT parent_id FROM pupil_parents WHERE pupil_id = $1 AND parental_responsibility
         ORDER BY parent_id LIMIT 1`,
        [pupilId],
      )
    ).rows[0]!.parent_id;
  /** The check as the other process answers it. */
  const mayThere = (pupilId: string, over: Partial<MayInput> = {}) =>
    other.services.consent.may({
      schoolId: A.school.id,
      pupilId,
      purpose: 'school_social_media',
      mediaType: 'image',
      ...over,
    });
  const cacheOf = (services: Services) =>
    (services.consent as unknown as { deps: { cache: { stats: { hits: number } } } }).deps.cache;

  beforeAll(async () => {
    ctx = await createTestServices({ clock });
    [A, B] = await Promise.all([
      createSchool(ctx.services, { slug: 'cache-a', pupils: 14 }),
      createSchool(ctx.services, { slug: 'cache-b', pupils: 4 }),
    ]);
    office = { kind: 'staff', id: A.staff.office.id };
    const platform = await createPlatform(ctx.config, {
      supervise: false,
      mailSink: ctx.sink,
      clock,
    });
    other = { platform, services: createServices(platform) };
  });
  afterAll(async () => {
    await other?.platform.close();
    await ctx?.close();
  });

  it('answers a repeated check from memory after one tiny statement', async () => {
    const pupilId = A.pupils[0]!.id;
    await ctx.services.consent.record(
      form(pupilId, await prParentOf(pupilId), { [IMAGE]: 'granted' }),
      office,
    );
    expect((await mayThere(pupilId)).allowed).toBe(true);
    const hits = cacheOf(other.services).stats.hits;
    expect((await mayThere(pupilId)).allowed).toBe(true);
    expect(cacheOf(other.services).stats.hits).toBe(hits + 1);
  });

  it('sees a withdrawal made by another process at once', async () => {
    clock.set('2026-10-02T09:00:00Z');
    const pupilId = A.pupils[1]!.id;
    const parentId = await prParentOf(pupilId);
    await ctx.services.consent.record(form(pupilId, parentId, { [IMAGE]: 'granted' }), office);
    expect((await mayThere(pupilId)).allowed).toBe(true);
    expect((await mayThere(pupilId)).allowed).toBe(true); // now held in memory
    clock.set('2026-10-02T09:01:00Z');
    const before = await version(A.school.id);
    await ctx.services.consent.record(
      { ...form(pupilId, parentId, { [IMAGE]: 'refused' }), kind: 'withdrawal' },
      office,
    );
    expect(await version(A.school.id)).toBe(before + 1);
    const answer = await mayThere(pupilId);
    expect(answer).toMatchObject({ allowed: false, outcome: 'refused' });
  });

  it('sees parental responsibility, names, competence and pupils change underneath it (raw SQL too)', async () => {
    clock.set('2026-10-03T09:00:00Z');
    const pupilId = A.pupils[2]!.id;
    const parentId = await prParentOf(pupilId);
    await ctx.services.consent.record(form(pupilId, parentId, { [IMAGE]: 'granted' }), office);
    const first = await mayThere(pupilId);
    expect(first.allowed).toBe(true);

    // A parent's name is in the explanation.
    let v = await version(A.school.id);
    await pool().query(`UPDATE parents SET given_name = 'Renamed' WHERE id = $1`, [parentId]);
    expect(await version(A.school.id)).toBe(v + 1);
    expect((await mayThere(pupilId)).reason).toContain('Renamed');

    // Losing parental responsibility takes the consent with it.
    v = await version(A.school.id);
    await pool().query(
      `UPDATE pupil_parents SET parental_responsibility = false WHERE pupil_id = $1 AND parent_id = $2`,
      [pupilId, parentId],
    );
    expect(await version(A.school.id)).toBe(v + 1);
    expect((await mayThere(pupilId)).allowed).toBe(false);
    await pool().query(
      `UPDATE pupil_parents SET parental_responsibility = true WHERE pupil_id = $1 AND parent_id = $2`,
      [pupilId, parentId],
    );
    expect((await mayThere(pupilId)).allowed).toBe(true);

    // A competent pupil's own refusal overrides the parent's consent (003 §4.3).
    await ctx.services.consent.assessCompetence(
      { schoolId: A.school.id, pupilId, competent: true, assessedOn: '2026-10-03' },
      { staffId: A.staff.dpo.id },
    );
    clock.set('2026-10-03T09:05:00Z');
    await ctx.services.consent.record(
      {
        ...form(pupilId, parentId, { [IMAGE]: 'refused' }),
        decider: { kind: 'pupil' },
        decidedOn: '2026-10-03',
      },
      { kind: 'pupil', id: pupilId },
    );
    expect(await mayThere(pupilId)).toMatchObject({
      allowed: false,
      rule: 'consent.competentPupilMayConsent',
    });

    // A link removed, then added back.
    v = await version(A.school.id);
    const link = await pool().query(
      `DELETE FROM pupil_parents WHERE pupil_id = $1 AND parent_id = $2 RETURNING *`,
      [pupilId, parentId],
    );
    expect(await version(A.school.id)).toBe(v + 1);
    const row = link.rows[0] as Record<string, unknown>;
    await pool().query(
      `INSERT INTO pupil_parents (school_id, pupil_id, parent_id, relationship, parental_responsibility)
       VALUES ($1, $2, $3, $4, true)`,
      [row.school_id, row.pupil_id, row.parent_id, row.relationship],
    );
    expect(await version(A.school.id)).toBe(v + 2);
    // Another school's changes leave this school's number alone.
    const vB = await version(B.school.id);
    v = await version(A.school.id);
    await pool().query(`UPDATE parents SET family_name = 'Else' WHERE id = $1`, [B.parent.id]);
    expect(await version(B.school.id)).toBe(vB + 1);
    expect(await version(A.school.id)).toBe(v);
  });

  it('applies a policy change made by another process at once', async () => {
    clock.set('2026-10-04T09:00:00Z');
    const pupilId = A.pupils[3]!.id;
    const mum = await prParentOf(pupilId);
    const dad = await addParent(ctx.services, {
      schoolId: A.school.id,
      pupilId,
      givenName: 'Dara',
      familyName: 'Cache-Test',
      relationship: 'Father',
    });
    await ctx.services.consent.record(form(pupilId, dad, { [IMAGE]: 'refused' }), office);
    clock.set('2026-10-04T09:01:00Z');
    await ctx.services.consent.record(form(pupilId, mum, { [IMAGE]: 'granted' }), office);
    // The parents disagree: refusal wins (the template's rule).
    expect((await mayThere(pupilId)).allowed).toBe(false);
    expect((await mayThere(pupilId)).allowed).toBe(false);
    const head = { kind: 'staff' as const, id: A.staff.headteacher.id };
    const current = await ctx.services.policies.current(A.school.id);
    await ctx.services.policies.updateSettings(A.school.id, head, {
      answers: { 'consent.refusalWinsWhenParentsDisagree': 'no' },
      note: 'Governors: follow the latest decision',
      expectedVersion: current.version,
    });
    // Mum's consent is the latest decision.
    expect((await mayThere(pupilId)).allowed).toBe(true);
    await ctx.services.policies.updateSettings(A.school.id, head, {
      answers: { 'consent.refusalWinsWhenParentsDisagree': 'yes' },
      note: 'Back to the safer rule',
      expectedVersion: current.version + 1,
    });
    expect((await mayThere(pupilId)).allowed).toBe(false);
  });

  it('bumps once per transaction however many rows change, and not at all when it rolls back', async () => {
    const v = await version(A.school.id);
    const client = await pool().connect();
    try {
      await client.query('BEGIN');
      const renamed = await client.query(
        `UPDATE parents SET family_name = family_name || '-Smith' WHERE school_id = $1`,
        [A.school.id],
      );
      expect(renamed.rowCount).toBeGreaterThan(10);
      await client.query(
        `UPDATE pupil_parents SET relationship = relationship WHERE school_id = $1`,
        [A.school.id],
      );
      await client.query('COMMIT');
      expect(await version(A.school.id)).toBe(v + 1);

      await client.query('BEGIN');
      await client.query(`UPDATE parents SET given_name = 'Rolled back' WHERE school_id = $1`, [
        A.school.id,
      ]);
      await client.query('ROLLBACK');
      expect(await version(A.school.id)).toBe(v + 1);
    } finally {
      client.release();
    }
  });

  it('lets concurrent writers of one school commit without deadlock, each bumping once', async () => {
    clock.set('2026-10-06T09:00:00Z');
    const v = await version(A.school.id);
    const targets = A.pupils.slice(0, 8);
    const parentIds = await Promise.all(targets.map((p) => prParentOf(p.id)));
    await Promise.all(
      targets.map((p, i) =>
        ctx.services.consent.record(form(p.id, parentIds[i]!, { [VIDEO]: 'granted' }), office),
      ),
    );
    expect(await version(A.school.id)).toBe(v + targets.length);
  });

  it('gives exactly the answers of the database path, for today, later and earlier moments', async () => {
    clock.set('2026-10-07T09:00:00Z');
    const direct = await createPlatform(
      { ...ctx.config, consentCachePupils: 0 },
      { supervise: false, mailSink: ctx.sink, clock },
    );
    try {
      const uncached = createServices(direct);
      const pupils = A.pupils.map((p) => p.id);
      const moments = [
        undefined,
        new Date('2026-10-07T09:00:00Z'),
        new Date('2026-10-08T00:30:00Z'),
        new Date('2027-03-01T12:00:00Z'),
        new Date('2027-09-02T12:00:00Z'),
        new Date('2026-10-02T09:00:30Z'),
        new Date('2025-10-02T09:00:30Z'),
      ];
      const strip = (xs: ConsentAnswer[]) => JSON.parse(JSON.stringify(xs)) as unknown;
      for (const at of moments) {
        for (const mediaType of ['image', 'video'] as const) {
          for (const named of [false, true]) {
            const checks = pupils.map((pupilId) => ({
              pupilId,
              purpose: 'school_social_media',
              mediaType,
              named,
              ...(at ? { at } : {}),
            }));
            const cached = await other.services.consent.mayMany(A.school.id, checks);
            const again = await other.services.consent.mayMany(A.school.id, checks);
            const fresh = await uncached.consent.mayMany(A.school.id, checks);
            expect(strip(cached)).toEqual(strip(fresh));
            expect(strip(again)).toEqual(strip(fresh));
          }
        }
      }
    } finally {
      await direct.close();
    }
  });

  it('still refuses another school’s pupil as missing', async () => {
    await expect(mayThere(B.pupils[0]!.id)).rejects.toMatchObject({ status: 404 });
    await expect(
      other.services.consent.mayMany(A.school.id, [
        { pupilId: A.pupils[0]!.id, purpose: 'school_social_media', mediaType: 'image' },
        { pupilId: B.pupils[0]!.id, purpose: 'school_social_media', mediaType: 'image' },
      ]),
    ).rejects.toMatchObject({ status: 404 });
  });
});
