/**
 * Changing pupils in the app: adding one, changing one's details, recording leavers and
 * clearing the "possibly left" flag an MIS import set. Each change is one transaction and one
 * audit event. (MIS imports are import.service.ts; reads are in people.service.ts.)
 */
import crypto from 'node:crypto';
import { NotFoundError, ValidationError, type FieldErrors } from '../../errors.ts';
import type { StaffPrincipal } from '../auth/index.ts';
import { canManagePupils } from './people.policy.ts';
import type { PupilInput, PupilPatch } from './people.forms.ts';
import { pupilSearchText, type PupilRow } from './people.repository.ts';
import { actorOf, todayIn, type PeopleDeps } from './people-deps.ts';

export class PupilChanges {
  constructor(private readonly deps: PeopleDeps) {}

  /** Checks a pupil's dates against each other and today; field errors keyed like the forms. */
  private pupilDateErrors(values: {
    dateOfBirth: string;
    admissionDate: string | null;
    leavingDate: string | null;
  }): FieldErrors {
    const errors: FieldErrors = {};
    const today = todayIn(this.deps.clock);
    if (values.dateOfBirth >= today) errors.dateOfBirth = 'Date of birth must be in the past';
    else if (values.dateOfBirth < `${Number(today.slice(0, 4)) - 25}${today.slice(4)}`) {
      errors.dateOfBirth = 'Date of birth must be within the last 25 years';
    }
    if (values.admissionDate && values.admissionDate <= values.dateOfBirth) {
      errors.admissionDate = 'Admission date must be after the date of birth';
    }
    if (values.leavingDate) {
      if (values.leavingDate <= values.dateOfBirth) {
        errors.leavingDate = 'Leaving date must be after the date of birth';
      } else if (values.admissionDate && values.leavingDate < values.admissionDate) {
        errors.leavingDate = 'Leaving date must be the same as or after the admission date';
      }
    }
    return errors;
  }

  /** Adds a pupil (not from the MIS). Without an MIS id Lanyard makes one up (`LY-…`). */
  async addPupil(principal: StaffPrincipal, input: PupilInput): Promise<PupilRow> {
    if (!canManagePupils(principal)) throw new NotFoundError();
    const schoolId = principal.schoolId;
    const errors = this.pupilDateErrors({ ...input, leavingDate: null });
    if (Object.keys(errors).length) throw new ValidationError(errors);
    const misId = input.misId ?? `LY-${crypto.randomBytes(4).toString('hex').toUpperCase()}`;
    return this.deps.database.transaction(async (tx) => {
      if (await this.deps.changes.getPupilByMisId(tx.db, schoolId, misId)) {
        throw new ValidationError({ misId: 'Another pupil already has this MIS id' });
      }
      const now = this.deps.clock.now();
      const pupil = await this.deps.changes.insertPupil(tx.db, {
        schoolId,
        misId,
        givenName: input.givenName,
        familyName: input.familyName,
        dateOfBirth: input.dateOfBirth,
        yearGroup: input.yearGroup,
        className: input.className,
        admissionDate: input.admissionDate,
        createdAt: now,
        updatedAt: now,
      });
      await this.deps.audit.record(tx, {
        schoolId,
        actor: actorOf(principal),
        action: 'people.pupil-added',
        entityType: 'pupil',
        entityId: pupil.id,
        data: { yearGroup: pupil.yearGroup, className: pupil.className },
      });
      return pupil;
    });
  }

  /**
   * Changes a pupil's details (and, through the API, the leaving date). Records are never
   * deleted: a leaver keeps their consent and media history. Setting a leaving date clears any
   * "possibly left" flag.
   */
  async updatePupil(
    principal: StaffPrincipal,
    pupilId: string,
    patch: PupilPatch,
  ): Promise<PupilRow> {
    if (!canManagePupils(principal)) throw new NotFoundError();
    const schoolId = principal.schoolId;
    return this.deps.database.transaction(async (tx) => {
      const [old] = await this.deps.changes.lockPupils(tx.db, schoolId, [pupilId]);
      if (!old) throw new NotFoundError();
      const next = {
        givenName: patch.givenName ?? old.givenName,
        familyName: patch.familyName ?? old.familyName,
        dateOfBirth: patch.dateOfBirth ?? old.dateOfBirth,
        yearGroup: patch.yearGroup ?? old.yearGroup,
        className: patch.className !== undefined ? patch.className : old.className,
        admissionDate: patch.admissionDate !== undefined ? patch.admissionDate : old.admissionDate,
        leavingDate: patch.leavingDate !== undefined ? patch.leavingDate : old.leavingDate,
        misId: patch.misId ?? old.misId,
      };
      const errors = this.pupilDateErrors(next);
      if (next.misId !== old.misId) {
        const other = await this.deps.changes.getPupilByMisId(tx.db, schoolId, next.misId);
        if (other) errors.misId = 'Another pupil already has this MIS id';
      }
      if (Object.keys(errors).length) throw new ValidationError(errors);
      const changed = (Object.keys(next) as (keyof typeof next)[]).filter(
        (k) => next[k] !== old[k],
      );
      if (changed.length === 0) return old;
      const now = this.deps.clock.now();
      const row = await this.deps.changes.updatePupil(tx.db, schoolId, pupilId, {
        ...next,
        ...(changed.includes('leavingDate') && next.leavingDate ? { possiblyLeftAt: null } : {}),
        searchText: pupilSearchText({
          ...next,
          preferredGivenName: old.preferredGivenName,
          preferredFamilyName: old.preferredFamilyName,
        }),
        updatedAt: now,
      });
      await this.deps.audit.record(tx, {
        schoolId,
        actor: actorOf(principal),
        action: 'people.pupil-changed',
        entityType: 'pupil',
        entityId: pupilId,
        data: {
          changed,
          ...(changed.includes('leavingDate') ? { leavingDate: next.leavingDate } : {}),
        },
      });
      return row!;
    });
  }

  /**
   * Records a leaving date for one or more pupils of the school (and clears "possibly left").
   * Their records and history stay. All or nothing: a pupil of another school looks missing.
   */
  async recordLeaving(
    principal: StaffPrincipal,
    pupilIds: readonly string[],
    leavingDate: string,
  ): Promise<number> {
    if (!canManagePupils(principal)) throw new NotFoundError();
    const schoolId = principal.schoolId;
    const ids = [...new Set(pupilIds)];
    return this.deps.database.transaction(async (tx) => {
      const rows = await this.deps.changes.lockPupils(tx.db, schoolId, ids);
      if (rows.length !== ids.length || ids.length === 0) throw new NotFoundError();
      const errors: FieldErrors = {};
      for (const p of rows) {
        const e = this.pupilDateErrors({ ...p, leavingDate });
        if (e.leavingDate) {
          errors.leavingDate =
            rows.length === 1 ? e.leavingDate : `${e.leavingDate} (${p.givenName} ${p.familyName})`;
          break;
        }
      }
      if (Object.keys(errors).length) throw new ValidationError(errors);
      const n = await this.deps.changes.recordLeaving(
        tx.db,
        schoolId,
        ids,
        leavingDate,
        this.deps.clock.now(),
      );
      await this.deps.audit.record(tx, {
        schoolId,
        actor: actorOf(principal),
        action: 'people.pupils-left',
        entityType: 'pupil',
        entityId: ids.length === 1 ? ids[0]! : null,
        data: { pupilIds: [...ids].sort(), leavingDate },
      });
      return n;
    });
  }

  /** "Still here": clears the "possibly left" flag of pupils an MIS import did not list. */
  async confirmStillHere(principal: StaffPrincipal, pupilIds: readonly string[]): Promise<number> {
    if (!canManagePupils(principal)) throw new NotFoundError();
    const schoolId = principal.schoolId;
    const ids = [...new Set(pupilIds)];
    return this.deps.database.transaction(async (tx) => {
      const rows = await this.deps.changes.lockPupils(tx.db, schoolId, ids);
      if (rows.length !== ids.length || ids.length === 0) throw new NotFoundError();
      const n = await this.deps.changes.clearPossiblyLeft(
        tx.db,
        schoolId,
        ids,
        this.deps.clock.now(),
      );
      await this.deps.audit.record(tx, {
        schoolId,
        actor: actorOf(principal),
        action: 'people.pupils-still-here',
        entityType: 'pupil',
        entityId: ids.length === 1 ? ids[0]! : null,
        data: { pupilIds: [...ids].sort(), cleared: n },
      });
      return n;
    });
  }
}
