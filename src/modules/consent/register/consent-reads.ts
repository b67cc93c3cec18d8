import { ukDate } from '../../../platform/clock.ts';
import { NotFoundError } from '../../../errors.ts';
import { periodFor, recordablePeriods, type ConsentPeriod } from './consent-rules.ts';
import type { ConsentCheck } from './consent-check.ts';
import type { ConsentDeps } from './consent-shared.ts';

/**
 * What the register says, for pages: a pupil's register, what the consent keepers should know
 * today, a school's coverage in figures, a parent's children, the periods open for recording.
 */
export class ConsentReads {
  constructor(
    private readonly deps: ConsentDeps,
    private readonly check: ConsentCheck,
  ) {}

  /** The periods a statement may be recorded for today. */
  async recordablePeriods(schoolId: string): Promise<ConsentPeriod[]> {
    return recordablePeriods(await this.check.settings(schoolId), ukDate(this.deps.clock.now()));
  }

  /** A pupil's register page: family, every record (newest first), assessments, current answers. */
  async pupilRegister(schoolId: string, pupilId: string) {
    const db = this.deps.database.db;
    const family = await this.deps.repository.pupilWithParents(db, schoolId, pupilId);
    if (!family) throw new NotFoundError('No such pupil');
    const [history, competence, positions, settings] = await Promise.all([
      this.deps.repository.historyForPupil(db, schoolId, pupilId),
      this.deps.repository.competenceHistory(db, schoolId, pupilId),
      this.check.positions(schoolId, [pupilId]),
      this.check.settings(schoolId),
    ]);
    return {
      ...family,
      history,
      competence,
      position: positions.get(pupilId)!,
      settings,
      periods: recordablePeriods(settings, ukDate(this.deps.clock.now())),
    };
  }

  /**
   * What the consent keepers should know today: withdrawals recorded in the last `days` days
   * (each with the uses it stopped) and how many pupils on roll have no form in force.
   */
  async attention(schoolId: string, days = 7) {
    const db = this.deps.database.db;
    const now = this.deps.clock.now();
    const today = ukDate(now);
    const settings = await this.check.settings(schoolId);
    const since = new Date(now.getTime() - days * 86_400_000);
    const [withdrawals, withoutForm] = await Promise.all([
      this.deps.repository.recentWithdrawals(db, schoolId, since, 5),
      this.deps.repository.countWithoutStatement(db, schoolId, today),
    ]);
    const purposeLabel = (key: string) =>
      settings.consent.purposes.value.find((p) => p.key === key)?.label ?? key;
    return {
      period: periodFor(settings, today),
      withoutForm,
      withdrawals: withdrawals.map((w) => ({
        recordId: w.id,
        pupilId: w.pupil_id,
        pupilName: `${w.given_name} ${w.family_name}`,
        className: w.class_name,
        decidedOn: w.decided_on,
        recordedAt: new Date(w.recorded_at),
        stopped: stoppedUses(w.decisions, purposeLabel),
      })),
    };
  }

  /**
   * A school's consent coverage as figures only (the trust admin's view): how many pupils on roll
   * have no form in force (the register's definition), and how many of those an MIS import has
   * flagged as possibly left.
   */
  async coverage(
    schoolId: string,
  ): Promise<{ period: string; withoutForm: number; withoutFormPossiblyLeft: number }> {
    const today = ukDate(this.deps.clock.now());
    const [settings, counts] = await Promise.all([
      this.check.settings(schoolId),
      this.deps.repository.countWithoutStatementByFlag(this.deps.database.db, schoolId, today),
    ]);
    return {
      period: periodFor(settings, today).label,
      withoutForm: counts.all,
      withoutFormPossiblyLeft: counts.possiblyLeft,
    };
  }

  /** The children a parent holds parental responsibility for. */
  async childrenOf(schoolId: string, parentId: string) {
    return this.deps.people.childrenOfParent(this.deps.database.db, schoolId, parentId, {
      onlyWithResponsibility: true,
    });
  }
}

const mediaWords: Record<string, string> = { image: 'photos', video: 'videos' };

/**
 * The uses a statement refuses, in words, saying which media each refusal covers: "photos for
 * School social media accounts", "photos and videos for Local newspapers", "being named with a
 * photo for Local newspapers". A use whose photos are refused but whose videos are not reads
 * "photos for …", never the bare use.
 */
export function stoppedUses(
  decisions: Record<string, string>,
  purposeLabel: (key: string) => string,
): string[] {
  const byPurpose = new Map<string, { media: string[]; named: boolean }>();
  for (const [key, decision] of Object.entries(decisions)) {
    if (decision !== 'refused') continue;
    const cut = key.lastIndexOf('/');
    const purpose = key.slice(0, cut);
    const kind = key.slice(cut + 1);
    const entry = byPurpose.get(purpose) ?? { media: [], named: false };
    if (kind === 'name') entry.named = true;
    else entry.media.push(mediaWords[kind] ?? kind);
    byPurpose.set(purpose, entry);
  }
  const out: string[] = [];
  for (const [purpose, { media, named }] of byPurpose) {
    const label = purposeLabel(purpose);
    if (media.length) out.push(`${media.sort().join(' and ')} for ${label}`);
    if (named) out.push(`being named with a photo for ${label}`);
  }
  return out;
}
