import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { seedDemoSchool } from '../../src/demo/seed.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import type { StaffPrincipal, StaffRole } from '../../src/modules/auth/principal.ts';
import { unzipEntries } from '../support/unzip.ts';

/**
 * A subject access bundle for a pupil of the demo school (issue 16 item 5): the index lists
 * every kind of record held about them with the same counts as the tables, the files are in the
 * ZIP byte for byte (evidence decrypted and checked), and other pupils and parents are redacted.
 */
describe('subject access bundle (real PostgreSQL, demo school)', () => {
  let ctx: TestContext;
  const clock = fixedClock('2026-12-06T18:28:00Z');
  let schoolId: string;
  let pupilId: string;
  let pupilName: string;
  let otherPupilName: string;
  let otherParentName: string;
  let letterRecipient: string;
  let dpo: StaffPrincipal;
  let entries: Map<string, Buffer>;
  let index: string;
  let json: {
    sections: Record<string, { count: number; records: unknown[] }>;
    files: string[];
  };

  const rows = async <T extends Record<string, unknown>>(q: ReturnType<typeof sql>) =>
    (await ctx.services.database.db.execute<T>(q)).rows;
  const count = async (q: ReturnType<typeof sql>) => Number((await rows<{ n: string }>(q))[0]!.n);
  const staff = async (role: StaffRole): Promise<StaffPrincipal> => {
    const [row] = await rows<{ id: string; name: string }>(sql`
      SELECT s.id, s.given_name || ' ' || s.family_name AS name FROM staff s
      JOIN staff_roles r ON r.staff_id = s.id
      WHERE s.school_id = ${schoolId} AND r.role = ${role} LIMIT 1`);
    return { kind: 'staff', id: row!.id, schoolId, roles: [role], name: row!.name };
  };

  beforeAll(async () => {
    ctx = await createTestServices({ clock });
    expect(await seedDemoSchool(ctx.services)).toBe(true);
    schoolId = (
      await rows<{ id: string }>(sql`SELECT id FROM schools WHERE slug = 'oakfield-primary'`)
    )[0]!.id;
    // A pupil involved in an incident with another pupil (the pupil-on-pupil case).
    const [pick] = await rows<{ pupil_id: string; other_id: string }>(sql`
      SELECT a.pupil_id, b.pupil_id AS other_id FROM incident_people a
      JOIN incident_people b ON b.incident_id = a.incident_id AND b.pupil_id <> a.pupil_id
      JOIN incidents i ON i.id = a.incident_id AND NOT i.indecent_image
      WHERE a.school_id = ${schoolId} AND a.pupil_id IS NOT NULL
      ORDER BY a.added_at LIMIT 1`);
    expect(pick).toBeDefined();
    pupilId = pick!.pupil_id;
    const names = await rows<{ id: string; name: string }>(sql`
      SELECT id, given_name || ' ' || family_name AS name FROM pupils
      WHERE id IN (${pupilId}, ${pick!.other_id})`);
    pupilName = names.find((n) => n.id === pupilId)!.name;
    otherPupilName = names.find((n) => n.id === pick!.other_id)!.name;
    dpo = await staff('dpo');
    const teacher = await staff('teacher');

    // Make sure every kind of record exists for this pupil (the demo has most of them).
    const [item] = await rows<{ id: string }>(sql`
      SELECT id FROM media_items WHERE school_id = ${schoolId} AND original_key IS NOT NULL
      ORDER BY uploaded_at LIMIT 1`);
    await ctx.services.database.db.execute(sql`
      INSERT INTO media_pupil_tags (school_id, media_id, pupil_id, created_at)
      VALUES (${schoolId}, ${item!.id}, ${pupilId}, now()) ON CONFLICT DO NOTHING`);
    const [pub] = await rows<{ id: string }>(sql`
      SELECT id FROM publications WHERE school_id = ${schoolId} ORDER BY created_at LIMIT 1`);
    await ctx.services.database.db.execute(sql`
      INSERT INTO publication_pupils (publication_id, pupil_id, school_id)
      VALUES (${pub!.id}, ${pupilId}, ${schoolId}) ON CONFLICT DO NOTHING`);
    await ctx.services.database.db.execute(sql`
      INSERT INTO conduct_declarations (school_id, staff_id, kind, subject_kind, subject_pupil_id,
        action_taken, details, declared_at, status)
      VALUES (${schoolId}, ${teacher.id}, 'friend_request', 'pupil', ${pupilId}, 'declined',
        ${`A friend request from ${pupilName}`}, now(), 'awaiting_review')`);
    await ctx.services.database.db.execute(sql`
      INSERT INTO conduct_permissions (school_id, staff_id, type, reason, pupil_id, status, requested_at)
      VALUES (${schoolId}, ${teacher.id}, 'named_newspaper_photo', 'The cup final', ${pupilId},
        'awaiting_decision', now())`);

    // A letter about the pupil's incident, to another pupil's parent, naming the other pupil
    // (made by the letters service, as the Headteacher would).
    const head = await staff('headteacher');
    const [incident] = await rows<{ id: string }>(sql`
      SELECT a.incident_id AS id FROM incident_people a
      JOIN incident_people b ON b.incident_id = a.incident_id AND b.pupil_id = ${pick!.other_id}
      WHERE a.pupil_id = ${pupilId} LIMIT 1`);
    const [otherParent] = await rows<{ name: string; family: string }>(sql`
      SELECT p.given_name || ' ' || p.family_name AS name, p.family_name AS family FROM parents p
      JOIN pupil_parents l ON l.parent_id = p.id WHERE l.pupil_id = ${pick!.other_id} LIMIT 1`);
    otherParentName = otherParent?.name ?? 'Mrs Q Harrow-Lindqvist';
    letterRecipient = otherParent ? `Mrs ${otherParent.family}` : otherParentName;
    await ctx.services.incidentLetters.generate(head, incident!.id, 'meeting_invitation', {
      recipientName: letterRecipient,
      recipientEmail: undefined,
      ask: `come in to talk about what ${otherPupilName} posted`,
    });

    const logged = await ctx.services.subjectAccess.log(dpo, {
      subject: `pupil:${pupilId}`,
      requesterName: 'A parent',
      requesterRelationship: 'parent',
      receivedOn: '2026-12-01',
      identityChecked: 'yes',
      identityMethod: 'Known parent, email from the address on our records',
    });
    expect(logged.dueOn).toBe('2027-01-01');
    const { stream } = await ctx.services.subjectAccess.produce(dpo, logged.id);
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    entries = unzipEntries(Buffer.concat(chunks));
    index = entries.get('index.html')!.toString('utf8');
    json = JSON.parse(entries.get('data.json')!.toString('utf8'));
  }, 400_000);
  afterAll(async () => ctx?.close());

  it('lists every kind of record held about the pupil, with the counts in the tables', async () => {
    const expected: Record<string, number> = {
      consent: await count(
        sql`SELECT count(*) AS n FROM consent_records WHERE pupil_id = ${pupilId}`,
      ),
      media: await count(sql`
        SELECT count(DISTINCT m.id) AS n FROM media_items m WHERE m.original_key IS NOT NULL AND m.id IN (
          SELECT media_id FROM media_pupil_tags WHERE pupil_id = ${pupilId}
          UNION SELECT media_id FROM media_faces WHERE pupil_id = ${pupilId})`),
      publications: await count(
        sql`SELECT count(*) AS n FROM publication_pupils WHERE pupil_id = ${pupilId}`,
      ),
      incidents: await count(sql`
        SELECT count(DISTINCT i.id) AS n FROM incidents i WHERE i.id IN
          (SELECT incident_id FROM incident_people WHERE pupil_id = ${pupilId})
          OR (i.reporter_kind = 'pupil' AND i.reporter_id = ${pupilId})`),
      declarations: await count(
        sql`SELECT count(*) AS n FROM conduct_declarations WHERE subject_pupil_id = ${pupilId}`,
      ),
      permissions: await count(
        sql`SELECT count(*) AS n FROM conduct_permissions WHERE pupil_id = ${pupilId}`,
      ),
      takedowns: await count(
        sql`SELECT count(*) AS n FROM takedown_tasks WHERE pupil_id = ${pupilId}`,
      ),
      letters: await count(sql`
        SELECT count(*) AS n FROM incident_letters l JOIN incidents i ON i.id = l.incident_id
        WHERE NOT i.indecent_image AND (i.id IN
          (SELECT incident_id FROM incident_people WHERE pupil_id = ${pupilId})
          OR (i.reporter_kind = 'pupil' AND i.reporter_id = ${pupilId}))`),
    };
    for (const [key, n] of Object.entries(expected)) {
      expect(json.sections[key]?.count, key).toBe(n);
    }
    for (const key of [
      'people',
      'consent',
      'media',
      'publications',
      'incidents',
      'declarations',
      'permissions',
      'letters',
      'audit',
    ])
      expect(json.sections[key]!.count, key).toBeGreaterThan(0);
    // The index names each kind with its count, in words.
    for (const title of [
      'Personal details',
      'Consent to photographs and videos',
      'Photos and videos the pupil is tagged in',
      'Publications',
      'Incidents',
      'Staff declarations that name them',
      'Permission requests that name them',
      'Letters about these incidents',
      'Audit log entries',
    ])
      expect(index).toContain(title);
    expect(index).toContain(`Information held about ${pupilName}`);
    expect(index).toMatch(/<html lang="en-GB">/);
  });

  it('holds every file it lists, byte for byte from the stores', async () => {
    expect(json.files.length).toBeGreaterThan(0);
    for (const f of json.files) expect(entries.has(f), f).toBe(true);
    const [m] = await rows<{ id: string; original_key: string; sha256: string }>(sql`
      SELECT id, original_key, sha256 FROM media_items WHERE id IN
        (SELECT media_id FROM media_pupil_tags WHERE pupil_id = ${pupilId}) LIMIT 1`);
    const original = await ctx.services.files.read(m!.original_key);
    const inZip = [...entries.keys()].find((k) => k.startsWith(`media/originals/${m!.id}`))!;
    expect(entries.get(inZip)!.equals(original)).toBe(true);
    // Incident evidence is decrypted: its SHA-256 is the one recorded at upload.
    const evidence = await rows<{ id: string; sha256: string }>(sql`
      SELECT e.id, e.sha256 FROM incident_evidence e JOIN incident_people p ON p.incident_id = e.incident_id
      WHERE p.pupil_id = ${pupilId}`);
    for (const e of evidence) {
      const key = [...entries.keys()].find((k) => k.includes(`/evidence-to-review/${e.id}`))!;
      expect(createHash('sha256').update(entries.get(key)!).digest('hex')).toBe(e.sha256);
    }
  });

  it('holds each incident letter’s words, to “another person”, naming no one else', async () => {
    const letters = [...entries.keys()].filter((k) =>
      /^incidents\/[^/]+\/letters\/.+\.html$/.test(k),
    );
    expect(letters.length).toBe(json.sections.letters!.count);
    const made = letters
      .map((k) => entries.get(k)!.toString('utf8'))
      .find((h) => h.includes('come in to talk about what another pupil posted'));
    expect(made).toBeDefined();
    expect(made).toContain('to another person');
    expect(made).not.toContain(otherPupilName);
    expect(made).not.toContain(otherParentName);
    expect(made).not.toContain(letterRecipient);
    expect(index).toContain('Letters about these incidents');
  });

  it('redacts other pupils and parents; keeps staff with their role', async () => {
    const all = [...entries.entries()]
      .filter(([k]) => k.endsWith('.html') || k.endsWith('.json'))
      .map(([, v]) => v.toString('utf8'))
      .join('\n');
    expect(all).not.toContain(otherPupilName);
    expect(all).toContain('another pupil');
    const [dsl] = await rows<{ name: string }>(sql`
      SELECT s.given_name || ' ' || s.family_name AS name FROM incident_entries e
      JOIN staff s ON s.id = e.actor_staff_id
      JOIN incident_people p ON p.incident_id = e.incident_id WHERE p.pupil_id = ${pupilId} LIMIT 1`);
    if (dsl) expect(all).toContain(dsl.name);
    // No other pupil of the school is named anywhere in the bundle.
    const others = await rows<{ name: string }>(sql`
      SELECT given_name || ' ' || family_name AS name FROM pupils
      WHERE school_id = ${schoolId} AND id <> ${pupilId}`);
    for (const o of others) expect(all.includes(o.name), o.name).toBe(false);
  });

  it('records the production and audits it', async () => {
    const [r] = await rows<{
      id: string;
      times_produced: number;
      last_produced_counts: Record<string, number>;
    }>(sql`
      SELECT id, times_produced, last_produced_counts FROM subject_access_requests
      WHERE pupil_id = ${pupilId} AND requester_name = 'A parent'`);
    expect(r!.times_produced).toBe(1);
    expect(r!.last_produced_counts.incidents).toBe(json.sections.incidents!.count);
    const audited = await rows<{ action: string }>(sql`
      SELECT action FROM audit_events WHERE school_id = ${schoolId} AND entity_id = ${r!.id}
      ORDER BY seq`);
    expect(audited.map((a) => a.action)).toEqual([
      'subject-access.logged',
      'subject-access.bundle-produced',
    ]);
  });

  it('the demo has one open request from a parent, due in three weeks, on the DPO’s home page', async () => {
    const open = await rows<{ requester_relationship: string; due_on: string }>(sql`
      SELECT requester_relationship, due_on::text FROM subject_access_requests
      WHERE school_id = ${schoolId} AND requester_name <> 'A parent' AND status = 'open'`);
    expect(open).toHaveLength(1);
    expect(open[0]!.requester_relationship).toBe('parent');
    expect(open[0]!.due_on).toBe('2026-12-27');
    const items = await ctx.services.subjectAccess.attention(dpo);
    expect(items.some((i) => /Due 27 December 2026 \(21 days left\)/.test(i.detail))).toBe(true);
  });
});
