import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { ConflictError, ValidationError } from '../../src/errors.ts';

describe('policy profiles (real PostgreSQL)', () => {
  let ctx: TestContext;
  let fx: SchoolFixture;
  const clock = fixedClock('2026-11-22T09:00:00Z');

  beforeAll(async () => {
    ctx = await createTestServices({ clock });
    fx = await createSchool(ctx.services, { template: 'sacred-heart-rochdale' });
  });
  afterAll(async () => ctx?.close());

  it('starts from the template as version 1 with a review date one cycle ahead', async () => {
    const current = await ctx.services.policies.current(fx.school.id);
    expect(current.version).toBe(1);
    expect(current.templateKey).toBe('sacred-heart-rochdale');
    expect(current.settings.consent.model.value).toBe('annual');
    expect(current.settings.consent.model.citation.seed).toBe('003');
    expect(current.nextReviewDate).toBe('2027-11-22');
  });

  it('makes every change a new audited version, keeping the old one', async () => {
    const actor = { kind: 'staff' as const, id: fx.staff.headteacher.id };
    const result = await ctx.services.policies.updateSettings(fx.school.id, actor, {
      answers: { 'review.reminderDaysBefore': '45', 'media.retention.deleteAfterYears': '2' },
      note: 'Agreed with governors',
      expectedVersion: 1,
    });
    expect(result.version).toBe(2);
    expect(result.changed.sort()).toEqual([
      'media.retention.deleteAfterYears',
      'review.reminderDaysBefore',
    ]);
    const current = await ctx.services.policies.current(fx.school.id);
    expect(current.settings.review.reminderDaysBefore.value).toBe(45);
    expect(current.settings.media.retention.deleteAfterYears.value).toBe(2);
    expect(current.settings.review.reminderDaysBefore.citation.seed).toBeNull();
    // What it was before, in words (no JSON, no ISO date) with the clause it came from.
    expect(current.settings.review.reminderDaysBefore.citation.note).toMatch(
      /^Changed on \d{1,2} [A-Z][a-z]+ \d{4}; previously “\d+ days” \(/,
    );
    const v1 = await ctx.services.policies.version(fx.school.id, 1);
    expect(v1.settings.review.reminderDaysBefore.value).not.toBe(45);
    const audit = await ctx.services.audit.listForSchool(
      fx.school.id,
      { action: 'policy.profile-updated' },
      1,
    );
    expect(audit.total).toBe(1);
    expect(audit.rows[0]!.data).toMatchObject({ version: 2 });
  });

  it('refuses a stale edit (lost update) and bad values, changing nothing', async () => {
    const actor = { kind: 'staff' as const, id: fx.staff.headteacher.id };
    await expect(
      ctx.services.policies.updateSettings(fx.school.id, actor, {
        answers: { 'review.reminderDaysBefore': '10' },
        note: 'x',
        expectedVersion: 1,
      }),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(
      ctx.services.policies.updateSettings(fx.school.id, actor, {
        answers: { 'review.reminderDaysBefore': 'soon' },
        note: 'x',
        expectedVersion: 2,
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      ctx.services.policies.updateSettings(fx.school.id, actor, {
        answers: { 'review.reminderDaysBefore': '10' },
        note: '  ',
        expectedVersion: 2,
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect((await ctx.services.policies.current(fx.school.id)).version).toBe(2);
  });

  it('emails the Headteacher once when the review approaches, again once overdue', async () => {
    const before = ctx.sink.lastId();
    clock.set('2027-08-01T07:00:00Z');
    expect((await ctx.services.policies.sendReviewReminders(fx.school.id)).sent).toBe(0);
    clock.set('2027-10-15T07:00:00Z'); // within the 45-day window before 2027-11-22
    expect((await ctx.services.policies.sendReviewReminders(fx.school.id)).sent).toBe(1);
    expect((await ctx.services.policies.sendReviewReminders(fx.school.id)).sent).toBe(0); // safe to run twice
    const mail = await ctx.sink.waitFor(fx.staff.headteacher.email, { since: before });
    // The date in words, as people read it (not 2027-11-22).
    expect(mail.subject).toMatch(/due on 22 November 2027/);
    expect(mail.text).toContain('is due on 22 November 2027.');
    expect(mail.text).toContain('http://lanyard.test/policy');
    clock.set('2027-11-30T07:00:00Z');
    expect((await ctx.services.policies.sendReviewReminders(fx.school.id)).sent).toBe(1);
    const overdue = await ctx.sink.waitFor(fx.staff.headteacher.email, { since: mail.id });
    expect(overdue.subject).toMatch(/overdue/);
  });

  it('runs through the job queue handler too', async () => {
    const { jobHandlers } = await import('../../src/container.ts');
    clock.set('2027-11-30T07:00:00Z');
    await jobHandlers(ctx.services)['policy.review-reminder']({ schoolId: fx.school.id }, 'job-1');
    const audit = await ctx.services.audit.listForSchool(
      fx.school.id,
      { action: 'policy.review-reminder-sent' },
      1,
    );
    expect(audit.total).toBe(2);
  });

  it('records the annual review and moves the date on by the cycle', async () => {
    clock.set('2027-12-01T10:00:00Z');
    const next = await ctx.services.policies.markReviewed(
      fx.school.id,
      { kind: 'staff', id: fx.staff.headteacher.id },
      'Reviewed with ICT and DPO',
    );
    expect(next).toBe('2028-12-01');
  });
});
