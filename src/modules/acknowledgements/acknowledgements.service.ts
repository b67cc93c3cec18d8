import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { AuditService } from '../audit/index.ts';
import type { PolicyService } from '../policies/index.ts';
import type {
  AcknowledgementRow,
  AcknowledgementsRepository,
  PersonKind,
} from './acknowledgements.repository.ts';
import type { VersionKindsRepository } from './version-kinds.repository.ts';

export type { AcknowledgementRow, PersonKind };

/** Who acknowledges: a member of staff or a parent of the school, for themselves. */
export interface AcknowledgingPerson {
  kind: PersonKind;
  id: string;
  schoolId: string;
}

/**
 * Policy acknowledgements (issue 17 item 6; issue 16 item 2 builds on it). A person acknowledges
 * the school's CURRENT policy version; the version is read in the same transaction as the
 * insert, with the profile row held FOR SHARE (`PolicyService.currentVersionLocked`), so a
 * version published at the same moment is never the wrong one recorded: either the publication
 * waits for this transaction (and the acknowledgement is of the version before it), or this
 * transaction waits for the publication and records the new version.
 */
export class AcknowledgementsService {
  constructor(
    private readonly deps: {
      database: Database;
      repository: AcknowledgementsRepository;
      audit: AuditService;
      clock: Clock;
      policies: Pick<PolicyService, 'currentVersionLocked' | 'currentOrNull'>;
      /** Substantive and minor versions (issue 16 item 2). */
      kinds: VersionKindsRepository;
    },
  ) {}

  /**
   * The version everyone must have acknowledged (issue 16 item 2): the latest substantive one up
   * to the current version. A minor version asks nobody again; a version not marked is
   * substantive. Null for a school without a policy profile.
   */
  async requiredVersion(schoolId: string): Promise<number | null> {
    const current = await this.currentVersion(schoolId);
    if (current === null) return null;
    const minor = new Set(
      (await this.deps.kinds.kinds(this.deps.database.db, schoolId))
        .filter((k) => !k.substantive)
        .map((k) => k.version),
    );
    let v = current;
    while (v > 1 && minor.has(v)) v--;
    return v;
  }

  /**
   * Records that this person has read the current version. Acknowledging the same version
   * again changes nothing (`already`).
   */
  async acknowledge(person: AcknowledgingPerson): Promise<{ version: number; already: boolean }> {
    const { database, repository, audit, clock, policies } = this.deps;
    return database.transaction(async (tx) => {
      const current = await policies.currentVersionLocked(tx, person.schoolId);
      const row = await repository.insertPerson(tx.db, {
        schoolId: person.schoolId,
        personKind: person.kind,
        personId: person.id,
        policyVersionId: current.versionId,
        policyVersion: current.version,
        acknowledgedAt: clock.now(),
        recordedBy: person.kind === 'staff' ? person.id : null,
      });
      if (row) {
        await audit.record(tx, {
          schoolId: person.schoolId,
          actor: { kind: person.kind, id: person.id },
          action: 'acknowledgements.policy-acknowledged',
          entityType: 'policy_acknowledgement',
          entityId: row.id,
          data: { version: current.version, personKind: person.kind },
        });
      }
      return { version: current.version, already: !row };
    });
  }

  /** The current version's number, or null for a school without a policy profile. */
  async currentVersion(schoolId: string): Promise<number | null> {
    return (await this.deps.policies.currentOrNull(schoolId))?.version ?? null;
  }

  /** Whether this member of staff has acknowledged the school's current policy version. */
  async hasAcknowledgedCurrent(schoolId: string, staffId: string): Promise<boolean> {
    return (await this.acknowledgedCurrent(schoolId, [staffId])).has(staffId);
  }

  /** Of these members of staff, those whose acknowledgement is current (not asked again). */
  async acknowledgedCurrent(schoolId: string, staffIds: readonly string[]): Promise<Set<string>> {
    const version = await this.requiredVersion(schoolId);
    if (version === null) return new Set();
    // A live acknowledgement of the required version or a later (minor) one.
    return this.deps.kinds.acknowledgedSince(
      this.deps.database.db,
      schoolId,
      'staff',
      staffIds,
      version,
    );
  }

  /** A person's acknowledgements, newest first. */
  async history(
    schoolId: string,
    kind: PersonKind,
    personId: string,
  ): Promise<AcknowledgementRow[]> {
    return this.deps.repository.forPerson(this.deps.database.db, schoolId, kind, personId);
  }

  /** Each person's latest acknowledged version (the compliance view). */
  async latestBySchool(schoolId: string, kind: PersonKind) {
    return this.deps.repository.latestBySchool(this.deps.database.db, schoolId, kind);
  }
}
