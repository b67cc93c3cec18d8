import type { Clock } from '../../../platform/clock.ts';
import { ukDate } from '../../../platform/clock.ts';
import type { Database } from '../../../platform/db/database.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import { stripHostileCharacters } from '../../../platform/hostile-text.ts';
import type { Principal, StaffPrincipal } from '../../auth/index.ts';
import type { AuditService } from '../../audit/index.ts';
import type { EventsService } from '../../events/index.ts';
import { READ_TTL_MS, type PeopleDirectory } from '../../people/index.ts';
import type { PolicyService, PolicySettings } from '../../policies/index.ts';
import type { ConsentRepository } from '../register/consent.repository.ts';
import type { ConsentService } from '../register/consent.service.ts';
import type { RestrictionEntry, RestrictionsRepository } from './restrictions.repository.ts';

export interface RestrictionsDeps {
  database: Database;
  repository: RestrictionsRepository;
  consentRepository: Pick<ConsentRepository, 'lockPupil'>;
  consent: Pick<ConsentService, 'positions'>;
  people: Pick<PeopleDirectory, 'pupilsByIds' | 'pupilsOnRoll'>;
  policies: Pick<PolicyService, 'current' | 'currentOrNull'>;
  audit: AuditService;
  events: EventsService;
  clock: Clock;
  /** The named responsibilities a member of staff holds now (the setters' responsibilities). */
  responsibilitiesHeld: (schoolId: string, staffId: string) => Promise<string[]>;
}

/** What a member of staff sees of a pupil's restriction. */
export interface RestrictionView {
  pupil: { id: string; givenName: string; familyName: string };
  restricted: boolean;
  since: Date | null;
  /** Whether this person may set or lift it (`people.publicationRestrictionSetters`). */
  mayManage: boolean;
  /** Only for those who may manage it: the records with their reasons, latest first. */
  history: RestrictionEntry[] | null;
}

/**
 * A pupil's "never publish" restriction (issue 15): independent of parental consent, set or lifted
 * by the roles the policy names (`people.publicationRestrictionSetters`, the DSL and Headteacher by
 * default). The consent check reads it (consent-rules.ts step 0), so every consent check, every
 * publishing check and the media pipeline's blur decision honour it. Its reason is shown only to
 * those who may set it; everyone else sees "do not publish".
 */
export class RestrictionsService {
  constructor(private readonly deps: RestrictionsDeps) {}

  /**
   * Whether this person holds a role the school's policy lets set restrictions, or one of the
   * named responsibilities it lets set them (`people.publicationRestrictionSetterResponsibilities`,
   * e.g. a deputy DSL).
   */
  async mayManage(p: StaffPrincipal, settings: PolicySettings): Promise<boolean> {
    const setters = settings.people.publicationRestrictionSetters.value;
    if (p.roles.some((r) => setters.includes(r))) return true;
    const keys = settings.people.publicationRestrictionSetterResponsibilities.value;
    if (keys.length === 0) return false;
    const held = await this.deps.responsibilitiesHeld(p.schoolId, p.id);
    return held.some((k) => keys.includes(k));
  }

  /**
   * Whether the "Never publish" menu entry shows for this person: the same rule as the pages,
   * with the school's setters kept per school (checked against its cache version), as every
   * page asks it. A school without a policy yet has no setters.
   */
  async mayOpen(p: Principal): Promise<boolean> {
    if (p.kind !== 'staff') return false;
    const setters = await this.deps.database.cachedRead(
      `restriction-setters:${p.schoolId}`,
      READ_TTL_MS,
      async () => {
        const current = await this.deps.policies.currentOrNull(p.schoolId);
        if (!current) return null;
        return {
          roles: current.settings.people.publicationRestrictionSetters.value,
          responsibilities:
            current.settings.people.publicationRestrictionSetterResponsibilities.value,
        };
      },
      p.schoolId,
    );
    if (!setters) return false;
    if (p.roles.some((r) => setters.roles.includes(r))) return true;
    if (setters.responsibilities.length === 0) return false;
    const held = await this.deps.responsibilitiesHeld(p.schoolId, p.id);
    return held.some((k) => setters.responsibilities.includes(k));
  }

  private async settings(schoolId: string): Promise<PolicySettings> {
    return (await this.deps.policies.current(schoolId)).settings;
  }

  /** Whether this person may use the restriction pages at all (404 otherwise). */
  async assertManager(p: StaffPrincipal): Promise<PolicySettings> {
    const settings = await this.settings(p.schoolId);
    if (!(await this.mayManage(p, settings))) throw new NotFoundError();
    return settings;
  }

  /** The pupils under a restriction, with the reasons (managers only). */
  async list(p: StaffPrincipal) {
    await this.assertManager(p);
    return this.deps.repository.restrictedPupils(this.deps.database.db, p.schoolId);
  }

  /** Pupils on roll, for choosing whom to restrict (managers only). */
  async pupilsOnRoll(p: StaffPrincipal) {
    await this.assertManager(p);
    return this.deps.people.pupilsOnRoll(
      this.deps.database.db,
      p.schoolId,
      ukDate(this.deps.clock.now()),
    );
  }

  /** A pupil's restriction as this person may see it; a pupil not in the school is a 404. */
  async view(p: StaffPrincipal, pupilId: string): Promise<RestrictionView> {
    const db = this.deps.database.db;
    const [pupil] = await this.deps.people.pupilsByIds(db, p.schoolId, [pupilId]);
    if (!pupil) throw new NotFoundError();
    const settings = await this.settings(p.schoolId);
    const history = await this.deps.repository.history(db, p.schoolId, pupilId);
    const latest = history[0];
    const mayManage = await this.mayManage(p, settings);
    return {
      pupil: { id: pupil.id, givenName: pupil.givenName, familyName: pupil.familyName },
      restricted: latest?.restricted ?? false,
      since: latest?.restricted ? latest.recordedAt : null,
      mayManage,
      history: mayManage ? history : null,
    };
  }

  /**
   * Set or lift the restriction: a new record (the history is kept), audited without the reason,
   * and a `consent.changed` event so anything already published with the pupil is taken down.
   */
  async set(
    p: StaffPrincipal,
    pupilId: string,
    input: { restricted: boolean; reason: string },
  ): Promise<void> {
    await this.assertManager(p);
    const reason = stripHostileCharacters(input.reason).trim();
    if (reason === '') {
      throw new ValidationError({
        reason: input.restricted
          ? 'Say why this pupil must never be published (only those who may set this will see it)'
          : 'Say why the restriction is lifted',
      });
    }
    if (reason.length > 1000)
      throw new ValidationError({ reason: 'Use 1,000 characters or fewer' });
    const { database, repository, audit, events, clock } = this.deps;
    const before = await this.deps.consent.positions(p.schoolId, [pupilId]).catch(() => null);
    await database.transaction(async (tx) => {
      if (!(await this.deps.consentRepository.lockPupil(tx.db, p.schoolId, pupilId))) {
        throw new NotFoundError();
      }
      const history = await repository.history(tx.db, p.schoolId, pupilId);
      if ((history[0]?.restricted ?? false) === input.restricted) {
        throw new ValidationError({
          restricted: input.restricted
            ? 'This pupil is already restricted'
            : 'This pupil is not restricted',
        });
      }
      const row = await repository.insert(tx.db, {
        schoolId: p.schoolId,
        pupilId,
        restricted: input.restricted,
        reason,
        setBy: p.id,
        recordedAt: clock.now(),
      });
      // No reason in the audit trail: it is shown only to the people who may set it.
      await audit.record(tx, {
        schoolId: p.schoolId,
        actor: { kind: 'staff', id: p.id },
        action: input.restricted
          ? 'consent.publication-restricted'
          : 'consent.publication-restriction-lifted',
        entityType: 'pupil',
        entityId: pupilId,
        data: { restrictionId: row.id, rule: 'people.publicationRestrictionSetters' },
      });
      const answers = before?.get(pupilId);
      const changes = input.restricted
        ? [...(answers?.entries() ?? [])]
            .filter(([, a]) => a.allowed)
            .map(([key]) => ({ key, before: true, after: false }))
        : [];
      await events.emit(tx, p.schoolId, 'consent.changed', {
        pupilId,
        recordId: row.id,
        periodKey: 'restriction',
        changes,
      });
    });
  }
}
