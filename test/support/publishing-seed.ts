import crypto from 'node:crypto';
import type { Services } from '../../src/container.ts';
import type { Platform } from '../../src/container.ts';
import type { FaceDetector } from '../../src/platform/faces/face-detector.ts';
import { ukDate } from '../../src/platform/clock.ts';

/**
 * Publications made directly in the database, for the news page and takedown tests (until the
 * publish flow is the way every test makes them). The rows are the ones the publish transaction
 * writes: publication, items (a rendition copied under the publication's own key with its
 * SHA-256) and pupils.
 */

/** A face detector that finds one face in the middle of every photo. */
export const oneFace: FaceDetector = {
  detect: async ({ width, height }) => [
    {
      x: Math.round(width * 0.35),
      y: Math.round(height * 0.3),
      width: Math.round(width * 0.3),
      height: Math.round(height * 0.35),
      score: 0.99,
    },
  ],
};

export async function addChannel(
  services: Services,
  schoolId: string,
  values: {
    kind: string;
    name: string;
    purposeKey: string;
    platform?: string | null;
    handle?: string | null;
    custodianId?: string | null;
    endpointUrl?: string | null;
  },
): Promise<string> {
  const pool = services.database.pool;
  if (values.kind === 'news') {
    const { rows: existing } = await pool.query<{ id: string }>(
      `SELECT id FROM channel_accounts WHERE school_id = $1 AND kind = 'news'`,
      [schoolId],
    );
    if (existing[0]) return existing[0].id;
  }
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO channel_accounts (school_id, kind, name, platform, handle, purpose_key, custodian_id, endpoint_url)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [
      schoolId,
      values.kind,
      values.name,
      values.platform ?? null,
      values.handle ?? null,
      values.purposeKey,
      values.custodianId ?? null,
      values.endpointUrl ?? null,
    ],
  );
  return rows[0]!.id;
}

export async function addPost(
  services: Services,
  schoolId: string,
  authorId: string,
  title: string,
  body: string,
): Promise<string> {
  const { rows } = await services.database.pool.query<{ id: string }>(
    `INSERT INTO posts (school_id, author_id, title, body, status, published_at)
     VALUES ($1, $2, $3, $4, 'published', now()) RETURNING id`,
    [schoolId, authorId, title, body],
  );
  return rows[0]!.id;
}

/**
 * `count` publications of one post on one account showing these pupils, in one statement each
 * for publications and pupils. Returns their ids, newest first.
 */
export async function addPublications(
  services: Services,
  p: {
    schoolId: string;
    postId: string;
    accountId: string;
    purposeKey: string;
    pupilIds: string[];
    count?: number;
    state?: string;
    title?: string;
    text?: string;
    publishedAt?: Date;
    remoteUrl?: string | null;
  },
): Promise<string[]> {
  const pool = services.database.pool;
  const count = p.count ?? 1;
  const at = p.publishedAt ?? new Date();
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO publications (school_id, post_id, account_id, purpose_key, state, idempotency_key,
                               title, text, remote_id, remote_url, attempts, published_at, created_at)
     SELECT $1::uuid, $2::uuid, $3::uuid, $4::text, $5::text,
            $2::text || ':' || $3::text || ':' || gen_random_uuid(), $6::text, $7::text,
            'remote-' || n, $8::text, 1, $9::timestamptz - (n || ' seconds')::interval,
            $9::timestamptz - (n || ' seconds')::interval
       FROM generate_series(1, $10::int) AS n
     RETURNING id`,
    [
      p.schoolId,
      p.postId,
      p.accountId,
      p.purposeKey,
      p.state ?? 'live',
      p.title ?? 'Sports day',
      p.text ?? 'Our pupils ran, jumped and cheered.',
      p.remoteUrl ?? null,
      at.toISOString(),
      count,
    ],
  );
  const ids = rows.map((r) => r.id);
  if (p.pupilIds.length > 0)
    await pool.query(
      `INSERT INTO publication_pupils (publication_id, pupil_id, school_id)
       SELECT pub, pupil, $3 FROM unnest($1::uuid[]) AS pub CROSS JOIN unnest($2::uuid[]) AS pupil`,
      [ids, p.pupilIds, p.schoolId],
    );
  return ids;
}

/** Copies a rendition under the publication's own key and records it as the item at `position`. */
export async function addItem(
  services: Services,
  platform: Platform,
  p: {
    schoolId: string;
    publicationId: string;
    mediaId: string | null;
    renditionId: string | null;
    bytes: Buffer;
    altText: string;
    position?: number;
  },
): Promise<{ fileKey: string; sha256: string }> {
  const position = p.position ?? 0;
  const fileKey = `${p.schoolId}/publications/${p.publicationId}/${position}.jpg`;
  const temp = await platform.files.writeTemp(p.bytes);
  await platform.files.commit(temp.name, fileKey);
  const sha256 = crypto.createHash('sha256').update(p.bytes).digest('hex');
  await services.database.pool.query(
    `INSERT INTO publication_items (publication_id, media_id, school_id, rendition_id, file_key,
                                    rendition_sha256, content_type, alt_text, position)
     VALUES ($1, $2, $3, $4, $5, $6, 'image/jpeg', $7, $8)`,
    [p.publicationId, p.mediaId, p.schoolId, p.renditionId, fileKey, sha256, p.altText, position],
  );
  return { fileKey, sha256 };
}

/** Records a parent's statement for one pupil (granted or withdrawn for the given keys). */
export async function recordConsent(
  services: Services,
  schoolId: string,
  pupilId: string,
  decisions: Record<string, 'granted' | 'refused'>,
  kind: 'form' | 'withdrawal' = 'withdrawal',
): Promise<{ recordId: string }> {
  const register = await services.consent.pupilRegister(schoolId, pupilId);
  const parent = register.parents.find((x) => x.parentalResponsibility)!;
  return services.consent.record(
    {
      schoolId,
      pupilId,
      decider: { kind: 'parent', parentId: parent.id },
      decisions,
      method: 'paper_form',
      kind,
      decidedOn: ukDate(services.clock.now()),
    },
    { kind: 'system', id: null },
  );
}
