import { ukDate } from '../../../platform/clock.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../errors.ts';
import type { Db } from '../../../platform/db/database.ts';
import type { Principal } from '../../auth/index.ts';
import type { ConsentAnswer, ConsentService } from '../../consent/index.ts';
import {
  permissionTypeKeys,
  type PermissionType,
  type PermissionTypeKey,
  type PolicyRole,
  type PolicySettings,
} from '../../policies/index.ts';
import {
  canDecidePermission,
  canSeePermission,
  canSignOffPermission,
  decidesOwnKind,
  deciderRoleFor,
} from '../conduct.policy.ts';
import {
  actorOf,
  emailPerson,
  emailRole,
  settingsOf,
  staffOnly,
  type ConductDeps,
} from '../conduct-deps.ts';
import {
  expiryFor,
  initialStatus,
  isHeld,
  isOpen,
  nextStatus,
  type DecisionStep,
  type PermissionStatus,
} from './permission-states.ts';
import { permissionTypeLabels, type RequestPermissionInput } from './permissions.forms.ts';
import type {
  DecisionRow,
  PermissionRow,
  PermissionsRepository,
} from './permissions.repository.ts';

export type { DecisionRow, PermissionRow };

export type PermissionDecision = Exclude<DecisionStep, 'requested' | 'expired'>;

export interface PermissionView {
  permission: PermissionRow;
  type: PermissionType;
  typeLabel: string;
  requesterName: string;
  pupilName: string | null;
  purposeLabel: string | null;
  decisions: (DecisionRow & { byName: string | null })[];
  /** Named photos: the consent register's current answer on naming (never a copy of it). */
  consent: ConsentAnswer | null;
  held: boolean;
  may: { signOff: boolean; decide: boolean; withdraw: boolean; checkConsent: boolean };
  ictRole: PolicyRole;
  /** Who decides this request ('parent': the consent register; null: nobody the profile names). */
  deciderRole: PolicyRole | 'parent' | null;
  /** The school's title for that role (`people.roleTitles`), or null. */
  deciderTitle: string | null;
  /** The person looking asked for it and holds the role that would decide it: someone else must. */
  ownRequest: boolean;
}

/** Nobody decides their own request (`conduct.selfRequestDeciders`). */
const ownRequestMessage =
  'You asked for this permission, so you cannot decide it: someone else must.';

/**
 * Permission requests with their decision trail (SPEC §3.7). The kinds, who decides each
 * (`grantedBy`), whether the ICT role signs off first (`ictSignOff`, `roles.ictSignOffRole`) and
 * how long a permission lasts (`expiresAfterDays`) are the profile's `conduct.permissionTypes`.
 * A named photo is the parent's decision: its answer is the consent register's naming permission.
 */
export class PermissionsService {
  constructor(
    private readonly deps: ConductDeps & {
      repository: PermissionsRepository;
      consent: ConsentService;
    },
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  /** The roles of these members of staff now (none for someone who has left). One statement. */
  private async rolesOf(db: Db, schoolId: string): Promise<Map<string, string[]>> {
    const roster = await this.deps.people.staffRoster(db, schoolId);
    return new Map(roster.map((s) => [s.id, s.roles]));
  }

  /** Who decides this request: the kind's role, or the profile's next one if the asker holds it. */
  private deciderOf(
    settings: PolicySettings,
    type: PermissionType,
    requesterRoles: readonly string[],
  ): PolicyRole | 'parent' | null {
    return deciderRoleFor(type, requesterRoles, settings.conduct.selfRequestDeciders.value);
  }

  async settings(schoolId: string): Promise<PolicySettings> {
    return settingsOf(this.deps, schoolId);
  }

  /** The kinds staff may ask for at this school, with the profile's rule for each. */
  async typesOffered(schoolId: string) {
    const settings = await this.settings(schoolId);
    return permissionTypeKeys
      .map((key) => ({
        key,
        rule: settings.conduct.permissionTypes[key],
        label: permissionTypeLabels[key],
      }))
      .filter((t) => t.rule.value.enabled);
  }

  /** Pupils on roll and the consent purposes seen outside school, for a named photo. */
  async namedPhotoChoices(schoolId: string) {
    const settings = await this.settings(schoolId);
    const pupils = await this.deps.people.pupilsOnRoll(
      this.db,
      schoolId,
      ukDate(this.deps.clock.now()),
    );
    return {
      pupils: pupils.map((p) => ({
        id: p.id,
        name: `${p.givenName} ${p.familyName}`,
        className: p.className,
      })),
      purposes: settings.consent.purposes.value.filter((p) => p.external),
    };
  }

  async request(p: Principal, input: RequestPermissionInput): Promise<PermissionRow> {
    const who = staffOnly(p);
    const { database, repository, audit, clock } = this.deps;
    const settings = await this.settings(who.schoolId);
    const type = settings.conduct.permissionTypes[input.type].value;
    if (!type.enabled)
      throw new ValidationError({ type: 'The school’s policy does not let staff ask for this' });
    let pupilId: string | null = null;
    let purposeKey: string | null = null;
    if (input.type === 'named_newspaper_photo') {
      const [pupil] = await this.deps.people.pupilsByIds(this.db, who.schoolId, [input.pupilId!]);
      if (!pupil) throw new ValidationError({ pupilId: 'Select the pupil to be named' });
      const purpose = settings.consent.purposes.value.find(
        (x) => x.key === input.purposeKey && x.external,
      );
      if (!purpose) throw new ValidationError({ purposeKey: 'Select where the photo will appear' });
      pupilId = pupil.id;
      purposeKey = purpose.key;
    }
    const now = clock.now();
    const status = initialStatus(type);
    const row = await database.transaction(async (tx) => {
      const created = await repository.create(tx.db, {
        schoolId: who.schoolId,
        staffId: who.id,
        type: input.type,
        reason: input.reason,
        pupilId,
        purposeKey,
        status,
        requestedAt: now,
      });
      await repository.addDecision(tx.db, {
        schoolId: who.schoolId,
        permissionId: created.id,
        step: 'requested',
        staffId: who.id,
        reason: input.reason,
        at: now,
      });
      await audit.record(tx, {
        schoolId: who.schoolId,
        actor: actorOf(who),
        action: 'conduct.permission-requested',
        entityType: 'conduct_permission',
        entityId: created.id,
        data: { type: input.type, status },
      });
      return created;
    });
    if (status === 'awaiting_parent') {
      // The parent's answer may already be in the consent register.
      await this.checkConsent(who, row.id, { quiet: true });
    } else {
      const decider = this.deciderOf(settings, type, who.roles);
      const role = status === 'awaiting_sign_off' ? settings.roles.ictSignOffRole.value : decider;
      if (role && role !== 'parent')
        await emailRole(
          this.deps,
          who.schoolId,
          role,
          who.id,
          status === 'awaiting_sign_off'
            ? 'A permission request needs your sign-off'
            : 'A permission request is waiting for your decision',
          `/conduct/permissions/${row.id}`,
        );
    }
    return (await repository.get(this.db, who.schoolId, row.id))!;
  }

  /** A step in the trail: ICT sign-off, the decision, or withdrawal (each by whoever may take it). */
  async decide(
    p: Principal,
    id: string,
    step: PermissionDecision,
    reason: string,
  ): Promise<PermissionRow> {
    const who = staffOnly(p);
    const { database, repository, audit, clock } = this.deps;
    const settings = await this.settings(who.schoolId);
    const ictRole = settings.roles.ictSignOffRole.value;
    const result = await database.transaction(async (tx) => {
      const perm = await repository.getForUpdate(tx.db, who.schoolId, id);
      if (!perm) throw new NotFoundError();
      const type = this.typeOf(settings, perm);
      const roles = await this.rolesOf(tx.db, who.schoolId);
      const decider = this.deciderOf(settings, type, roles.get(perm.staffId) ?? []);
      if (!canSeePermission(who, perm, type, ictRole, decider)) throw new NotFoundError();
      const allowed =
        step === 'signed_off' || step === 'sign_off_refused'
          ? canSignOffPermission(who, type, ictRole)
          : step === 'withdrawn'
            ? perm.staffId === who.id || canDecidePermission(who, perm, decider)
            : canDecidePermission(who, perm, decider);
      if (!allowed) {
        // Their own request, of a kind their role decides: they see it, someone else decides.
        if (perm.staffId === who.id && (step === 'granted' || step === 'refused'))
          throw new ForbiddenError(ownRequestMessage);
        throw new NotFoundError();
      }
      const next = nextStatus(perm.status as PermissionStatus, step);
      if (!next)
        throw new ConflictError(this.conflictMessage(perm.status as PermissionStatus, step));
      const now = clock.now();
      await repository.addDecision(tx.db, {
        schoolId: who.schoolId,
        permissionId: id,
        step,
        staffId: who.id,
        reason: reason || null,
        at: now,
      });
      await repository.setStatus(tx.db, who.schoolId, id, {
        status: next,
        ...(next === 'granted' ? { grantedAt: now, expiresAt: expiryFor(type, now) } : {}),
      });
      await audit.record(tx, {
        schoolId: who.schoolId,
        actor: actorOf(who),
        action: `conduct.permission-${step.replace(/_/g, '-')}`,
        entityType: 'conduct_permission',
        entityId: id,
        data: { type: perm.type, from: perm.status, to: next },
      });
      return { perm, type, next, decider };
    });
    const path = `/conduct/permissions/${id}`;
    if (result.next === 'awaiting_decision') {
      if (result.decider && result.decider !== 'parent')
        await emailRole(
          this.deps,
          who.schoolId,
          result.decider,
          result.perm.staffId,
          'A permission request is waiting for your decision',
          path,
        );
    } else if (result.perm.staffId !== who.id) {
      await emailPerson(
        this.deps,
        result.perm.staffId,
        'Your permission request has an answer',
        path,
      );
    }
    return (await repository.get(this.db, who.schoolId, id))!;
  }

  private conflictMessage(status: PermissionStatus, step: DecisionStep): string {
    if (status === 'awaiting_sign_off' && (step === 'granted' || step === 'refused'))
      return 'It must be signed off by ICT before it can be decided.';
    if (!isOpen(status) && status !== 'granted') return 'This request has already been decided.';
    return 'This request has changed since you opened it. Look at it again.';
  }

  private typeOf(settings: PolicySettings, perm: PermissionRow): PermissionType {
    const key = perm.type as PermissionTypeKey;
    const rule = settings.conduct.permissionTypes[key];
    if (!rule) throw new NotFoundError();
    return rule.value;
  }

  /**
   * A named photo: asks the consent register whether a parent has given written permission to
   * name the pupil for that purpose; if so the request is granted (recorded by Lanyard, citing
   * the register). Nothing is copied: the page always shows the register's current answer.
   */
  async checkConsent(
    p: Principal,
    id: string,
    options: { quiet?: boolean } = {},
  ): Promise<{ answer: ConsentAnswer; granted: boolean }> {
    const who = staffOnly(p);
    const settings = await this.settings(who.schoolId);
    const perm = await this.deps.repository.get(this.db, who.schoolId, id);
    if (!perm || perm.type !== 'named_newspaper_photo' || !perm.pupilId || !perm.purposeKey)
      throw new NotFoundError();
    const type = this.typeOf(settings, perm);
    if (!canSeePermission(who, perm, type, settings.roles.ictSignOffRole.value, 'parent'))
      throw new NotFoundError();
    const answer = await this.consentAnswer(who.schoolId, perm);
    if (!answer.allowed || perm.status !== 'awaiting_parent') return { answer, granted: false };
    const { database, repository, audit, clock } = this.deps;
    const granted = await database.transaction(async (tx) => {
      const locked = await repository.getForUpdate(tx.db, who.schoolId, id);
      if (!locked || locked.status !== 'awaiting_parent') return false;
      const now = clock.now();
      await repository.addDecision(tx.db, {
        schoolId: who.schoolId,
        permissionId: id,
        step: 'granted',
        staffId: null,
        reason: `The consent register holds the parent’s permission: ${answer.reason}`,
        at: now,
      });
      await repository.setStatus(tx.db, who.schoolId, id, {
        status: 'granted',
        grantedAt: now,
        expiresAt: expiryFor(type, now),
      });
      await audit.record(tx, {
        schoolId: who.schoolId,
        actor: actorOf(who),
        action: 'conduct.permission-granted',
        entityType: 'conduct_permission',
        entityId: id,
        data: { type: perm.type, from: 'awaiting_parent', to: 'granted', by: 'consent_register' },
      });
      return true;
    });
    if (granted && !options.quiet && perm.staffId !== who.id)
      await emailPerson(
        this.deps,
        perm.staffId,
        'Your permission request has an answer',
        `/conduct/permissions/${id}`,
      );
    return { answer, granted };
  }

  private consentAnswer(schoolId: string, perm: PermissionRow): Promise<ConsentAnswer> {
    return this.deps.consent.may({
      schoolId,
      pupilId: perm.pupilId!,
      purpose: perm.purposeKey!,
      mediaType: 'image',
      named: true,
    });
  }

  async view(p: Principal, id: string): Promise<PermissionView> {
    const who = staffOnly(p);
    const settings = await this.settings(who.schoolId);
    const ictRole = settings.roles.ictSignOffRole.value;
    const permission = await this.deps.repository.get(this.db, who.schoolId, id);
    if (!permission) throw new NotFoundError();
    const type = this.typeOf(settings, permission);
    const roles = await this.rolesOf(this.db, who.schoolId);
    const decider = this.deciderOf(settings, type, roles.get(permission.staffId) ?? []);
    if (!canSeePermission(who, permission, type, ictRole, decider)) throw new NotFoundError();
    const decisions = await this.deps.repository.decisions(this.db, who.schoolId, id);
    const names = await this.deps.people.displayNames(this.db, who.schoolId, {
      staff: [permission.staffId, ...decisions.flatMap((d) => (d.staffId ? [d.staffId] : []))],
      parents: [],
      pupils: permission.pupilId ? [permission.pupilId] : [],
    });
    const consent =
      permission.type === 'named_newspaper_photo' && permission.pupilId && permission.purposeKey
        ? await this.consentAnswer(who.schoolId, permission).catch(() => null)
        : null;
    const status = permission.status as PermissionStatus;
    const now = this.deps.clock.now();
    const purpose = settings.consent.purposes.value.find((x) => x.key === permission.purposeKey);
    return {
      permission,
      type,
      typeLabel: permissionTypeLabels[permission.type as PermissionTypeKey] ?? 'Permission',
      requesterName: names.staff.get(permission.staffId) ?? 'A former member of staff',
      pupilName: permission.pupilId ? (names.pupils.get(permission.pupilId) ?? null) : null,
      purposeLabel: purpose?.label ?? null,
      decisions: decisions.map((d) => ({
        ...d,
        byName: d.staffId ? (names.staff.get(d.staffId) ?? 'A former member of staff') : null,
      })),
      consent,
      held:
        isHeld(permission, now) &&
        (permission.type !== 'named_newspaper_photo' || consent?.allowed === true),
      may: {
        signOff: status === 'awaiting_sign_off' && canSignOffPermission(who, type, ictRole),
        decide: status === 'awaiting_decision' && canDecidePermission(who, permission, decider),
        withdraw:
          (isOpen(status) || status === 'granted') &&
          (permission.staffId === who.id || canDecidePermission(who, permission, decider)),
        checkConsent: status === 'awaiting_parent',
      },
      ictRole,
      deciderRole: decider,
      deciderTitle:
        decider && decider !== 'parent' ? settings.people.roleTitles.value[decider] : null,
      ownRequest: decidesOwnKind(who, permission, type),
    };
  }

  /** What this person has asked for, newest first, with whether each is held now. */
  async listOwn(p: Principal) {
    const who = staffOnly(p);
    const rows = await this.deps.repository.listOwn(this.db, who.schoolId, who.id);
    const now = this.deps.clock.now();
    return rows.map((r) => ({ ...r, held: isHeld(r, now) }));
  }

  /** Requests waiting for this person: their ICT sign-off, or their decision. */
  async waitingFor(
    p: Principal,
    options: { names?: boolean } = {},
  ): Promise<{
    signOff: PermissionRow[];
    decide: PermissionRow[];
    names: Map<string, string>;
  }> {
    const who = staffOnly(p);
    const settings = await this.settings(who.schoolId);
    const ictRole = settings.roles.ictSignOffRole.value;
    const types = permissionTypeKeys.map((key) => ({
      key,
      type: settings.conduct.permissionTypes[key].value,
    }));
    const signOffTypes = types
      .filter((t) => canSignOffPermission(who, t.type, ictRole))
      .map((t) => t.key);
    // Requests a role of theirs may decide: the kind's own role, or (asked by someone who holds
    // that) one of the profile's self-request deciders; each then checked against who asked.
    const fallbacks = settings.conduct.selfRequestDeciders.value;
    const mayDecideSome = types
      .filter(
        (t) =>
          t.type.grantedBy !== 'parent' &&
          [t.type.grantedBy, ...fallbacks].some((role) => who.roles.includes(role)),
      )
      .map((t) => t.key);
    const [signOff, candidates] = await Promise.all([
      this.deps.repository.listByStatus(this.db, who.schoolId, ['awaiting_sign_off'], signOffTypes),
      this.deps.repository.listByStatus(
        this.db,
        who.schoolId,
        ['awaiting_decision'],
        mayDecideSome,
      ),
    ]);
    const roles = candidates.length ? await this.rolesOf(this.db, who.schoolId) : new Map();
    const typeOf = new Map(types.map((t) => [t.key as string, t.type]));
    const decide = candidates.filter((r) => {
      const type = typeOf.get(r.type);
      return (
        !!type &&
        canDecidePermission(who, r, this.deciderOf(settings, type, roles.get(r.staffId) ?? []))
      );
    });
    if (options.names === false || signOff.length + decide.length === 0)
      return { signOff, decide, names: new Map() };
    const names = await this.deps.people.displayNames(this.db, who.schoolId, {
      staff: [...signOff, ...decide].map((r) => r.staffId),
      parents: [],
      pupils: [],
    });
    return { signOff, decide, names: names.staff };
  }

  /** Granted permissions of the school (the ICT Technician links filtering exceptions to them). */
  async granted(schoolId: string): Promise<PermissionRow[]> {
    return this.deps.repository.listByStatus(this.db, schoolId, ['granted']);
  }

  async get(schoolId: string, id: string): Promise<PermissionRow | undefined> {
    return this.deps.repository.get(this.db, schoolId, id);
  }

  /**
   * Whether this member of staff holds a current permission of this kind (the publishing check
   * for reminder posts reads it). Granted, not expired, and not withdrawn.
   */
  async holds(
    schoolId: string,
    staffId: string,
    type: PermissionTypeKey,
    at: Date = this.deps.clock.now(),
  ): Promise<boolean> {
    return this.deps.repository.holds(this.db, schoolId, staffId, type, at);
  }

  /** The expiry job: granted permissions past their date become expired, each with its step. */
  async expireDue(limit = 500): Promise<number> {
    const { database, repository, audit, clock } = this.deps;
    const now = clock.now();
    return database.transaction(async (tx) => {
      const due = await repository.dueToExpire(tx.db, now, limit);
      for (const perm of due) {
        await repository.addDecision(tx.db, {
          schoolId: perm.schoolId,
          permissionId: perm.id,
          step: 'expired',
          staffId: null,
          reason: null,
          at: now,
        });
        await repository.setStatus(tx.db, perm.schoolId, perm.id, { status: 'expired' });
        await audit.record(tx, {
          schoolId: perm.schoolId,
          actor: { kind: 'system', id: null },
          action: 'conduct.permission-expired',
          entityType: 'conduct_permission',
          entityId: perm.id,
          data: { type: perm.type },
        });
      }
      return due.length;
    });
  }
}
