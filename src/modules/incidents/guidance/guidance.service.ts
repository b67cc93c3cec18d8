import type { Database } from '../../../platform/db/database.ts';
import type { Clock } from '../../../platform/clock.ts';
import { NotFoundError } from '../../../errors.ts';
import type { Principal } from '../../auth/index.ts';
import type { AuditService } from '../../audit/index.ts';
import type { PeopleDirectory } from '../../people/index.ts';
import {
  defaultGuidance,
  guidancePlatforms,
  isGuidancePlatform,
  lanyardGuidanceCheckedOn,
  platformLabels,
  type GuidanceContent,
  type GuidancePlatform,
} from './guidance.defaults.ts';
import type { GuidanceRepository, GuidanceVersionRow } from './guidance.repository.ts';
import { canEditGuidance } from './guidance.policy.ts';
import type { GuidanceInput } from './guidance.forms.ts';

/** A guidance page as read: the school's newest version, or Lanyard's text. */
export interface GuidancePage extends GuidanceContent {
  platform: GuidancePlatform;
  label: string;
  /** 'lanyard': Lanyard's text as shipped; 'school': the school's own words. */
  source: 'lanyard' | 'school';
  /** When the words were last checked: Lanyard's date, or when the school last saved them. */
  checkedOn: Date | string;
  editedByName: string | null;
}

export interface GuidanceHistoryItem {
  editedAt: Date;
  editedByName: string;
  note: string;
  restoredDefault: boolean;
}

/**
 * Platform guidance pages (issue 14 item 8): Lanyard's text for each
 * platform until the school saves its own; every save is a new version (append-only), with who,
 * when and why, and one audit event.
 */
export class GuidanceService {
  constructor(
    private readonly deps: {
      database: Database;
      repository: GuidanceRepository;
      audit: AuditService;
      clock: Clock;
      peopleDirectory: PeopleDirectory;
    },
  ) {}

  /** Every page, in the list's order. */
  async pages(schoolId: string): Promise<GuidancePage[]> {
    const { database, repository } = this.deps;
    const rows = await repository.listForSchool(database.db, schoolId);
    const newest = new Map<string, GuidanceVersionRow>();
    for (const r of rows) if (!newest.has(r.platform)) newest.set(r.platform, r);
    const names = await this.staffNames(
      schoolId,
      [...newest.values()].map((r) => r.editedBy),
    );
    return guidancePlatforms.map((p) => this.toPage(p, newest.get(p), names));
  }

  /** One page and its history (newest first). Unknown platform: 404. */
  async page(
    schoolId: string,
    platform: string,
  ): Promise<{ page: GuidancePage; history: GuidanceHistoryItem[] }> {
    if (!isGuidancePlatform(platform)) throw new NotFoundError();
    const { database, repository } = this.deps;
    const rows = await repository.history(database.db, schoolId, platform);
    const names = await this.staffNames(
      schoolId,
      rows.map((r) => r.editedBy),
    );
    return {
      page: this.toPage(platform, rows[0], names),
      history: rows.map((r) => ({
        editedAt: r.editedAt,
        editedByName: names.get(r.editedBy) ?? 'A former member of staff',
        note: r.note,
        restoredDefault: r.restoredDefaultOf !== null,
      })),
    };
  }

  /** The Headteacher or DSL saves the school's own words for a page. */
  async update(p: Principal, platform: string, input: GuidanceInput): Promise<void> {
    await this.save(p, platform, input, null);
  }

  /** Puts Lanyard's current text back (itself a new version, so the history keeps the school's). */
  async restoreDefault(p: Principal, platform: string, note: string): Promise<void> {
    if (!isGuidancePlatform(platform)) throw new NotFoundError();
    await this.save(p, platform, { ...defaultGuidance[platform], note }, lanyardGuidanceCheckedOn);
  }

  private async save(
    p: Principal,
    platform: string,
    input: GuidanceInput,
    restoredDefaultOf: string | null,
  ): Promise<void> {
    if (p.kind !== 'staff' || !canEditGuidance(p) || !isGuidancePlatform(platform)) {
      throw new NotFoundError();
    }
    const { database, repository, audit, clock } = this.deps;
    await database.transaction(async (tx) => {
      const row = await repository.create(tx.db, {
        schoolId: p.schoolId,
        platform,
        summary: input.summary,
        steps: input.steps,
        links: input.links,
        note: input.note,
        restoredDefaultOf,
        editedBy: p.id,
        editedAt: clock.now(),
      });
      await audit.record(tx, {
        schoolId: p.schoolId,
        actor: { kind: 'staff', id: p.id },
        action: restoredDefaultOf ? 'incidents.guidance-restored' : 'incidents.guidance-updated',
        entityType: 'incident_guidance',
        entityId: row.id,
        data: { platform, steps: input.steps.length, links: input.links.length },
      });
    });
  }

  private toPage(
    platform: GuidancePlatform,
    row: GuidanceVersionRow | undefined,
    names: Map<string, string>,
  ): GuidancePage {
    const base = { platform, label: platformLabels[platform] };
    if (!row) {
      return {
        ...base,
        ...defaultGuidance[platform],
        source: 'lanyard',
        checkedOn: lanyardGuidanceCheckedOn,
        editedByName: null,
      };
    }
    return {
      ...base,
      summary: row.summary,
      steps: row.steps,
      links: row.links,
      source: row.restoredDefaultOf ? 'lanyard' : 'school',
      checkedOn: row.restoredDefaultOf ?? row.editedAt,
      editedByName: names.get(row.editedBy) ?? 'A former member of staff',
    };
  }

  private async staffNames(schoolId: string, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const names = await this.deps.peopleDirectory.displayNames(this.deps.database.db, schoolId, {
      staff: ids,
      parents: [],
      pupils: [],
    });
    return names.staff;
  }
}
