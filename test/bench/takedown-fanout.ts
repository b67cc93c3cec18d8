import { performance } from 'node:perf_hooks';
import type { Services } from '../../src/container.ts';
import { consentKeysFor } from '../../src/modules/consent/index.ts';
import type { SchoolFixture } from '../support/factories.ts';
import { addChannel, addPost, addPublications, recordConsent } from '../support/publishing-seed.ts';

/**
 * `takedown_fanout_ms` (issue 12): a pupil appears in `publications` live items on the school
 * news page; a parent's withdrawal for the website commits; the time from that commit until
 * every takedown task exists (the takedown job's event step, as the worker runs it).
 * Returns the time and the number of tasks made. Used by `npm run bench:publishing` and by
 * test/db/publishing-takedown.test.ts.
 */
export async function takedownFanoutMs(
  services: Services,
  fx: SchoolFixture,
  options: { publications?: number; pupilIndex?: number } = {},
): Promise<{ ms: number; tasks: number; publicationIds: string[]; pupilId: string }> {
  const count = options.publications ?? 1_000;
  const pupil = fx.pupils[options.pupilIndex ?? 0]!;
  const schoolId = fx.school.id;
  const settings = await services.consent.settings(schoolId);
  const websiteKeys = consentKeysFor(settings).filter((k) => k.startsWith('school_website/'));
  await recordConsent(
    services,
    schoolId,
    pupil.id,
    Object.fromEntries(websiteKeys.map((k) => [k, 'granted' as const])),
    'form',
  );
  // Earlier events (the grant) are not part of the measurement.
  await services.takedowns.processEvents();
  const newsId = await addChannel(services, schoolId, {
    kind: 'news',
    name: 'School news page',
    purposeKey: 'school_website',
  });
  const postId = await addPost(services, schoolId, fx.staff.teacher.id, 'Sports day', 'Races.');
  const publicationIds = await addPublications(services, {
    schoolId,
    postId,
    accountId: newsId,
    purposeKey: 'school_website',
    pupilIds: [pupil.id],
    count,
  });
  const { recordId } = await recordConsent(
    services,
    schoolId,
    pupil.id,
    Object.fromEntries(websiteKeys.map((k) => [k, 'refused' as const])),
  );
  // record() returns once the withdrawal has committed.
  const t0 = performance.now();
  await services.takedowns.processEvents();
  const ms = performance.now() - t0;
  const { rows } = await services.database.pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM takedown_tasks t
       JOIN domain_events e ON e.id = t.source_event_id
      WHERE t.school_id = $1 AND t.pupil_id = $2 AND e.payload->>'recordId' = $3`,
    [schoolId, pupil.id, recordId],
  );
  return { ms, tasks: Number(rows[0]!.n), publicationIds, pupilId: pupil.id };
}
