/**
 * Issue 14's loose ends on real PostgreSQL and the real file store: significant incidents (the
 * profile's incidents.significantTypes and every safeguarding concern; a `significant` entry
 * once per case; the whole staff's training due again where training.refreshAfterIncidentOrChange
 * is on; `significantSince` for the policy's early review), chronologies in the order written
 * when entries share an instant (the clock is fixed here), the summary's `occurredOn`, and the
 * sweep of encrypted evidence files whose transaction failed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/platform/clock.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import type { Principal, StaffRole } from '../../src/modules/auth/principal.ts';
import type { ReportInput } from '../../src/modules/incidents/incidents.forms.ts';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

const input = (over: Partial<ReportInput> = {}): ReportInput => ({
  whatHappened: 'Messages in a group chat',
  reporterConcern: 'no',
  pupils: [],
  staff: [],
  named: [],
  pupilPart: undefined,
  staffPart: undefined,
  ...over,
});

describe('incidents: significance, order, summary, orphaned evidence', () => {
  let ctx: TestContext;
  let fx: SchoolFixture; // Sacred Heart (003): refresh after incidents on, Lanyard's significant types
  let cc: SchoolFixture; // Christ Church (002): every type significant (§9)
  const clock = fixedClock('2026-11-02T10:00:00Z');
  const as = (f: SchoolFixture, role: StaffRole): Principal & { kind: 'staff' } => ({
    kind: 'staff',
    id: f.staff[role].id,
    schoolId: f.school.id,
    roles: [role],
    name: role,
  });
  const q = async (sql: string, params: unknown[] = []) =>
    (await ctx.services.database.pool.query(sql, params)).rows;
  const kinds = async (id: string) =>
    (await q('SELECT kind FROM incident_entries WHERE incident_id = $1 ORDER BY seq', [id])).map(
      (r) => r.kind as string,
    );
  const dueAgain = async (schoolId: string, incidentId: string) =>
    (
      await q(
        "SELECT staff_id FROM training_due_again WHERE school_id = $1 AND reason = 'incident' AND reference = $2 ORDER BY staff_id",
        [schoolId, incidentId],
      )
    ).map((r) => r.staff_id as string);
  const classify = (f: SchoolFixture, id: string, incidentType: string, safeguarding = 'no') =>
    ctx.services.incidentCases.classify(as(f, 'headteacher'), id, {
      incidentType,
      category: 'conduct',
      risk: 'aggressive',
      safeguarding,
    } as Parameters<typeof ctx.services.incidentCases.classify>[2]);

  beforeAll(async () => {
    ctx = await createTestServices({ clock });
    [fx, cc] = await Promise.all([
      createSchool(ctx.services, { pupils: 2 }),
      createSchool(ctx.services, { pupils: 2, template: 'christ-church-hampstead' }),
    ]);
  });
  afterAll(async () => ctx?.close());

  it('a type the profile lists makes a case significant once: an entry with the reason, the whole staff due again', async () => {
    const roster = (
      await ctx.services.peopleDirectory.staffRoster(ctx.services.database.db, fx.school.id)
    )
      .map((s) => s.id)
      .sort();
    expect(roster.length).toBeGreaterThan(3);
    // Cyberbullying between pupils is not on Lanyard's list (Sacred Heart keeps the default).
    const plain = await ctx.services.incidents.reportConcern(as(fx, 'teacher'), input());
    await classify(fx, plain.id, 'pupil_on_pupil');
    expect(await kinds(plain.id)).toEqual(['report', 'classification']);
    expect(await dueAgain(fx.school.id, plain.id)).toEqual([]);

    const breach = await ctx.services.incidents.reportConcern(as(fx, 'teacher'), input());
    await classify(fx, breach.id, 'staff_breach');
    expect(await kinds(breach.id)).toEqual(['report', 'classification', 'significant']);
    const [entry] = await q(
      "SELECT data FROM incident_entries WHERE incident_id = $1 AND kind = 'significant'",
      [breach.id],
    );
    expect(entry!.data).toMatchObject({ reason: 'type', incidentType: 'staff_breach' });
    expect(String(entry!.data.citation)).toMatch(/Lanyard default/);
    expect(await dueAgain(fx.school.id, breach.id)).toEqual(roster);
    // Classified again (even to a type that is not significant): no second mark, no unmarking.
    await classify(fx, breach.id, 'pupil_on_pupil');
    await classify(fx, breach.id, 'staff_breach');
    expect((await kinds(breach.id)).filter((k) => k === 'significant')).toHaveLength(1);
    // The case page says so in words.
    const page = await ctx.services.incidents.caseFor(as(fx, 'headteacher'), breach.id);
    expect(page.entries.map((e) => e.kind)).toContain('significant');
  });

  it('every safeguarding concern is significant from its report, an indecent-image referral included', async () => {
    const before = await ctx.services.incidents.significantSince(
      fx.school.id,
      new Date('2026-11-01T00:00:00Z'),
    );
    const atRisk = await ctx.services.incidents.reportConcern(
      as(fx, 'teacher'),
      input({ reporterConcern: 'yes' }),
    );
    expect(await kinds(atRisk.id)).toEqual(['report', 'significant']);
    const image = await ctx.services.incidents.reportIndecentImage(as(fx, 'teacher'), {
      adultInvolved: 'no',
    } as Parameters<typeof ctx.services.incidents.reportIndecentImage>[1]);
    expect(await kinds(image.id)).toEqual(['report', 'significant', 'referral']);
    expect(await dueAgain(fx.school.id, image.id)).not.toEqual([]);
    const after = await ctx.services.incidents.significantSince(
      fx.school.id,
      new Date('2026-11-01T00:00:00Z'),
    );
    expect(after.count).toBe(before.count + 2);
    expect(after.latest?.toISOString()).toBe('2026-11-02T10:00:00.000Z');
    // Nothing since after the clock's time; nothing of another school.
    expect(
      (await ctx.services.incidents.significantSince(fx.school.id, new Date('2026-11-03'))).count,
    ).toBe(0);
  });

  it('the profile decides: Christ Church (002 §9) counts every type', async () => {
    const r = await ctx.services.incidents.reportConcern(as(cc, 'teacher'), input());
    await classify(cc, r.id, 'pupil_on_pupil');
    expect(await kinds(r.id)).toEqual(['report', 'classification', 'significant']);
    const [entry] = await q(
      "SELECT data FROM incident_entries WHERE incident_id = $1 AND kind = 'significant'",
      [r.id],
    );
    expect(String(entry!.data.citation)).toMatch(/002 §9/);
    const settings = (await ctx.services.policies.current(cc.school.id)).settings;
    const marks = await dueAgain(cc.school.id, r.id);
    // Training due again only where the profile's refresh rule is on.
    if (settings.training.refreshAfterIncidentOrChange.value)
      expect(marks.length).toBeGreaterThan(0);
    else expect(marks).toEqual([]);
  });

  it('entries written in the same instant come back in the order they were written', async () => {
    const head = as(fx, 'headteacher');
    const r = await ctx.services.incidents.reportConcern(as(fx, 'teacher'), input());
    const notes = Array.from({ length: 12 }, (_, i) => `Note ${i + 1}`);
    for (const n of notes) await ctx.services.incidentCases.addNote(head, r.id, n);
    const seen = await ctx.services.incidents.caseFor(head, r.id);
    expect(new Set(seen.entries.map((e) => e.at.toISOString())).size).toBe(1);
    expect(seen.entries.map((e) => (e.data as { text?: string }).text ?? e.kind)).toEqual([
      'report',
      ...notes,
    ]);
    const seqs = seen.entries.map((e) => Number(e.seq));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('the summary carries the date it happened as the reporter gave it', async () => {
    const r = await ctx.services.incidents.reportConcern(
      as(fx, 'teacher'),
      input({ occurredOn: '2026-10-30' }),
    );
    const summary = await ctx.services.incidents.findVisible(as(fx, 'headteacher'), r.id);
    expect(summary).toMatchObject({ id: r.id, occurredOn: '2026-10-30' });
    const none = await ctx.services.incidents.reportConcern(as(fx, 'teacher'), input());
    expect(
      (await ctx.services.incidents.findVisible(as(fx, 'headteacher'), none.id))?.occurredOn,
    ).toBeNull();
  });

  it('sweeps encrypted evidence files whose transaction failed, and never a recorded one', async () => {
    const upload = async () => {
      const t = await ctx.services.files.writeTemp(PNG);
      return {
        tempName: t.name,
        size: t.size,
        sha256: t.sha256,
        filename: 'shot.png',
        mimetype: 'image/png',
        truncated: false,
      };
    };
    const dir = path.join(ctx.dataDir, 'files', fx.school.id, 'evidence');
    const onDisk = () => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []);
    const kept = await ctx.services.incidents.reportConcern(as(fx, 'teacher'), input(), [
      await upload(),
    ]);
    const [row] = await q('SELECT id FROM incident_evidence WHERE incident_id = $1', [kept.id]);
    const before = onDisk();
    expect(before).toContain(row!.id);
    // Files attached inside a transaction that then fails: moved into place, no row.
    await expect(
      ctx.services.database.transaction(async (tx) => {
        await ctx.services.incidentEvidence.attach(tx, {
          schoolId: fx.school.id,
          incidentId: kept.id,
          uploader: { kind: 'staff', id: fx.staff.teacher.id },
          files: [await upload(), await upload()],
          statedAt: null,
          statedPlace: null,
        });
        throw new Error('the report failed after its files');
      }),
    ).rejects.toThrow(/failed after its files/);
    const orphans = onDisk().filter((f) => !before.includes(f));
    expect(orphans).toHaveLength(2);
    expect(
      await q('SELECT 1 FROM incident_evidence WHERE id = ANY($1::uuid[])', [orphans]),
    ).toHaveLength(0);
    // Younger than the cut-off: left alone (its transaction may still be running).
    expect(await ctx.services.incidentEvidence.sweepOrphans(new Date(Date.now() - 3600_000))).toBe(
      0,
    );
    expect(onDisk()).toEqual([...before, ...orphans].sort());
    // Older: gone; the recorded file stays and still opens.
    const removed = await ctx.services.incidentEvidence.sweepOrphans(new Date(Date.now() + 60_000));
    expect(removed).toBe(2);
    expect(onDisk()).toEqual(before);
    const { stream, meta } = await ctx.services.incidentEvidence.open(
      as(fx, 'headteacher'),
      kept.id,
      row!.id,
    );
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(PNG)).toBe(true);
    expect(meta.id).toBe(row!.id);
  });
});
