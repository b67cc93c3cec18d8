import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Database } from '../../../platform/db/database.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { FileStore } from '../../../platform/files/file-store.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import type { Actor, AuditService } from '../../audit/index.ts';
import type { MaterialRow, TrainingRepository } from '../training.repository.ts';

export type { MaterialRow };

/** The kinds of file a session's materials may be, told by their first bytes (never the name). */
const safeTypes = [
  {
    ext: 'pdf',
    type: 'application/pdf',
    test: (b: Buffer) => b.subarray(0, 5).toString('latin1') === '%PDF-',
  },
  {
    ext: 'png',
    type: 'image/png',
    test: (b: Buffer) =>
      b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  {
    ext: 'jpg',
    type: 'image/jpeg',
    test: (b: Buffer) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  },
] as const;

/** Office documents are ZIP files: told apart by the part their package must contain. */
function officeType(b: Buffer): { ext: string; type: string } | null {
  if (!(b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04)) return null;
  const text = b.toString('latin1');
  if (text.includes('ppt/'))
    return {
      ext: 'pptx',
      type: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    };
  if (text.includes('word/'))
    return {
      ext: 'docx',
      type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    };
  return null;
}

export function materialType(data: Buffer): { ext: string; type: string } | null {
  const simple = safeTypes.find((t) => t.test(data));
  return simple ? { ext: simple.ext, type: simple.type } : officeType(data);
}

export const MATERIAL_MAX_BYTES = 20 * 1024 * 1024;

/**
 * A session's materials (slides, handouts): files in the platform's file store
 * (`training/<school>/<id>.<ext>`), only PDF, PowerPoint, Word, PNG and JPEG (by content), each
 * upload and each download audited.
 */
export class MaterialsService {
  constructor(
    private readonly deps: {
      database: Database;
      repository: TrainingRepository;
      files: FileStore;
      audit: AuditService;
      clock: Clock;
    },
  ) {}

  async list(schoolId: string, sessionId: string): Promise<MaterialRow[]> {
    return this.deps.repository.materialsFor(this.deps.database.db, schoolId, sessionId);
  }

  /** Stores an uploaded temporary file as a material of the session (the file is claimed). */
  async add(
    schoolId: string,
    actor: Actor,
    sessionId: string,
    input: { title: string; tempName: string; size: number },
  ): Promise<MaterialRow> {
    const { database, repository, files, audit, clock } = this.deps;
    const session = await repository.getSession(database.db, schoolId, sessionId);
    if (!session) {
      await files.discard(input.tempName);
      throw new NotFoundError();
    }
    if (input.size > MATERIAL_MAX_BYTES) {
      await files.discard(input.tempName);
      throw new ValidationError({ file: 'The file must be smaller than 20 MB' });
    }
    const head = (await files.readTemp(input.tempName)).subarray(0, 64 * 1024);
    const type = materialType(head);
    if (!type) {
      await files.discard(input.tempName);
      throw new ValidationError({
        file: 'The file must be a PDF, a PowerPoint or Word document, or a PNG or JPEG picture',
      });
    }
    const id = crypto.randomUUID();
    const key = `training/${schoolId}/${id}.${type.ext}`;
    await files.commit(input.tempName, key);
    try {
      return await database.transaction(async (tx) => {
        const row = await repository.createMaterial(tx.db, {
          id,
          schoolId,
          sessionId,
          fileKey: key,
          filename: `${input.title}.${type.ext}`,
          contentType: type.type,
          sizeBytes: input.size,
          uploadedBy: actor.kind === 'staff' ? actor.id : null,
          uploadedAt: clock.now(),
        });
        await audit.record(tx, {
          schoolId,
          actor,
          action: 'training.material-added',
          entityType: 'training_material',
          entityId: id,
          data: { sessionId, contentType: type.type, sizeBytes: input.size },
        });
        return row;
      });
    } catch (error) {
      await files.delete(key).catch(() => undefined);
      throw error;
    }
  }

  /** Opens a material for download, audited. */
  async open(
    schoolId: string,
    actor: Actor,
    id: string,
  ): Promise<{ row: MaterialRow; stream: Readable }> {
    const { database, repository, files, audit } = this.deps;
    const row = await repository.getMaterial(database.db, schoolId, id);
    if (!row) throw new NotFoundError();
    const stream = await files.stream(row.fileKey);
    await database.transaction((tx) =>
      audit.record(tx, {
        schoolId,
        actor,
        action: 'training.material-downloaded',
        entityType: 'training_material',
        entityId: id,
        data: { sessionId: row.sessionId },
      }),
    );
    return { row, stream };
  }
}
