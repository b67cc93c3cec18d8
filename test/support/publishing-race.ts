import crypto from 'node:crypto';
import type { Services } from '../../src/container.ts';
import type { SchoolFixture } from './factories.ts';
import { approvedCamera, photoOfPupil, recordConsent, texturedJpeg } from './publishing.ts';

export interface RaceResult {
  trials: number;
  /** Publications whose transaction saw the withdrawal (must be 0). */
  violations: number;
  /** Trials where the publish committed first (the withdrawal then waited for it). */
  publishedFirst: number;
  /** Trials where the withdrawal won: no publication. */
  withdrawalWon: number;
  ms: number;
}

/**
 * Races a parent's withdrawal against the publishing of a post showing their child, `trials`
 * times (issue 12 item 5; the database test runs it 200 times, `npm run bench:publishing` 1,000).
 *
 * Each trial: the pupil's consent is granted, an approved post with a photo whose face box is
 * linked to the pupil is made, then `PublishService.publish` starts and the withdrawal starts at a
 * random moment within the publish's usual duration. Only the withdrawal changes the register
 * in a trial, so its version goes from v to v + 1. A publication recorded at version v + 1 was
 * made by a transaction that saw the withdrawal: that is a violation. A publication at version v
 * means the publish read the register first; it must then also have committed before the
 * withdrawal did (whose version bump needs the row the publish holds FOR SHARE), so the takedown
 * that follows the withdrawal finds it: a publication not yet visible right after the
 * withdrawal committed is a violation too.
 *
 * `services` must have a face detector that finds a face (test/support/publishing.ts `oneFace`).
 */
export async function raceWithdrawalAgainstPublish(
  services: Services,
  fx: SchoolFixture,
  options: { trials: number; pupilIndex?: number },
): Promise<RaceResult> {
  const started = performance.now();
  const pool = services.database.pool;
  const schoolId = fx.school.id;
  const pupil = fx.pupils[options.pupilIndex ?? 0]!;
  const camera = await approvedCamera(services, fx);
  const mediaId = await photoOfPupil(services, fx, camera, pupil.id, await texturedJpeg(services));
  const news = await services.posts.newsAccount(schoolId);
  const result: RaceResult = {
    trials: 0,
    violations: 0,
    publishedFirst: 0,
    withdrawalWon: 0,
    ms: 0,
  };

  let publishMs = 50;
  for (let i = 0; i < options.trials; i++) {
    await recordConsent(services, fx, pupil.id, 'granted');
    // An approved post, written directly (the approval itself is tested elsewhere).
    const postId = crypto.randomUUID();
    await pool.query(
      `INSERT INTO posts (id, school_id, author_id, title, body, kind, status, decided_by, decided_at)
       VALUES ($1, $2, $3, 'Sports day', 'A race.', 'standard', 'approved', $4, now())`,
      [postId, schoolId, fx.staff.teacher.id, fx.staff.headteacher.id],
    );
    await pool.query(
      `INSERT INTO post_media (post_id, media_id, school_id, alt_text, position) VALUES ($1, $2, $3, 'A race', 0)`,
      [postId, mediaId, schoolId],
    );
    await pool.query(
      `INSERT INTO post_channels (post_id, account_id, school_id, purpose_key) VALUES ($1, $2, $3, $4)`,
      [postId, news.id, schoolId, news.purposeKey],
    );
    const before = await registerVersion(services, schoolId);
    // The withdrawal starts at a random moment within the publish's usual duration, so it lands
    // before, during and after the publish transaction in different trials.
    const delay = Math.random() * publishMs * 1.2;
    const wait = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
    const t0 = performance.now();
    let seenAtWithdrawal = false;
    await Promise.all([
      wait(delay)
        .then(() => recordConsent(services, fx, pupil.id, 'refused'))
        // Right after the withdrawal commits: is the publication there for its takedown to find?
        .then(async () => {
          const { rows } = await pool.query('SELECT 1 FROM publications WHERE post_id = $1', [
            postId,
          ]);
          seenAtWithdrawal = rows.length > 0;
        }),
      services.publishing.publish(schoolId, postId, { kind: 'system', id: null }).then(() => {
        publishMs = publishMs * 0.8 + (performance.now() - t0) * 0.2;
      }),
    ]);
    const after = await registerVersion(services, schoolId);
    if (after !== before + 1) throw new Error(`Unexpected register change in trial ${i}`);
    const { rows } = await pool.query<{ register_version: string }>(
      'SELECT register_version FROM publications WHERE post_id = $1',
      [postId],
    );
    result.trials++;
    if (rows.length === 0) result.withdrawalWon++;
    else if (Number(rows[0]!.register_version) >= after || !seenAtWithdrawal) result.violations++;
    else result.publishedFirst++;
  }
  result.ms = Math.round(performance.now() - started);
  return result;
}

async function registerVersion(services: Services, schoolId: string): Promise<number> {
  const { rows } = await services.database.pool.query<{ version: string }>(
    'SELECT version FROM consent_register_versions WHERE school_id = $1',
    [schoolId],
  );
  return Number(rows[0]?.version ?? 0);
}
