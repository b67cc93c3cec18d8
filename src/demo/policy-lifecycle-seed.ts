import type { Services } from '../container.ts';
import { ukDate } from '../platform/clock.ts';
import type { StaffPrincipal } from '../modules/auth/index.ts';

const DAY = 86_400_000;

/**
 * Oakfield's policy lifecycle (docs/policy-lifecycle.md): this term's review met a fortnight ago
 * (the Headteacher and the chair of governors) and decided to say that staff report any
 * social media concern the same day; the Headteacher published that as a substantive new version
 * of the policy text, so everyone is asked to acknowledge it again (their earlier
 * acknowledgements kept, marked superseded); the Headteacher, the DSL and the teacher have done
 * so, the rest are in progress. The review names the version it published and is approved,
 * which set the next review date. Through the services, as the pages do.
 */
export async function seedDemoPolicyLifecycle(services: Services): Promise<void> {
  const db = services.database.db;
  const school = await services.peopleDirectory.getSchoolBySlug(db, 'oakfield-primary');
  if (!school || !(await services.policies.hasProfile(school.id))) return;
  const roster = await services.peopleDirectory.staffRoster(db, school.id);
  const first = (role: string) => roster.find((s) => s.roles.includes(role));
  const headRow = first('headteacher');
  if (!headRow) return;
  const head: StaffPrincipal = {
    kind: 'staff',
    id: headRow.id,
    schoolId: school.id,
    roles: headRow.roles as StaffPrincipal['roles'],
    name: `${headRow.givenName} ${headRow.familyName}`,
  };

  // The substantive change: one more clause in the section on training (or the last section).
  const { text } = await services.policyText.textOf(school.id);
  const section =
    text.sections.find((s) => /training/i.test(s.heading)) ??
    text.sections[text.sections.length - 1]!;
  const ids = section.clauses.map((c) => c.id);
  const numbered = ids.map((id) => /^(\d+)\.(\d+)$/.exec(id)).filter((m) => m !== null);
  const id = numbered.length
    ? `${numbered[0]![1]}.${Math.max(...numbered.map((m) => Number(m![2]))) + 1}`
    : `${section.id}-p${ids.length + 1}`;
  section.clauses.push({
    id,
    text: 'Staff report any concern about social media to the Designated Safeguarding Lead on the day they notice it, using Lanyard’s report form.',
  });
  const current = await services.policies.current(school.id);
  const published = await services.policyText.publish(
    school.id,
    { kind: 'staff', id: head.id },
    {
      text,
      note: 'Annual review: staff report social media concerns on the same day',
      substantive: true,
      expectedVersion: current.version,
    },
  );

  // Acknowledgements of the new version in progress.
  for (const role of ['headteacher', 'dsl', 'teacher']) {
    const who = first(role);
    if (who)
      await services.acknowledgements.acknowledge({
        kind: 'staff',
        id: who.id,
        schoolId: school.id,
      });
  }

  // The review that decided it, approved (the next review date from the cycle).
  const metOn = ukDate(new Date(services.clock.now().getTime() - 14 * DAY));
  if (await services.policyReviews.isReviewer(head)) {
    const review = await services.policyReviews.record(head, {
      reason: 'scheduled',
      metOn,
      attendees: `${head.name} (Headteacher) and the chair of governors`,
      decisions:
        'The policy works well. Incident logs show concerns reported days late: add that staff report social media concerns on the same day. Everyone acknowledges the new version this half term.',
      versions: [published.version],
    });
    await services.policyReviews.approve(head, review.id, {});
  }
}
