import type { Services } from '../../src/container.ts';
import type { Principal, StaffRole } from '../../src/modules/auth/principal.ts';
import type { FaceDetector } from '../../src/platform/faces/face-detector.ts';
import type { SchoolFixture } from './factories.ts';
import { ukDate } from '../../src/platform/clock.ts';

/** One face box in the middle of every photo, so a photo can show exactly one tagged pupil. */
export const oneFace: FaceDetector = {
  detect: async ({ width, height }) => [
    {
      x: Math.round(width * 0.4),
      y: Math.round(height * 0.4),
      width: Math.round(width * 0.2),
      height: Math.round(height * 0.2),
      score: 0.9,
    },
  ],
};

export const asStaff = (fx: SchoolFixture, role: StaffRole): Principal => ({
  kind: 'staff',
  id: fx.staff[role].id,
  schoolId: fx.school.id,
  roles: [role],
  name: role,
});

/** A small real JPEG with some texture (made by the image processor itself). */
export async function texturedJpeg(services: Pick<Services, 'images'>, w = 160, h = 120) {
  const px = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    const x = i % w;
    const y = Math.floor(i / w);
    px[i * 3] = (x * 7 + y * 3) % 256;
    px[i * 3 + 1] = (x * y) % 256;
    px[i * 3 + 2] = (y * 11) % 256;
  }
  return (await services.images.encodeJpeg({ data: px, width: w, height: h })).data;
}

/** An approved school camera for uploads. */
export async function approvedCamera(services: Services, fx: SchoolFixture): Promise<string> {
  const ict = { kind: 'staff' as const, id: fx.staff.ict_technician.id };
  const d = await services.devices.register(fx.school.id, ict, {
    name: 'Camera',
    deviceType: 'camera',
    assetTag: `CAM-${Math.random().toString(36).slice(2, 8)}`,
  });
  await services.devices.approve(asStaff(fx, 'headteacher'), d.id);
  return d.id;
}

/**
 * A photo uploaded by the teacher, ingested, with its one face box linked to `pupilId`. Returns
 * the media item's id.
 */
export async function photoOfPupil(
  services: Services,
  fx: SchoolFixture,
  deviceId: string,
  pupilId: string,
  jpeg: Buffer,
): Promise<string> {
  const teacher = { kind: 'staff' as const, id: fx.staff.teacher.id };
  const [r] = await services.media.upload(
    fx.school.id,
    teacher,
    { deviceId, deviceDescription: null, eventLabel: 'sports day', swimwear: false },
    [{ data: jpeg, filename: 'IMG_1.JPG' }],
  );
  await services.media.ingest(r!.id);
  const view = await services.media.view(fx.school.id, r!.id);
  await services.media.linkFace(fx.school.id, teacher, r!.id, view.faces[0]!.id, pupilId);
  return r!.id;
}

/** The first parent with parental responsibility for a pupil. */
export async function prParentOf(services: Services, pupilId: string): Promise<string> {
  const { rows } = await services.database.pool.query<{ parent_id: string }>(
    `SELECT parent_id FROM pupil_parents WHERE pupil_id = $1 AND parental_responsibility
     ORDER BY parent_id LIMIT 1`,
    [pupilId],
  );
  return rows[0]!.parent_id;
}

/** Records a statement for every consent key of the profile (granted or refused). */
export async function recordConsent(
  services: Services,
  fx: SchoolFixture,
  pupilId: string,
  decision: 'granted' | 'refused',
  kind: 'form' | 'withdrawal' = decision === 'granted' ? 'form' : 'withdrawal',
): Promise<void> {
  const settings = await services.consent.settings(fx.school.id);
  const keys = settings.consent.purposes.value.flatMap((p) =>
    settings.consent.mediaTypes.value.map((t) => `${p.key}/${t}`),
  );
  await services.consent.record(
    {
      schoolId: fx.school.id,
      pupilId,
      decider: { kind: 'parent', parentId: await prParentOf(services, pupilId) },
      decisions: Object.fromEntries(keys.map((k) => [k, decision])),
      method: 'paper_form',
      kind,
      decidedOn: ukDate(services.clock.now()),
    },
    { kind: 'staff', id: fx.staff.office.id },
  );
}
