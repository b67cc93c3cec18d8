import crypto from 'node:crypto';
import type { Database } from '../../../platform/db/database.ts';
import type { FileStore } from '../../../platform/files/file-store.ts';
import {
  ImageRejectedError,
  type ImageProcessor,
} from '../../../platform/images/image-processor.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import type { Actor, AuditService } from '../../audit/index.ts';
import type { PeopleDirectory, SchoolNewsAppearance } from '../../people/index.ts';
import {
  LOGO_MAX_HEIGHT,
  LOGO_MAX_WIDTH,
  type NewsAppearanceInput,
} from './news-appearance.forms.ts';

/** How the school's public news page looks: its header colour and logo (nothing set: the usual). */
export interface NewsAppearance {
  schoolName: string;
  colour: string | null;
  logo: { sha256: string; width: number; height: number } | null;
}

/** What a change changed (for the message and the audit entry); empty when nothing did. */
export type AppearanceChange = ('colour' | 'logo')[];

const LOGO_ERRORS: Partial<Record<ImageRejectedError['code'], string>> = {
  svg: 'The logo is an SVG drawing, which Lanyard does not accept because it can contain hidden code. Upload the logo as a PNG or JPEG',
  too_many_pixels: 'The logo has too many pixels. Upload a smaller PNG or JPEG of the logo',
  truncated:
    'The logo file is damaged or incomplete. Save the logo again as a PNG or JPEG and upload the new file',
};
const NOT_AN_IMAGE = 'The logo must be a PNG or JPEG image. The file you chose is not one';

/**
 * The school's news page appearance (issue 12 item 7, "in the school's styling"): a header colour
 * dark enough for its white writing (checked by the form) and a logo that Lanyard decodes in full
 * and re-encodes as a PNG without metadata, at most 120 px high, kept in the file store and named
 * on the school's record. One change, one transaction, one audit entry; the logo file follows
 * the row (written to a temporary name, moved into place once the row is committed).
 */
export class NewsAppearanceService {
  constructor(
    private readonly deps: {
      database: Database;
      people: Pick<PeopleDirectory, 'getSchool' | 'lockNewsAppearance' | 'setNewsAppearance'>;
      files: FileStore;
      images: Pick<ImageProcessor, 'logo'>;
      audit: AuditService;
      /** Called once a change is committed (the news page forgets the schools it keeps). */
      changed?: () => void;
    },
  ) {}

  async current(schoolId: string): Promise<NewsAppearance> {
    const school = await this.deps.people.getSchool(this.deps.database.db, schoolId);
    if (!school) throw new NotFoundError();
    return {
      schoolName: school.name,
      colour: school.newsColour,
      logo:
        school.newsLogoKey && school.newsLogoSha256
          ? {
              sha256: school.newsLogoSha256,
              width: school.newsLogoWidth ?? LOGO_MAX_HEIGHT,
              height: school.newsLogoHeight ?? LOGO_MAX_HEIGHT,
            }
          : null,
    };
  }

  /**
   * Saves the colour and the logo. A logo that is not a PNG or JPEG Lanyard can decode is refused
   * with a ValidationError on `logo`, and nothing changes.
   */
  async set(schoolId: string, actor: Actor, input: NewsAppearanceInput): Promise<AppearanceChange> {
    const { database, people, files, images, audit } = this.deps;
    let logo: { data: Buffer; width: number; height: number; sha256: string } | null = null;
    if (input.logo) {
      try {
        const upload = await files.readTemp(input.logo.tempName);
        const encoded = await images.logo(upload, {
          maxWidth: LOGO_MAX_WIDTH,
          maxHeight: LOGO_MAX_HEIGHT,
        });
        logo = {
          ...encoded,
          sha256: crypto.createHash('sha256').update(encoded.data).digest('hex'),
        };
      } catch (e) {
        if (e instanceof ImageRejectedError)
          throw new ValidationError({ logo: LOGO_ERRORS[e.code] ?? NOT_AN_IMAGE });
        throw e;
      } finally {
        await files.discard(input.logo.tempName);
      }
    }
    const temp = logo ? await files.writeTemp(logo.data) : null;
    const key = logo ? logoKey(schoolId, logo.sha256) : null;
    let before: SchoolNewsAppearance | undefined;
    let changed: AppearanceChange = [];
    try {
      await database.transaction(async (tx) => {
        before = await people.lockNewsAppearance(tx.db, schoolId);
        if (!before) throw new NotFoundError();
        const after: SchoolNewsAppearance = { ...before, newsColour: input.colour };
        if (logo && key) {
          after.newsLogoKey = key;
          after.newsLogoSha256 = logo.sha256;
          after.newsLogoWidth = logo.width;
          after.newsLogoHeight = logo.height;
        } else if (input.removeLogo) {
          after.newsLogoKey = null;
          after.newsLogoSha256 = null;
          after.newsLogoWidth = null;
          after.newsLogoHeight = null;
        }
        changed = [
          ...(after.newsColour !== before.newsColour ? (['colour'] as const) : []),
          ...(after.newsLogoSha256 !== before.newsLogoSha256 ? (['logo'] as const) : []),
        ];
        if (changed.length === 0) return;
        await people.setNewsAppearance(tx.db, schoolId, after);
        await audit.record(tx, {
          schoolId,
          actor,
          action: 'publishing.news-appearance-changed',
          entityType: 'school',
          entityId: schoolId,
          // The colour and the logo's SHA-256 are public (they are on the news page).
          data: {
            changed,
            colour: after.newsColour,
            logoSha256: after.newsLogoSha256,
          },
        });
      });
    } catch (e) {
      if (temp) await files.discard(temp.name);
      throw e;
    }
    if (temp && key) {
      if (changed.includes('logo')) await files.commit(temp.name, key);
      else await files.discard(temp.name);
    }
    const oldKey = before?.newsLogoKey;
    if (changed.includes('logo') && oldKey && oldKey !== key)
      await files.delete(oldKey).catch(() => undefined);
    if (changed.length > 0) this.deps.changed?.();
    return changed;
  }
}

/** Where a school's logo is kept: under the school's id, named by its content. */
export function logoKey(schoolId: string, sha256: string): string {
  return `${schoolId}/news/logo-${sha256.slice(0, 32)}.png`;
}
