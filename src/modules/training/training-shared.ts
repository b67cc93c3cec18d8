/**
 * What every part of the training service is given (training.service.ts builds the parts from
 * it), the shapes of its answers, and what the parts share: today's UK date and the profile's
 * training rules. The parts: training-sessions.service.ts, training-attendance.service.ts,
 * training-report.service.ts and training-reminders.service.ts.
 */
import type { Database } from '../../platform/db/database.ts';
import { ukDate, type Clock } from '../../platform/clock.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import type { AuditService } from '../audit/index.ts';
import type { PolicyService, PolicySettings } from '../policies/index.ts';
import type { PeopleDirectory, StaffClassesService } from '../people/index.ts';
import type { AcknowledgementsService } from '../acknowledgements/index.ts';
import type { ClassLessonRow, TrainingRepository } from './training.repository.ts';
import type { KindStatus, TrainingSessionKey, TrainingWindows } from './training-status.ts';

export interface TrainingDeps {
  database: Database;
  repository: TrainingRepository;
  audit: AuditService;
  clock: Clock;
  policies: Pick<
    PolicyService,
    'current' | 'currentOrNull' | 'currentForSchools' | 'versionSettings'
  >;
  people: Pick<
    PeopleDirectory,
    | 'staffRoster'
    | 'staffRosterForSchools'
    | 'classesOnRoll'
    | 'staffWithRole'
    | 'getSchool'
    | 'listSchools'
    | 'displayNames'
  >;
  staffClasses: Pick<StaffClassesService, 'classesOf'>;
  acknowledgements: Pick<
    AcknowledgementsService,
    'acknowledgedCurrent' | 'acknowledgedCurrentForSchools'
  >;
  mailer: Mailer;
  baseUrl: string;
}

/** One member of staff's training, kind by kind (the compliance view reads this). */
export interface PersonTraining {
  staffId: string;
  name: string;
  email: string;
  roles: string[];
  startDate: string | null;
  acknowledgedCurrent: boolean;
  kinds: Partial<Record<TrainingSessionKey, KindStatus>>;
}

export interface TrainingStatusReport {
  today: string;
  policyVersion: number;
  kinds: TrainingSessionKey[];
  people: PersonTraining[];
  /** Pupils' e-safety by class, this term. */
  classes: { className: string; pupils: number; lesson: ClassLessonRow | null }[];
  term: { key: string; label: string };
  /** The profile's training windows the states followed (`training.dueSoonDays` …), in days. */
  windows: TrainingWindows;
  /**
   * Days to acknowledge the policy after the later of a person's start and the required
   * version's publication (`training.acknowledgeWithinDays`; the compliance view applies it).
   */
  acknowledgeWithinDays: number;
}

/** `statusForSchools`'s report for one school, with the policy settings it followed. */
export interface SchoolTrainingStatus extends TrainingStatusReport {
  /** The school's current policy settings (the version `policyVersion`). */
  settings: PolicySettings;
}

export interface DueAgainReason {
  reason: 'policy_version' | 'incident';
  /** The version number or the incident's id. */
  reference: string;
}

/** What the parts share: the deps, today's UK date and the profile's training rules. */
export abstract class TrainingPart {
  constructor(protected readonly deps: TrainingDeps) {}

  protected today(): string {
    return ukDate(this.deps.clock.now());
  }

  async settings(schoolId: string) {
    return (await this.deps.policies.current(schoolId)).settings.training;
  }
}
