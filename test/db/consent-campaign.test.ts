import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/platform/clock.ts';
import { jobHandlers } from '../../src/container.ts';
import { ConsentCampaignService } from '../../src/modules/consent/campaigns/consent-campaign.service.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';

describe('consent rollover and renewal campaign', () => {
  // The 2026-27 school year (from 1 September, 003 §4.1); the 2027-28 campaign opens 14 days before.
  const clock = fixedClock('2027-08-01T06:10:00Z');
  let ctx: TestContext;
  let fx: SchoolFixture;
  /** Parents with parental responsibility and an email, per pupil. */
  let parentsOf: Map<string, { id: string; email: string }[]>;
  let expectedParents: Set<string>;

  const q = async <T>(sql: string, params: unknown[] = []) =>
    (await ctx.services.database.pool.query(sql, params)).rows as T[];
  const mailsSince = (since: number) => ctx.sink.messages.filter((m) => m.id > since);
  const lastMailId = () => ctx.sink.messages.at(-1)?.id ?? 0;
  /** Mail goes out asynchronously after SMTP accepts it: wait until `n` have arrived. */
  const waitForMails = async (since: number, n: number) => {
    const deadline = Date.now() + 5000;
    while (mailsSince(since).length < n && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    return mailsSince(since);
  };
  const imageConsent = (pupilId: string) =>
    ctx.services.consent.may({
      schoolId: fx.school.id,
      pupilId,
      purpose: 'school_social_media',
      mediaType: 'image',
    });

  beforeAll(async () => {
    ctx = await createTestServices({ clock });
    fx = await createSchool(ctx.services, { slug: 'rollover', pupils: 10 });
    // Another school on the admission model: the rollover never touches it.
    await createSchool(ctx.services, {
      slug: 'rollover-admission',
      pupils: 3,
      template: 'john-clifford-primary',
    });
    parentsOf = new Map();
    expectedParents = new Set();
    for (const p of fx.pupils) {
      const reg = await ctx.services.consent.pupilRegister(fx.school.id, p.id);
      const list = reg.parents
        .filter((x) => x.parentalResponsibility && x.email)
        .map((x) => ({ id: x.id, email: x.email! }));
      parentsOf.set(p.id, list);
      for (const x of list) expectedParents.add(x.id);
    }
    // A form for this year (2026-27), from the first pupil's parent.
    await ctx.services.consent.record(
      {
        schoolId: fx.school.id,
        pupilId: fx.pupils[0]!.id,
        decider: { kind: 'parent', parentId: parentsOf.get(fx.pupils[0]!.id)![0]!.id },
        decisions: { 'school_social_media/image': 'granted' },
        method: 'paper_form',
        kind: 'form',
        decidedOn: '2026-09-10',
      },
      { kind: 'staff', id: fx.staff.office.id },
    );
  });

  afterAll(async () => {
    await ctx?.close();
  });

  it('opens exactly one campaign, 14 days before the year starts, and sends each parent one form', async () => {
    const settings = await ctx.services.consent.settings(fx.school.id);
    expect(ConsentCampaignService.campaignPeriodFor(settings, '2027-08-17')).toBeNull();
    expect(ConsentCampaignService.campaignPeriodFor(settings, '2027-08-18')?.key).toBe('2027-28');
    expect(ConsentCampaignService.campaignPeriodFor(settings, '2027-09-30')?.key).toBe('2027-28');
    expect(ConsentCampaignService.campaignPeriodFor(settings, '2027-10-01')).toBeNull();

    clock.set('2027-08-17T06:10:00Z');
    const early = await ctx.services.consentCampaigns.rollover();
    expect(early.campaignsStarted).toBe(0);
    expect(await q('SELECT * FROM consent_campaigns')).toHaveLength(0);

    clock.set('2027-08-18T06:10:00Z');
    const since = lastMailId();
    const run = await ctx.services.consentCampaigns.rollover();
    expect(run.campaignsStarted).toBe(1);
    expect(run.invitations.sent).toBe(expectedParents.size);
    const campaigns = await q<{ period_key: string; school_id: string }>(
      'SELECT period_key, school_id FROM consent_campaigns',
    );
    expect(campaigns).toEqual([{ period_key: '2027-28', school_id: fx.school.id }]);
    const mails = await waitForMails(since, expectedParents.size);
    const to = mails.flatMap((m) => m.to);
    expect(new Set(to).size).toBe(to.length); // one email per parent
    const firstParent = parentsOf.get(fx.pupils[0]!.id)![0]!;
    const mail = mails.find((m) => m.to.includes(firstParent.email))!;
    expect(mail.text).toMatch(/http:\/\/lanyard\.test\/sign-in\/link\//);
    expect(mail.text).toMatch(/2027 to 2028 school year/);
    const requests = await q<{ n: number }>(
      'SELECT count(*)::int AS n FROM consent_requests WHERE first_sent_at IS NOT NULL',
    );
    expect(requests[0]!.n).toBe(expectedParents.size);
    const audit = await ctx.services.audit.listForSchool(
      fx.school.id,
      { action: 'consent.campaign-started' },
      1,
    );
    expect(audit.total).toBe(1);
    expect(audit.rows[0]!.data).toMatchObject({ periodKey: '2027-28', pupilsOnRoll: 10 });
  });

  it('sends nothing new when it runs again (through the job handler too)', async () => {
    const since = lastMailId();
    const again = await ctx.services.consentCampaigns.rollover();
    expect(again).toMatchObject({ campaignsStarted: 0, invitations: { sent: 0 } });
    clock.set('2027-08-19T06:10:00Z');
    await jobHandlers(ctx.services)['consent.rollover']({}, 'job-1');
    await new Promise((r) => setTimeout(r, 300));
    expect(mailsSince(since)).toHaveLength(0);
    expect(await q('SELECT * FROM consent_campaigns')).toHaveLength(1);
  });

  it('reminds only parents still waited on, after the configured days', async () => {
    // Pupil 1's family returns the form for 2027-28.
    const returner = fx.pupils[1]!;
    for (const parent of parentsOf.get(returner.id)!.slice(0, 1)) {
      await ctx.services.consent.record(
        {
          schoolId: fx.school.id,
          pupilId: returner.id,
          periodKey: '2027-28',
          decider: { kind: 'parent', parentId: parent.id },
          decisions: {
            'school_social_media/image': 'refused',
            'school_social_media/video': 'refused',
          },
          method: 'online_form',
          kind: 'form',
          decidedOn: '2027-08-19',
        },
        { kind: 'parent', id: parent.id },
      );
    }
    const settings = await ctx.services.consent.settings(fx.school.id);
    const days = settings.consent.renewalReminderDays.value;
    clock.set(new Date(Date.parse('2027-08-18T06:10:00Z') + (days * 86_400_000) / 2));
    const tooSoon = await ctx.services.consentCampaigns.sendReminders();
    expect(tooSoon.reminded.sent).toBe(0);

    clock.set(new Date(Date.parse('2027-08-18T06:10:00Z') + days * 86_400_000));
    const since = lastMailId();
    const done = await jobHandlers(ctx.services)['consent.renewal-reminders']({}, 'job-2');
    expect(done).toBeUndefined();
    // Parents whose only children have returned are complete; everyone else is reminded.
    const waitedOn = new Set<string>();
    for (const p of fx.pupils) {
      if (p.id === returner.id) continue;
      for (const x of parentsOf.get(p.id)!) waitedOn.add(x.id);
    }
    const mails = await waitForMails(since, waitedOn.size);
    expect(mails).toHaveLength(waitedOn.size);
    expect(mails[0]!.text).toMatch(/reminder/);
    const returnerOnly = parentsOf.get(returner.id)!.filter((x) => !waitedOn.has(x.id));
    for (const x of returnerOnly) {
      expect(mails.some((m) => m.to.includes(x.email))).toBe(false);
    }
    const completed = await q<{ parent_id: string }>(
      'SELECT parent_id FROM consent_requests WHERE completed_at IS NOT NULL',
    );
    expect(completed.map((r) => r.parent_id).sort()).toEqual(returnerOnly.map((x) => x.id).sort());
    // Straight away again: nobody is due.
    const again = await ctx.services.consentCampaigns.sendReminders();
    expect(again.reminded.sent).toBe(0);
  });

  it('lists the non-returners by class with their parents and reminders', async () => {
    const [progress] = await ctx.services.consentCampaigns.list(fx.school.id);
    expect(progress).toMatchObject({ onRoll: 10, returned: 1 });
    const chaser = await ctx.services.consentCampaigns.chaser(fx.school.id, progress!.campaign.id);
    expect(chaser.missing).toBe(9);
    const pupils = chaser.classes.flatMap((c) => c.pupils);
    expect(pupils.map((p) => p.pupilId)).not.toContain(fx.pupils[1]!.id);
    const first = pupils.find((p) => p.pupilId === fx.pupils[0]!.id)!;
    const parent = first.parents.find((x) => x.id === parentsOf.get(fx.pupils[0]!.id)![0]!.id)!;
    expect(parent.email).toBe(parentsOf.get(fx.pupils[0]!.id)![0]!.email);
    expect(parent.remindersSent).toBe(1);
    expect(parent.firstSentAt).toBeTruthy();
    for (const c of chaser.classes)
      expect(c.pupils.every((p) => (p.className ?? 'No class') === c.name)).toBe(true);
  });

  it('lets consent expire with the year: may() is false from 1 September, and the job records it once', async () => {
    clock.set('2027-08-31T12:00:00Z');
    expect((await imageConsent(fx.pupils[0]!.id)).allowed).toBe(true);
    clock.set('2027-09-01T06:10:00Z');
    const answer = await imageConsent(fx.pupils[0]!.id);
    expect(answer.allowed).toBe(false);
    expect(answer.outcome).toBe('expired');
    const run = await ctx.services.consentCampaigns.rollover();
    expect(run.periodsExpired).toBe(1);
    expect((await ctx.services.consentCampaigns.rollover()).periodsExpired).toBe(0);
    const audit = await ctx.services.audit.listForSchool(
      fx.school.id,
      { action: 'consent.period-expired' },
      1,
    );
    expect(audit.total).toBe(1);
    expect(audit.rows[0]).toMatchObject({ entityId: '2026-27' });
    expect(audit.rows[0]!.data).toMatchObject({ records: 1, pupils: 1 });
    // The record itself is unchanged (append-only).
    const rows = await q<{ valid_until: string }>(
      "SELECT valid_until::text FROM consent_records WHERE period_key = '2026-27'",
    );
    expect(rows).toEqual([{ valid_until: '2027-09-01' }]);
  });

  it('starts a campaign by hand for a school on the admission model', async () => {
    const school = (
      await q<{ id: string }>("SELECT id FROM schools WHERE slug = 'rollover-admission'")
    )[0]!;
    const head = (
      await q<{ id: string }>(
        "SELECT id FROM staff WHERE email = 'headteacher@rollover-admission.test'",
      )
    )[0]!;
    await expect(
      ctx.services.consentCampaigns.startNow(school.id, { kind: 'staff', id: head.id }, '2027-28'),
    ).rejects.toThrow();
    const started = await ctx.services.consentCampaigns.startNow(
      school.id,
      { kind: 'staff', id: head.id },
      'admission',
    );
    expect(started.created).toBe(true);
    expect(started.invitations.sent).toBeGreaterThan(0);
    const again = await ctx.services.consentCampaigns.startNow(
      school.id,
      { kind: 'staff', id: head.id },
      'admission',
    );
    expect(again).toMatchObject({ created: false, invitations: { sent: 0 } });
  });
});
