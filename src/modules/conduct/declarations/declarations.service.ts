import { ukDate } from '../../../platform/clock.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../errors.ts';
import type { Principal, StaffPrincipal } from '../../auth/index.ts';
import type { PolicyRole, PolicySettings } from '../../policies/index.ts';
import {
  canRespondToDeclaration,
  canReviewDeclarations,
  canSeeDeclaration,
  declarationKindsOffered,
  declarationReviewerFor,
  type DeclarationKind,
} from '../conduct.policy.ts';
import {
  actorOf,
  emailPerson,
  emailRole,
  settingsOf,
  staffOnly,
  type ConductDeps,
} from '../conduct-deps.ts';
import { declarationKindShort, type DeclarationInput } from './declarations.forms.ts';
import type { DeclarationRow, DeclarationsRepository } from './declarations.repository.ts';

export type { DeclarationRow };

/** What opening an incident from a declaration needs (the incidents module's report, lazily). */
export interface IncidentsPort {
  fromDeclaration(
    p: StaffPrincipal,
    report: {
      whatHappened: string;
      platform: string | null;
      pupilIds: string[];
      staffIds: string[];
    },
  ): Promise<{ id: string }>;
}

export interface DeclarationView {
  declaration: DeclarationRow;
  declarantName: string;
  subjectName: string | null;
  reviewerName: string | null;
  /** This person may respond to it (its reviewer, and not the person who made it). */
  isReviewer: boolean;
  isOwn: boolean;
  /**
   * The person who made it holds the profile's reviewer role, so someone else reads it: the
   * school's title for that role (`people.roleTitles`), or null when the profile names nobody.
   */
  readInsteadBy: { title: string | null } | null;
}

/** Nobody responds to their own declaration (`conduct.selfRequestDeciders`). */
const ownDeclarationMessage =
  'You made this declaration, so you cannot respond to it: someone else must read it.';

/**
 * Staff declarations (SPEC §3.7): friend or follow requests, social contact with a pupil's
 * family, and the check of one's own online presence, each only where the profile's conduct rules
 * ask for it; read by the profile's reviewer (`conduct.declarationReviewerRole`), who records a
 * response. Every change is one transaction with one audit event.
 */
export class DeclarationsService {
  constructor(
    private readonly deps: ConductDeps & {
      repository: DeclarationsRepository;
      incidents?: () => IncidentsPort | undefined;
    },
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  async reviewerRole(schoolId: string): Promise<PolicyRole> {
    return (await settingsOf(this.deps, schoolId)).conduct.declarationReviewerRole.value;
  }

  /** Who reads a declaration by someone with these roles (`declarationReviewerFor`). */
  private reviewerFor(settings: PolicySettings, declarantRoles: readonly string[]) {
    return declarationReviewerFor(
      declarantRoles,
      settings.conduct.declarationReviewerRole.value,
      settings.conduct.selfRequestDeciders.value,
    );
  }

  /** The roles the person who made a declaration holds now (none once they have left). */
  private async declarantRoles(schoolId: string, staffId: string): Promise<string[]> {
    const roster = await this.deps.people.staffRoster(this.db, schoolId);
    return roster.find((s) => s.id === staffId)?.roles ?? [];
  }

  async isReviewer(p: Principal): Promise<boolean> {
    if (p.kind !== 'staff') return false;
    return canReviewDeclarations(p, await this.reviewerRole(p.schoolId));
  }

  /** The kinds of declaration this school's rules ask for, with the rule behind each. */
  async kindsOffered(schoolId: string) {
    const settings = await settingsOf(this.deps, schoolId);
    const c = settings.conduct;
    const rules = {
      friend_request: c.friendRequestsMustBeDeclared,
      social_contact: c.socialContactMustBeDeclared,
      online_presence: c.newStarterOnlinePresenceCheck.value
        ? c.newStarterOnlinePresenceCheck
        : c.regularOnlinePresenceCheck,
    };
    return declarationKindsOffered(settings).map((kind) => ({ kind, rule: rules[kind] }));
  }

  /** The roll and the parents, for choosing who a request came from (PeopleDirectory, one statement each). */
  async choices(schoolId: string) {
    const [pupils, parents] = await Promise.all([
      this.deps.people.pupilsOnRoll(this.db, schoolId, ukDate(this.deps.clock.now())),
      this.deps.people.parentRoster(this.db, schoolId),
    ]);
    return {
      pupils: pupils.map((p) => ({
        id: p.id,
        name: `${p.givenName} ${p.familyName}`,
        className: p.className,
      })),
      parents: parents
        .map((p) => ({ id: p.id, name: `${p.givenName} ${p.familyName}`.trim() }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  async declare(p: Principal, input: DeclarationInput): Promise<DeclarationRow> {
    const who = staffOnly(p);
    const { database, repository, audit, clock, people } = this.deps;
    const settings = await settingsOf(this.deps, who.schoolId);
    if (!declarationKindsOffered(settings).includes(input.kind)) throw new NotFoundError();
    const now = clock.now();
    const values: Parameters<DeclarationsRepository['create']>[1] = {
      schoolId: who.schoolId,
      staffId: who.id,
      kind: input.kind,
      details: '',
      declaredAt: now,
      status: 'awaiting_review',
    };
    if (input.kind === 'friend_request') {
      const v = input.value;
      values.platform = v.platform;
      values.subjectKind = v.from;
      values.actionTaken = v.actionTaken;
      values.details = v.details;
      if (v.from === 'pupil') {
        const [pupil] = await people.pupilsByIds(this.db, who.schoolId, [v.pupilId!]);
        if (!pupil) throw new ValidationError({ pupilId: 'Select the pupil' });
        values.subjectPupilId = pupil.id;
      } else if (v.from === 'parent') {
        const names = await people.displayNames(this.db, who.schoolId, {
          staff: [],
          parents: [v.parentId!],
          pupils: [],
        });
        if (!names.parents.has(v.parentId!))
          throw new ValidationError({ parentId: 'Select the parent or carer' });
        values.subjectParentId = v.parentId!;
      } else {
        values.subjectText = v.exPupilName;
      }
    } else if (input.kind === 'social_contact') {
      const [pupil] = await people.pupilsByIds(this.db, who.schoolId, [input.value.pupilId]);
      if (!pupil) throw new ValidationError({ pupilId: 'Select the pupil whose family it is' });
      values.subjectKind = 'family';
      values.subjectPupilId = pupil.id;
      values.details = input.value.details;
    } else {
      values.actionTaken = input.value.outcome;
      values.details = input.value.details;
    }
    const row = await database.transaction(async (tx) => {
      const created = await repository.create(tx.db, values);
      await audit.record(tx, {
        schoolId: who.schoolId,
        actor: actorOf(who),
        action: 'conduct.declaration-made',
        entityType: 'conduct_declaration',
        entityId: created.id,
        data: { kind: created.kind },
      });
      return created;
    });
    await emailRole(
      this.deps,
      who.schoolId,
      this.reviewerFor(settings, who.roles) ?? settings.conduct.declarationReviewerRole.value,
      who.id,
      'A staff declaration is waiting for you to read',
      `/conduct/declarations/${row.id}`,
    );
    return row;
  }

  async listOwn(p: Principal): Promise<DeclarationRow[]> {
    const who = staffOnly(p);
    return this.deps.repository.listOwn(this.db, who.schoolId, who.id);
  }

  /** Every declaration of the school, with the names of who made them: the reviewer only. */
  async listForReview(
    p: Principal,
  ): Promise<{ rows: DeclarationRow[]; names: Map<string, string> }> {
    const who = staffOnly(p);
    if (!(await this.isReviewer(who))) throw new NotFoundError();
    const rows = await this.deps.repository.listAll(this.db, who.schoolId);
    const names = await this.deps.people.displayNames(this.db, who.schoolId, {
      staff: rows.map((r) => r.staffId),
      parents: [],
      pupils: [],
    });
    return { rows, names: names.staff };
  }

  async countAwaitingReview(schoolId: string): Promise<number> {
    return this.deps.repository.countAwaitingReview(this.db, schoolId);
  }

  async view(p: Principal, id: string): Promise<DeclarationView> {
    const who = staffOnly(p);
    const declaration = await this.deps.repository.get(this.db, who.schoolId, id);
    if (!declaration) throw new NotFoundError();
    const settings = await settingsOf(this.deps, who.schoolId);
    const reviewerRole = settings.conduct.declarationReviewerRole.value;
    const declarantRoles =
      declaration.staffId === who.id
        ? who.roles
        : await this.declarantRoles(who.schoolId, declaration.staffId);
    const reviewerForIt = this.reviewerFor(settings, declarantRoles);
    if (!canSeeDeclaration(who, declaration, reviewerRole, reviewerForIt))
      throw new NotFoundError();
    const names = await this.deps.people.displayNames(this.db, who.schoolId, {
      staff: [declaration.staffId, ...(declaration.reviewedBy ? [declaration.reviewedBy] : [])],
      parents: declaration.subjectParentId ? [declaration.subjectParentId] : [],
      pupils: declaration.subjectPupilId ? [declaration.subjectPupilId] : [],
    });
    const subjectName = declaration.subjectPupilId
      ? (names.pupils.get(declaration.subjectPupilId) ?? 'A pupil no longer on record')
      : declaration.subjectParentId
        ? (names.parents.get(declaration.subjectParentId) ?? 'A parent no longer on record')
        : declaration.subjectText;
    return {
      declaration,
      declarantName: names.staff.get(declaration.staffId) ?? 'A former member of staff',
      subjectName,
      reviewerName: declaration.reviewedBy
        ? (names.staff.get(declaration.reviewedBy) ?? null)
        : null,
      isReviewer: canRespondToDeclaration(who, declaration, reviewerForIt),
      isOwn: declaration.staffId === who.id,
      readInsteadBy: declarantRoles.includes(reviewerRole)
        ? {
            title: reviewerForIt === null ? null : settings.people.roleTitles.value[reviewerForIt],
          }
        : null,
    };
  }

  /**
   * The declaration's page for the person who may respond to it; anyone else gets a 404, except
   * the one who made it while holding the reviewer role, who sees it and is told someone else
   * must respond (403).
   */
  async responder(p: Principal, id: string): Promise<DeclarationView> {
    const view = await this.view(p, id);
    if (view.isReviewer) return view;
    if (view.isOwn && view.readInsteadBy) throw new ForbiddenError(ownDeclarationMessage);
    throw new NotFoundError();
  }

  /** The reviewer's response; a declaration is reviewed once (a further note is an incident). */
  async review(p: Principal, id: string, response: string): Promise<DeclarationRow> {
    const who = staffOnly(p);
    await this.responder(who, id);
    const { database, repository, audit, clock } = this.deps;
    const row = await database.transaction(async (tx) => {
      const d = await repository.getForUpdate(tx.db, who.schoolId, id);
      if (!d) throw new NotFoundError();
      if (d.status === 'reviewed')
        throw new ConflictError('This declaration already has a response.');
      await repository.review(tx.db, who.schoolId, id, {
        reviewedBy: who.id,
        reviewedAt: clock.now(),
        response,
      });
      await audit.record(tx, {
        schoolId: who.schoolId,
        actor: actorOf(who),
        action: 'conduct.declaration-reviewed',
        entityType: 'conduct_declaration',
        entityId: id,
        data: { kind: d.kind },
      });
      return d;
    });
    await emailPerson(
      this.deps,
      row.staffId,
      'Your declaration has a response',
      `/conduct/declarations/${id}`,
    );
    return row;
  }

  /** Whether declarations can become incidents here (the incidents module is wired). */
  incidentsAvailable(): boolean {
    return this.deps.incidents?.() !== undefined;
  }

  /**
   * The reviewer opens an incident from a declaration in one step; the two are linked. The
   * declaration's row is held FOR UPDATE while the incident is reported (in the incidents
   * module's own transaction) and linked, so a second press, or a second reviewer at the same
   * moment, waits and then finds the link: one declaration opens one incident.
   */
  async openIncident(p: Principal, id: string): Promise<{ incidentId: string }> {
    const who = staffOnly(p);
    const port = this.deps.incidents?.();
    if (!port) throw new NotFoundError();
    const view = await this.responder(who, id);
    return this.deps.database.transaction(async (tx) => {
      const d = await this.deps.repository.getForUpdate(tx.db, who.schoolId, id);
      if (!d) throw new NotFoundError();
      if (d.incidentId)
        throw new ConflictError('An incident has already been opened from this declaration.');
      const parts = [
        `${view.declarantName} declared: ${declarationKindShort[d.kind as DeclarationKind].toLowerCase()}` +
          (view.subjectName ? ` (${view.subjectName})` : '') +
          (d.platform ? ` on ${d.platform}` : '') +
          '.',
        d.details,
        d.response ? `Response: ${d.response}` : '',
      ];
      const incident = await port.fromDeclaration(who, {
        whatHappened: parts.filter(Boolean).join('\n\n').slice(0, 5000),
        platform: d.platform,
        pupilIds: d.subjectPupilId ? [d.subjectPupilId] : [],
        staffIds: [d.staffId],
      });
      await this.deps.repository.linkIncident(tx.db, who.schoolId, id, incident.id);
      await this.deps.audit.record(tx, {
        schoolId: who.schoolId,
        actor: actorOf(who),
        action: 'conduct.declaration-incident-opened',
        entityType: 'conduct_declaration',
        entityId: id,
        data: { incidentId: incident.id },
      });
      return { incidentId: incident.id };
    });
  }
}
