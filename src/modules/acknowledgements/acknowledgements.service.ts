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
      policies: Pick<PolicyService, 'currentVersionLocked' | 'currentOrNull' | 'currentForSchools'>;
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
    return requiredOf(current, await this.deps.kinds.kinds(this.deps.database.db, schoolId));
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
          // The personal conduct statements the person confirmed with this version, in the
          // school's words (`people.conductStatements`, issue 15): the acknowledgement record.
          data: {
            version: current.version,
            personKind: person.kind,
            ...(person.kind === 'staff'
              ? {
                  conductStatements: current.settings.people.conductStatements.value.map(
                    (c) => c.text,
                  ),
                }
              : {}),
          },
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

  /**
   * `acknowledgedCurrent` for every member of staff of several schools at once (a trust's
   * compliance figures, a school's compliance view): three statements whatever the number of
   * schools (the current versions, unless the caller passes them from `currentForSchools`; the
   * versions marked minor; the live acknowledgements). By school, the ids of the staff whose
   * acknowledgement is current; a school without a policy, or where nobody has, is not in it.
   */
  async acknowledgedCurrentForSchools(
    schoolIds: readonly string[],
    currents?: ReadonlyMap<string, { version: number }>,
  ): Promise<Map<string, Set<string>>> {
    const required = await this.requiredVersionsForSchools(schoolIds, currents);
    return this.deps.kinds.acknowledgedSinceForSchools(this.deps.database.db, 'staff', required);
  }

  /**
   * `requiredVersion` for several schools at once (two statements, one when the caller passes
   * the current versions): by school, the version everyone must have acknowledged. A school
   * without a policy is not in it.
   */
  async requiredVersionsForSchools(
    schoolIds: readonly string[],
    currents?: ReadonlyMap<string, { version: number }>,
  ): Promise<Map<string, number>> {
    const { database, kinds, policies } = this.deps;
    const [versions, marked] = await Promise.all([
      currents ?? policies.currentForSchools(schoolIds),
      kinds.kindsForSchools(database.db, schoolIds),
    ]);
    const kindsBySchool = new Map<string, { version: number; substantive: boolean }[]>();
    for (const k of marked) {
      const list = kindsBySchool.get(k.schoolId);
      if (list) list.push(k);
      else kindsBySchool.set(k.schoolId, [k]);
    }
    const required = new Map<string, number>();
    for (const id of schoolIds) {
      const current = versions.get(id);
      if (current) required.set(id, requiredOf(current.version, kindsBySchool.get(id) ?? []));
    }
    return required;
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

/**
 * The version everyone must have acknowledged, from the current one and the versions marked:
 * the latest substantive one up to it (a version not marked is substantive).
 */
function requiredOf(
  current: number,
  marked: readonly { version: number; substantive: boolean }[],
): number {
  const minor = new Set(marked.filter((k) => !k.substantive).map((k) => k.version));
  let v = current;
  while (v > 1 && minor.has(v)) v--;
  return v;
}
