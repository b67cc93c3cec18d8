import type { PeopleRepository } from './people.repository.ts';
import type { PeopleDirectoryRepository } from './people-directory.repository.ts';
import type { PeopleChangesRepository } from './people-changes.repository.ts';
import type { ImportRepository } from './import.repository.ts';

type Repo = PeopleRepository & PeopleDirectoryRepository & PeopleChangesRepository;
type Args<K extends keyof Repo> = Repo[K] extends (...args: infer A) => unknown ? A : never;

/**
 * How other modules read (and, where they must in their own transaction, write) people's data:
 * schools, pupils, parents and staff (ARCHITECTURE rule 1, docs/architecture.md "Boundaries").
 * Wired by the people module as `peopleDirectory`; other modules never get the repository.
 *
 * Every method takes the caller's `db` first: the pool's, or `tx.db` to read (or write) inside
 * the caller's transaction, as the sign-in's second factor does with `useTotpStep`.
 */
export class PeopleDirectory {
  constructor(
    private readonly deps: {
      repository: PeopleRepository;
      directory: PeopleDirectoryRepository;
      changes: PeopleChangesRepository;
      imports: ImportRepository;
    },
  ) {}

  // Schools and organisations.
  getSchool(...a: Args<'getSchool'>) {
    return this.deps.repository.getSchool(...a);
  }
  getSchoolBySlug(...a: Args<'getSchoolBySlug'>) {
    return this.deps.repository.getSchoolBySlug(...a);
  }
  listSchools(...a: Args<'listSchools'>) {
    return this.deps.repository.listSchools(...a);
  }
  /** The news page's colour and logo (publishing's News page appearance, in its transaction). */
  lockNewsAppearance(...a: Args<'lockNewsAppearance'>) {
    return this.deps.repository.lockNewsAppearance(...a);
  }
  setNewsAppearance(...a: Args<'setNewsAppearance'>) {
    return this.deps.repository.setNewsAppearance(...a);
  }
  listSchoolsInOrganisation(...a: Args<'listSchoolsInOrganisation'>) {
    return this.deps.repository.listSchoolsInOrganisation(...a);
  }
  getOrganisation(...a: Args<'getOrganisation'>) {
    return this.deps.repository.getOrganisation(...a);
  }
  getOrganisationAdmin(...a: Args<'getOrganisationAdmin'>) {
    return this.deps.repository.getOrganisationAdmin(...a);
  }
  getOrganisationAdminByEmail(...a: Args<'getOrganisationAdminByEmail'>) {
    return this.deps.repository.getOrganisationAdminByEmail(...a);
  }

  // Pupils and parents.
  listPupils(...a: Args<'listPupils'>) {
    return this.deps.repository.listPupils(...a);
  }
  getPupil(...a: Args<'getPupil'>) {
    return this.deps.repository.getPupil(...a);
  }
  rollCounts(...a: Args<'rollCounts'>) {
    return this.deps.repository.rollCounts(...a);
  }
  /** Classes of pupils on roll, with the number in each. */
  classesOnRoll(...a: Args<'classesOnRoll'>) {
    return this.deps.directory.classesOnRoll(...a);
  }
  /** Pupils on roll in one class, by name (one statement). */
  pupilsInClass(...a: Args<'pupilsInClass'>) {
    return this.deps.directory.pupilsInClass(...a);
  }
  /** Every pupil on roll, by class then name (one statement). */
  pupilsOnRoll(...a: Args<'pupilsOnRoll'>) {
    return this.deps.directory.pupilsOnRoll(...a);
  }
  /** Pupils of the school among the ids, in one statement: a batch, never a query per row. */
  pupilsByIds(...a: Args<'pupilsByIds'>) {
    return this.deps.directory.pupilsByIds(...a);
  }
  /** Every pupil of the school (leavers too): id, MIS id, name, last change. One statement. */
  pupilRoster(...a: Args<'pupilRoster'>) {
    return this.deps.directory.pupilRoster(...a);
  }
  /** Every parent of the school: id, MIS id, email, name. One statement. */
  parentRoster(...a: Args<'parentRoster'>) {
    return this.deps.directory.parentRoster(...a);
  }
  /** Every pupil–parent link of the school, with parental responsibility. One statement. */
  parentLinks(...a: Args<'parentLinks'>) {
    return this.deps.directory.parentLinks(...a);
  }
  /** Ids of the pupils on roll. One statement. */
  pupilIdsOnRoll(...a: Args<'pupilIdsOnRoll'>) {
    return this.deps.directory.pupilIdsOnRoll(...a);
  }
  /** Parents with parental responsibility for a pupil on roll (pupil, parent). One statement. */
  responsibleParentsOnRoll(...a: Args<'responsibleParentsOnRoll'>) {
    return this.deps.directory.responsibleParentsOnRoll(...a);
  }
  /** The responsible parents of these pupils with contact details, by name. One statement. */
  responsibleParentsOf(...a: Args<'responsibleParentsOf'>) {
    return this.deps.directory.responsibleParentsOf(...a);
  }
  getParent(...a: Args<'getParent'>) {
    return this.deps.repository.getParent(...a);
  }
  /** A parent's linked pupils (with `onlyWithResponsibility`, those they decide for). */
  childrenOfParent(...a: Args<'childrenOfParent'>) {
    return this.deps.repository.childrenOfParent(...a);
  }
  findParentsByEmail(...a: Args<'findParentsByEmail'>) {
    return this.deps.directory.findParentsByEmail(...a);
  }
  findPupilsByEmail(...a: Args<'findPupilsByEmail'>) {
    return this.deps.directory.findPupilsByEmail(...a);
  }
  displayNames(...a: Args<'displayNames'>) {
    return this.deps.repository.displayNames(...a);
  }

  // Staff.
  getStaffById(...a: Args<'getStaffById'>) {
    return this.deps.repository.getStaffById(...a);
  }
  getStaffByEmail(...a: Args<'getStaffByEmail'>) {
    return this.deps.repository.getStaffByEmail(...a);
  }
  /** Every active member of staff with their roles, by name (one statement). */
  staffRoster(...a: Args<'staffRoster'>) {
    return this.deps.directory.staffRoster(...a);
  }
  /** The roster of several schools in one statement (a trust's compliance figures). */
  staffRosterForSchools(...a: Args<'staffRosterForSchools'>) {
    return this.deps.directory.staffRosterForSchools(...a);
  }
  /**
   * Every member of staff of the school (active or not) with their line manager's id (null for
   * none), by name, in one statement.
   */
  lineManagerLinks(...a: Args<'lineManagerLinks'>) {
    return this.deps.repository.lineManagerLinks(...a);
  }
  staffWithRole(...a: Args<'staffWithRole'>) {
    return this.deps.directory.staffWithRole(...a);
  }
  staffWithoutSecondFactor(...a: Args<'staffWithoutSecondFactor'>) {
    return this.deps.directory.staffWithoutSecondFactor(...a);
  }

  // Writes another part makes in its own transaction (sign-in: passwords, second factor; the
  // CLI's `create-staff`, with its audit event).
  /** A member of staff with roles (the caller records the audit event in the same `tx`). */
  createStaff(...a: Args<'createStaff'>) {
    return this.deps.repository.createStaff(...a);
  }
  /** Sign-in columns of a member of staff (password, second factor, lock-out). */
  updateStaffAuth(...a: Args<'updateStaffAuth'>) {
    return this.deps.repository.updateStaffAuth(...a);
  }
  /** Uses a TOTP time step once (a conditional update: one of any concurrent requests wins). */
  useTotpStep(...a: Args<'useTotpStep'>) {
    return this.deps.repository.useTotpStep(...a);
  }

  /**
   * Row locks (FOR UPDATE, in id order) on pupils another part is about to record for in its
   * own transaction `tx.db` (the consent import's commit); returns the rows locked.
   */
  lockPupils(...a: Args<'lockPupils'>) {
    return this.deps.changes.lockPupils(...a);
  }

  /** Shared locks (FOR KEY SHARE, id order) on pupils, in the caller's `tx.db` (publishing). */
  lockPupilsForKeyShare(...a: Args<'lockPupilsForKeyShare'>) {
    return this.deps.directory.lockPupilsForKeyShare(...a);
  }

  // Imports.
  /** Pupil imports previewed and waiting for someone to confirm them. */
  importsAwaitingConfirmation(...a: Parameters<ImportRepository['awaitingConfirmation']>) {
    return this.deps.imports.awaitingConfirmation(...a);
  }
}
