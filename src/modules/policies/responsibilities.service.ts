import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { Actor, AuditService } from '../audit/index.ts';
import type { PeopleDirectory } from '../people/index.ts';
import type { PolicyService } from './policies.service.ts';
import type { ResponsibilitiesRepository } from './responsibilities.repository.ts';

export interface ResponsibilityWithHolders {
  key: string;
  label: string;
  holders: { holderId: string; staffId: string; name: string }[];
}

/**
 * The school's named responsibilities (`people.responsibilities`) given to members of staff by
 * the Headteacher (issue 15), for the rules that refer to them (e.g. who may post on an account,
 * `channels.accountRules`). Each giving and taking away is audited.
 */
export class ResponsibilitiesService {
  constructor(
    private readonly deps: {
      database: Database;
      repository: ResponsibilitiesRepository;
      policies: Pick<PolicyService, 'current'>;
      people: Pick<PeopleDirectory, 'staffRoster'>;
      audit: AuditService;
      clock: Clock;
    },
  ) {}

  /** Every responsibility in the profile, with who holds it now. */
  async overview(schoolId: string): Promise<{
    responsibilities: ResponsibilityWithHolders[];
    staff: { id: string; name: string }[];
  }> {
    const db = this.deps.database.db;
    const { settings } = await this.deps.policies.current(schoolId);
    const [rows, roster] = await Promise.all([
      this.deps.repository.current(db, schoolId),
      this.deps.people.staffRoster(db, schoolId),
    ]);
    const names = new Map(roster.map((s) => [s.id, `${s.givenName} ${s.familyName}`]));
    return {
      responsibilities: settings.people.responsibilities.value.map((r) => ({
        key: r.key,
        label: r.label,
        holders: rows
          .filter((h) => h.responsibilityKey === r.key && names.has(h.staffId))
          .map((h) => ({ holderId: h.id, staffId: h.staffId, name: names.get(h.staffId)! }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      })),
      staff: roster.map((s) => ({ id: s.id, name: `${s.givenName} ${s.familyName}` })),
    };
  }

  /**
   * Who holds each responsibility now (member of staff → keys), for the rules asked on every
   * request (who approves posts, who is told of reports, who may post on an account): a shared
   * read per school, checked against the school's cache version (ADR 0018; responsibility_holders
   * bumps it, migration 0051), so a responsibility given or taken away anywhere counts on the
   * next request.
   */
  async holders(schoolId: string): Promise<ReadonlyMap<string, readonly string[]>> {
    return this.deps.database.cachedRead(
      `responsibility-holders:${schoolId}`,
      30_000,
      async () => {
        const byStaff = new Map<string, string[]>();
        for (const h of await this.deps.repository.current(this.deps.database.db, schoolId)) {
          const keys = byStaff.get(h.staffId) ?? [];
          keys.push(h.responsibilityKey);
          byStaff.set(h.staffId, keys);
        }
        return byStaff;
      },
      schoolId,
    );
  }

  /** The responsibilities a member of staff holds now (keys of `people.responsibilities`). */
  async heldBy(schoolId: string, staffId: string): Promise<string[]> {
    return [...((await this.holders(schoolId)).get(staffId) ?? [])];
  }

  /** The members of staff who hold any of these responsibilities now (their ids). */
  async holdersOf(schoolId: string, keys: readonly string[]): Promise<string[]> {
    if (keys.length === 0) return [];
    const out: string[] = [];
    for (const [staffId, held] of await this.holders(schoolId))
      if (held.some((k) => keys.includes(k))) out.push(staffId);
    return out;
  }

  async give(
    schoolId: string,
    actor: Actor & { kind: 'staff'; id: string },
    input: { staffId: string; responsibilityKey: string },
  ): Promise<void> {
    const { settings } = await this.deps.policies.current(schoolId);
    const errors: Record<string, string> = {};
    if (!settings.people.responsibilities.value.some((r) => r.key === input.responsibilityKey))
      errors.responsibilityKey = 'Choose one of the school’s responsibilities';
    const roster = await this.deps.people.staffRoster(this.deps.database.db, schoolId);
    if (!roster.some((s) => s.id === input.staffId)) errors.staffId = 'Choose a member of staff';
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    await this.deps.database.transaction(async (tx) => {
      const row = await this.deps.repository.give(tx.db, {
        schoolId,
        staffId: input.staffId,
        responsibilityKey: input.responsibilityKey,
        givenBy: actor.id,
        givenAt: this.deps.clock.now(),
      });
      if (!row) throw new ValidationError({ staffId: 'They already hold this responsibility' });
      await this.deps.audit.record(tx, {
        schoolId,
        actor,
        action: 'policy.responsibility-given',
        entityType: 'staff',
        entityId: input.staffId,
        data: { responsibility: input.responsibilityKey, holderId: row.id },
      });
    });
  }

  async remove(
    schoolId: string,
    actor: Actor & { kind: 'staff'; id: string },
    holderId: string,
  ): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const row = await this.deps.repository.remove(
        tx.db,
        schoolId,
        holderId,
        actor.id,
        this.deps.clock.now(),
      );
      if (!row) throw new NotFoundError();
      await this.deps.audit.record(tx, {
        schoolId,
        actor,
        action: 'policy.responsibility-removed',
        entityType: 'staff',
        entityId: row.staffId,
        data: { responsibility: row.responsibilityKey, holderId: row.id },
      });
    });
  }
}
