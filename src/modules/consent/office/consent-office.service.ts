import { ukDate, type Clock } from '../../../platform/clock.ts';
import type { Database } from '../../../platform/db/database.ts';
import { NotFoundError } from '../../../errors.ts';
import type { StaffPrincipal } from '../../auth/index.ts';
import type { StaffClassesService } from '../../people/index.ts';
import { formatCitation, type MediaType, type PolicySettings } from '../../policies/index.ts';
import type { ConsentService } from '../register/consent.service.ts';
import type { ConsentKeeperService } from '../consent-keeper.ts';
import { seesWholeConsentRegister } from '../consent.policy.ts';
import {
  consentDecisionLabels,
  consentKeysFor,
  consentKindLabels,
  consentMethodLabels,
  parseConsentKey,
  type ConsentAnswer,
  type ConsentKind,
  type ConsentMethod,
} from '../register/consent-rules.ts';
import type { ConsentOfficeRepository, OfficePupil } from './consent-office.repository.ts';
import { csvCell } from '../../../platform/csv.ts';
import { namingApplies, namingNotApplicable, outcomeDisplay } from './consent-office-display.ts';
import { OfficePupilRecords } from './consent-office-pupil.ts';

export { namingNotApplicable, outcomeDisplay } from './consent-office-display.ts';

export interface ConsentColumn {
  key: string;
  purpose: string;
  purposeLabel: string;
  kind: ConsentKind;
  kindLabel: string;
}

export interface CardEntry {
  pupilId: string;
  name: string;
  restriction: string;
}

export interface ClassCard {
  className: string;
  schoolDate: string;
  printedAt: Date;
  pupils: number;
  doNotPhotograph: CardEntry[];
  purposes: {
    key: string;
    label: string;
    external: boolean;
    mustNotAppear: CardEntry[];
    /** Null when the policy does not ask separately about names for this purpose. */
    mayBeNamed: string[] | null;
  }[];
  citations: { consent: string; names: string; withdrawal: string };
}

export interface ChangeRow {
  recordId: string;
  pupilId: string;
  pupilName: string;
  className: string | null;
  kind: string;
  method: string;
  decider: string;
  recordedBy: string;
  recordedAt: Date;
  decidedOn: string;
  periodKey: string;
  hasEvidence: boolean;
  changes: string[];
}

/** CSV cells that a spreadsheet would run as a formula get a leading apostrophe (platform/csv.ts). */
export { csvCell };

/** The instant a UK calendar day starts (midnight in Europe/London). */
export function startOfUkDay(date: string): Date {
  const utc = Date.parse(`${date}T00:00:00Z`);
  const hourBefore = new Date(utc - 3_600_000);
  return ukDate(hourBefore) === date ? hourBefore : new Date(utc);
}

function nameOf(p: { givenName: string; familyName: string }): string {
  return `${p.givenName} ${p.familyName}`;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * What the staff (office) consent pages do (issue 3 item 5): read the register — the overview,
 * the class matrix, class cards, changes since a date, the export, the batch check and a pupil's
 * register — and write to it for the office: paper forms, withdrawals and competence
 * assessments. Every decision and every write goes through ConsentService (the one place the
 * rules live). Teachers and support staff see only their assigned classes; anything else looks
 * missing (404). The profile's record keeper keeps the whole school's record, so the register's
 * pages show them every pupil whatever their role (`seesWholeConsentRegister`).
 */
export class ConsentOfficeService {
  constructor(
    private readonly deps: {
      database: Database;
      repository: ConsentOfficeRepository;
      consent: ConsentService;
      staffClasses: StaffClassesService;
      /** The profile's record keeper (a kept read per school). */
      keeper: Pick<ConsentKeeperService, 'keeperFor'>;
      clock: Clock;
    },
  ) {
    this.pupil = new OfficePupilRecords(deps, this);
  }

  private readonly pupil: OfficePupilRecords;

  private get db() {
    return this.deps.database.db;
  }

  private today(): string {
    return ukDate(this.deps.clock.now());
  }

  /** The columns of the matrix: every purpose × media type (and naming) the profile asks about. */
  columns(settings: PolicySettings): ConsentColumn[] {
    return consentKeysFor(settings).map((key) => {
      const { purpose, kind } = parseConsentKey(key)!;
      const p = settings.consent.purposes.value.find((x) => x.key === purpose)!;
      return { key, purpose, purposeLabel: p.label, kind, kindLabel: consentKindLabels[kind] };
    });
  }

  /**
   * Which classes' pupils the register's pages show this person: the one pupil scope
   * (pupil-scope.ts), or every class for the profile's record keeper.
   */
  private async registerScope(p: StaffPrincipal): Promise<(className: string | null) => boolean> {
    const [scope, keeper] = await Promise.all([
      this.deps.staffClasses.scopeOf(p),
      this.deps.keeper.keeperFor(p),
    ]);
    if (seesWholeConsentRegister(p, keeper)) return () => true;
    return (className) => scope.includesClass(className);
  }

  /**
   * The classes this person may see on the register's pages: every class for school-wide staff
   * and the record keeper, the assigned classes for teachers and teaching assistants.
   */
  async visibleClasses(p: StaffPrincipal): Promise<{ className: string; pupils: number }[]> {
    const [all, includes] = await Promise.all([
      this.deps.repository.classes(this.db, p.schoolId, this.today()),
      this.registerScope(p),
    ]);
    return all.filter((c) => includes(c.className));
  }

  /** The classes the batch check offers: the one pupil scope, as the check API uses it. */
  async checkableClasses(p: StaffPrincipal): Promise<{ className: string; pupils: number }[]> {
    const [all, scope] = await Promise.all([
      this.deps.repository.classes(this.db, p.schoolId, this.today()),
      this.deps.staffClasses.scopeOf(p),
    ]);
    return all.filter((c) => scope.includesClass(c.className));
  }

  /** A class this person may see, with its pupils on roll; otherwise NotFound. */
  private async classFor(p: StaffPrincipal, className: string): Promise<OfficePupil[]> {
    const includes = await this.registerScope(p);
    if (!includes(className)) throw new NotFoundError('No such class');
    const pupils = await this.deps.repository.pupilsInClass(
      this.db,
      p.schoolId,
      className,
      this.today(),
    );
    if (pupils.length === 0) throw new NotFoundError('No such class');
    return pupils;
  }

  /** A pupil this person may see (by the pupil scope); otherwise NotFound, like a missing one. */
  async pupilFor(p: StaffPrincipal, pupilId: string): Promise<OfficePupil> {
    const [pupil, includes] = await Promise.all([
      this.deps.repository.pupil(this.db, p.schoolId, pupilId),
      this.registerScope(p),
    ]);
    if (!pupil || !includes(pupil.className)) throw new NotFoundError('No such pupil');
    return pupil;
  }

  private async positionsFor(schoolId: string, ids: readonly string[], at?: Date) {
    const out = new Map<string, Map<string, ConsentAnswer>>();
    for (const part of chunks(ids, 1000)) {
      for (const [id, m] of await this.deps.consent.positions(schoolId, part, at)) out.set(id, m);
    }
    return out;
  }

  /** The overview: the current period, per-class returns, refusals per purpose. */
  async overview(p: StaffPrincipal) {
    const settings = await this.deps.consent.settings(p.schoolId);
    const [periods, classes, includes] = await Promise.all([
      this.deps.consent.recordablePeriods(p.schoolId),
      this.visibleClasses(p),
      this.registerScope(p),
    ]);
    // Every pupil on roll this person may see, with or without a class: the same pupils the
    // dashboard counts (consent.repository withoutStatement).
    const pupils = (
      await this.deps.repository.pupilsOnRoll(this.db, p.schoolId, this.today())
    ).filter((x) => includes(x.className));
    const positions = await this.positionsFor(
      p.schoolId,
      pupils.map((x) => x.id),
    );
    const returnedBy = new Map<string, number>();
    const refusals = new Map<string, number>();
    let returned = 0;
    for (const pupil of pupils) {
      const answers = [...(positions.get(pupil.id)?.values() ?? [])];
      if (answers.some((a) => a.outcome === 'granted' || a.outcome === 'refused')) {
        returned += 1;
        if (pupil.className)
          returnedBy.set(pupil.className, (returnedBy.get(pupil.className) ?? 0) + 1);
      }
      const refusedPurposes = new Set(
        answers.filter((a) => a.outcome === 'refused').map((a) => a.purpose),
      );
      for (const purpose of refusedPurposes)
        refusals.set(purpose, (refusals.get(purpose) ?? 0) + 1);
    }
    return {
      period: periods[0]!,
      model: settings.consent.model,
      modelCitation: formatCitation(settings.consent.model.citation),
      pupils: pupils.length,
      returned,
      notReturned: pupils.length - returned,
      refusals: settings.consent.purposes.value.map((x) => ({
        key: x.key,
        label: x.label,
        refused: refusals.get(x.key) ?? 0,
      })),
      classes: classes.map((c) => ({ ...c, returned: returnedBy.get(c.className) ?? 0 })),
    };
  }

  /** Pupils × purposes × media types (and naming) for one class, with totals per column. */
  async classMatrix(p: StaffPrincipal, className: string) {
    const pupils = await this.classFor(p, className);
    const settings = await this.deps.consent.settings(p.schoolId);
    const columns = this.columns(settings);
    const positions = await this.positionsFor(
      p.schoolId,
      pupils.map((x) => x.id),
    );
    const totals = columns.map(() => ({
      granted: 0,
      refused: 0,
      notReturned: 0,
      missing: 0,
      notApplicable: 0,
    }));
    const rows = pupils.map((pupil) => {
      const answers = positions.get(pupil.id);
      return {
        pupil,
        name: nameOf(pupil),
        cells: columns.map((col, i) => {
          const a = answers?.get(col.key);
          const t = totals[i]!;
          if (!namingApplies(col.kind, col.purpose, answers)) {
            t.notApplicable += 1;
            return {
              key: col.key,
              outcome: 'not_applicable' as const,
              allowed: false,
              symbol: namingNotApplicable.symbol,
              text: namingNotApplicable.text,
              description: `${nameOf(pupil)}, ${col.purposeLabel}, ${col.kindLabel.toLowerCase()}: ${namingNotApplicable.text}. ${namingNotApplicable.reason}`,
              citation: '',
            };
          }
          const outcome = a?.outcome ?? 'none';
          if (outcome === 'granted') t.granted += 1;
          else if (outcome === 'refused') t.refused += 1;
          else if (outcome === 'not_returned') t.notReturned += 1;
          else t.missing += 1;
          const shown = outcomeDisplay[outcome];
          return {
            key: col.key,
            outcome,
            allowed: a?.allowed ?? false,
            ...shown,
            description:
              `${nameOf(pupil)}, ${col.purposeLabel}, ${col.kindLabel.toLowerCase()}: ${shown.text}. ${a?.reason ?? ''}`.trim(),
            citation: a?.citation ?? '',
          };
        }),
      };
    });
    const groups: { label: string; span: number }[] = [];
    for (const [i, c] of columns.entries()) {
      if (i > 0 && columns[i - 1]!.purpose === c.purpose) groups[groups.length - 1]!.span += 1;
      else groups.push({ label: c.purposeLabel, span: 1 });
    }
    return { className, columns, groups, rows, totals, at: this.deps.clock.now() };
  }

  /** The printable "do not photograph / do not publish" card for a class. */
  async classCard(p: StaffPrincipal, className: string): Promise<ClassCard> {
    const pupils = await this.classFor(p, className);
    const settings = await this.deps.consent.settings(p.schoolId);
    const positions = await this.positionsFor(
      p.schoolId,
      pupils.map((x) => x.id),
    );
    const media = settings.consent.mediaTypes.value;
    const allowed = (id: string, purpose: string, kind: ConsentKind): boolean =>
      positions.get(id)?.get(`${purpose}/${kind}`)?.allowed ?? false;
    const askedNames = new Set(
      consentKeysFor(settings)
        .map((k) => parseConsentKey(k)!)
        .filter((k) => k.kind === 'name')
        .map((k) => k.purpose),
    );
    const purposes = settings.consent.purposes.value;

    const doNotPhotograph: CardEntry[] = [];
    const excluded = new Set<string>();
    for (const pupil of pupils) {
      const any = purposes.some((x) => media.some((m) => allowed(pupil.id, x.key, m)));
      if (!any) {
        const answers = [...(positions.get(pupil.id)?.values() ?? [])];
        const refused = answers.some((a) => a.outcome === 'refused');
        doNotPhotograph.push({
          pupilId: pupil.id,
          name: nameOf(pupil),
          restriction: refused
            ? 'Consent refused or withdrawn'
            : answers.some((a) => a.outcome === 'expired')
              ? 'Consent has expired'
              : 'No consent returned',
        });
        excluded.add(pupil.id);
      }
    }
    const restrictionFor = (image: boolean, video: boolean): string | null => {
      const hasImage = media.includes('image');
      const hasVideo = media.includes('video');
      if ((!hasImage || !image) && (!hasVideo || !video)) {
        return hasImage && hasVideo ? 'No photos or videos' : hasImage ? 'No photos' : 'No videos';
      }
      if (hasImage && hasVideo && image && !video) return 'Photos OK, no videos';
      if (hasImage && hasVideo && !image && video) return 'Videos OK, no photos';
      return null;
    };
    return {
      className,
      schoolDate: this.today(),
      printedAt: this.deps.clock.now(),
      pupils: pupils.length,
      doNotPhotograph,
      purposes: purposes.map((x) => {
        const mustNotAppear: CardEntry[] = [];
        const mayBeNamed: string[] = [];
        for (const pupil of pupils) {
          if (excluded.has(pupil.id)) continue;
          const image = allowed(pupil.id, x.key, 'image');
          const video = allowed(pupil.id, x.key, 'video');
          const restriction = restrictionFor(image, video);
          if (restriction) {
            mustNotAppear.push({ pupilId: pupil.id, name: nameOf(pupil), restriction });
          } else if (askedNames.has(x.key) && allowed(pupil.id, x.key, 'name')) {
            mayBeNamed.push(nameOf(pupil));
          }
        }
        return {
          key: x.key,
          label: x.label,
          external: x.external,
          mustNotAppear,
          mayBeNamed: askedNames.has(x.key) ? mayBeNamed : null,
        };
      }),
      citations: {
        consent: formatCitation(settings.consent.model.citation),
        names: formatCitation(settings.consent.namedPhotoNeedsWrittenPermission.citation),
        withdrawal: formatCitation(settings.consent.withdrawalRetroactive.citation),
      },
    };
  }

  /** Every record made since the start of `since` (a UK date), newest first. */
  async changesSince(
    schoolId: string,
    since: string,
    limit = 2000,
  ): Promise<{ rows: ChangeRow[]; truncated: boolean }> {
    const settings = await this.deps.consent.settings(schoolId);
    const labels = new Map(this.columns(settings).map((c) => [c.key, c]));
    const found = await this.deps.repository.recordsSince(
      this.db,
      schoolId,
      startOfUkDay(since),
      limit + 1,
    );
    const rows = found.slice(0, limit).map((r) => ({
      recordId: r.id,
      pupilId: r.pupilId,
      pupilName: `${r.pupilGivenName} ${r.pupilFamilyName}`,
      className: r.className,
      kind: r.kind,
      method: consentMethodLabels[r.method as ConsentMethod] ?? r.method,
      decider:
        r.deciderKind === 'pupil'
          ? 'The pupil'
          : r.deciderGivenName
            ? `${r.deciderGivenName} ${r.deciderFamilyName}`
            : 'A parent',
      recordedBy:
        r.recordedByKind === 'staff' && r.recorderGivenName
          ? `${r.recorderGivenName} ${r.recorderFamilyName}`
          : r.recordedByKind === 'parent'
            ? 'The parent (online)'
            : r.recordedByKind === 'pupil'
              ? 'The pupil (online)'
              : 'Lanyard',
      recordedAt: r.recordedAt,
      decidedOn: r.decidedOn,
      periodKey: r.periodKey,
      hasEvidence: r.hasEvidence,
      changes: Object.entries(r.decisions).map(([key, d]) => {
        const c = labels.get(key);
        const what = c ? `${c.purposeLabel} – ${c.kindLabel.toLowerCase()}` : key;
        return `${what}: ${consentDecisionLabels[d as keyof typeof consentDecisionLabels] ?? d}`;
      }),
    }));
    return { rows, truncated: found.length > limit };
  }

  /** One row per pupil on roll × question: the current decision, who gave it, when, which period. */
  async exportCsv(schoolId: string): Promise<string> {
    const settings = await this.deps.consent.settings(schoolId);
    const columns = this.columns(settings);
    const pupils = await this.deps.repository.pupilsOnRoll(this.db, schoolId, this.today());
    const positions = await this.positionsFor(
      schoolId,
      pupils.map((x) => x.id),
    );
    const ids = new Set<string>();
    for (const m of positions.values())
      for (const a of m.values()) a.recordIds.forEach((id) => ids.add(id));
    const records = new Map<
      string,
      Awaited<ReturnType<ConsentOfficeRepository['recordsByIds']>>[number]
    >();
    for (const part of chunks([...ids], 5000)) {
      for (const r of await this.deps.repository.recordsByIds(this.db, schoolId, part))
        records.set(r.id, r);
    }
    const lines = [
      [
        'MIS id',
        'Given name',
        'Family name',
        'Year group',
        'Class',
        'Purpose',
        'Media',
        'Decision',
        'Allowed now',
        'Decided by',
        'Date on form',
        'Method',
        'Period',
      ]
        .map(csvCell)
        .join(','),
    ];
    for (const pupil of pupils) {
      const answers = positions.get(pupil.id);
      for (const col of columns) {
        const a = answers?.get(col.key);
        const outcome = a?.outcome ?? 'none';
        // The record the answer rests on: the latest whose decision for this key is the outcome.
        const behind = (a?.recordIds ?? [])
          .map((id) => records.get(id))
          .filter((r): r is NonNullable<typeof r> => !!r && col.key in r.decisions)
          .filter((r) => outcome === 'expired' || r.decisions[col.key] === outcome)
          .sort((x, y) => y.recordedAt.getTime() - x.recordedAt.getTime())[0];
        lines.push(
          [
            pupil.misId,
            pupil.givenName,
            pupil.familyName,
            pupil.yearGroup,
            pupil.className ?? '',
            col.purposeLabel,
            col.kindLabel,
            outcomeDisplay[outcome].text,
            a?.allowed ? 'Yes' : 'No',
            behind
              ? behind.deciderKind === 'pupil'
                ? 'The pupil'
                : `${behind.deciderGivenName ?? ''} ${behind.deciderFamilyName ?? ''}`.trim()
              : '',
            behind?.decidedOn ?? '',
            behind ? (consentMethodLabels[behind.method as ConsentMethod] ?? behind.method) : '',
            behind?.periodKey ?? '',
          ]
            .map(csvCell)
            .join(','),
        );
      }
    }
    return `${lines.join('\r\n')}\r\n`;
  }

  /** The batch check: may each of these pupils appear, with the reason and the clause. */
  async check(
    p: StaffPrincipal,
    input: {
      className: string;
      pupilIds: readonly string[];
      purpose: string;
      mediaType: MediaType;
      named: boolean;
      /** The UK date the picture would be used (yyyy-mm-dd). */
      on: string;
    },
  ) {
    // Today means now, so that a withdrawal recorded earlier today always counts; another day
    // is asked about at its midday.
    const now = this.deps.clock.now();
    const at = input.on === ukDate(now) ? now : new Date(`${input.on}T12:00:00Z`);
    const classes = await this.checkableClasses(p);
    if (!classes.some((c) => c.className === input.className))
      throw new NotFoundError('No such class');
    const inClass = await this.deps.repository.pupilsInClass(
      this.db,
      p.schoolId,
      input.className,
      this.today(),
    );
    const chosen = input.pupilIds.length
      ? inClass.filter((x) => input.pupilIds.includes(x.id))
      : inClass;
    const answers = await this.deps.consent.mayMany(
      p.schoolId,
      chosen.map((x) => ({
        pupilId: x.id,
        purpose: input.purpose,
        mediaType: input.mediaType,
        named: input.named,
        at,
      })),
    );
    return chosen.map((pupil, i) => ({ pupil, name: nameOf(pupil), answer: answers[i]! }));
  }

  /** Pupils of a class (for the check form's pupil picker). */
  async pupilsOfClass(p: StaffPrincipal, className: string): Promise<OfficePupil[]> {
    const classes = await this.checkableClasses(p);
    if (!classes.some((c) => c.className === className)) return [];
    return this.deps.repository.pupilsInClass(this.db, p.schoolId, className, this.today());
  }

  // One pupil's register and the office's records for them (consent-office-pupil.ts)

  register(...a: Parameters<OfficePupilRecords['register']>) {
    return this.pupil.register(...a);
  }
  recordPaperForm(...a: Parameters<OfficePupilRecords['recordPaperForm']>) {
    return this.pupil.recordPaperForm(...a);
  }
  recordWithdrawal(...a: Parameters<OfficePupilRecords['recordWithdrawal']>) {
    return this.pupil.recordWithdrawal(...a);
  }
  assessCompetence(...a: Parameters<OfficePupilRecords['assessCompetence']>) {
    return this.pupil.assessCompetence(...a);
  }
  evidence(...a: Parameters<OfficePupilRecords['evidence']>) {
    return this.pupil.evidence(...a);
  }
}
