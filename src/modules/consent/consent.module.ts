import { defineModule, type Services } from '../registry.ts';
import { ScanSanitiser } from '../../platform/images/scan-sanitiser.ts';
import { ConsentRepository } from './register/consent.repository.ts';
import { ConsentService } from './register/consent.service.ts';
import { ConsentRegisterCache } from './register/consent-register-cache.ts';
import { ConsentImportRepository } from './import/consent-import.repository.ts';
import { ConsentImportService } from './import/consent-import.service.ts';
import { ConsentCampaignRepository } from './campaigns/consent-campaign.repository.ts';
import { ConsentCampaignService } from './campaigns/consent-campaign.service.ts';
import { ConsentFormRepository } from './family/consent-form.repository.ts';
import { ConsentFormService } from './family/consent-form.service.ts';
import { ConsentOfficeRepository } from './office/consent-office.repository.ts';
import { ConsentOfficeService } from './office/consent-office.service.ts';
import { consentFormRoutes } from './family/consent-form.routes.ts';
import { consentOfficeRoutes } from './office/consent-office.routes.ts';
import { consentImportRoutes } from './import/consent-import.routes.ts';
import { consentCampaignRoutes } from './campaigns/consent-campaign.routes.ts';
import { consentApi } from './consent.api.ts';
import { consentJobs } from './consent.jobs.ts';
import {
  canOpenConsent,
  canUseOwnConsentForm,
  mayOpenConsentOnlyAsKeeper,
} from './consent.policy.ts';
import { RestrictionsRepository } from './restrictions/restrictions.repository.ts';
import { RestrictionsService } from './restrictions/restrictions.service.ts';
import { restrictionRoutes } from './restrictions/restrictions.routes.ts';
import { ConsentKeeperService } from './consent-keeper.ts';
import { ConsentAggregates } from './consent.aggregates.ts';

declare module '../registry.ts' {
  interface ServiceRegistry {
    /** Consent coverage in figures (counts only): the governors’ monitoring report reads them. */
    consentAggregates: ConsentAggregates;
    /** The consent register and the consent check (ADR 0006, 0009). */
    consent: ConsentService;
    /** Consent records imported from a spreadsheet or paper forms. */
    consentImports: ConsentImportService;
    /** The yearly renewal campaign and its reminders. */
    consentCampaigns: ConsentCampaignService;
    /** The family's online consent form, its receipts and emails. */
    consentForm: ConsentFormService;
    /** The staff (office) consent pages: registers by class, reports, paper forms, withdrawals. */
    consentOffice: ConsentOfficeService;
    /** Per-pupil "never publish" restrictions, read by the consent check (issue 15). */
    consentRestrictions: RestrictionsService;
    /** Who keeps the consent record: the profile's role or responsibility (issue 15). */
    consentKeeper: ConsentKeeperService;
  }
}

/** The consent register's entry, for staff and for the profile's record keeper alike. */
const consentDescription =
  'What each family has agreed to for photos and videos, and the requests waiting for an answer.';

export const consentModule = defineModule({
  name: 'consent',
  wire: (
    deps: Pick<
      Services,
      | 'database'
      | 'clock'
      | 'config'
      | 'files'
      | 'images'
      | 'metrics'
      | 'mailer'
      | 'jobs'
      | 'audit'
      | 'events'
      | 'policies'
      | 'people'
      | 'peopleDirectory'
      | 'auth'
      | 'staffClasses'
      | 'responsibilities'
    >,
  ) => {
    const { database, clock, config, audit, policies } = deps;
    const cache = new ConsentRegisterCache(config.consentCachePupils);
    deps.metrics.watchCache('consent-register', () => cache.stats);
    const consentRepository = new ConsentRepository();
    const consent = new ConsentService({
      database,
      people: deps.peopleDirectory,
      repository: consentRepository,
      audit,
      events: deps.events,
      policies,
      clock,
      files: deps.files,
      scans: new ScanSanitiser(deps.images),
      evidenceMaxBytes: config.uploadMaxBytes,
      cache,
    });
    const consentForm = new ConsentFormService({
      database,
      repository: new ConsentFormRepository(),
      consentRepository,
      consent,
      people: deps.people,
      policies,
      auth: deps.auth,
      audit,
      mailer: deps.mailer,
      clock,
      baseUrl: config.baseUrl,
      jobs: deps.jobs,
      // Publishing is wired later: looked up when a receipt is shown.
      removals: (schoolId, pupilId, since) =>
        (deps as Partial<Services>).takedowns?.removalsFor(schoolId, pupilId, since) ??
        Promise.resolve([]),
    });
    const consentKeeper = new ConsentKeeperService({
      database,
      policies,
      // The keeper may be a responsibility (roles.consentRecordKeeperResponsibilities).
      holdersOf: (schoolId, keys) => deps.responsibilities.holdersOf(schoolId, keys),
    });
    return {
      consentAggregates: new ConsentAggregates({ database }),
      consent,
      consentForm,
      consentKeeper,
      consentRestrictions: new RestrictionsService({
        database,
        repository: new RestrictionsRepository(),
        consentRepository,
        consent,
        people: deps.peopleDirectory,
        policies,
        audit,
        events: deps.events,
        clock,
        // Who may set it may be a responsibility too (a deputy DSL; issue 15).
        responsibilitiesHeld: (schoolId, staffId) =>
          deps.responsibilities.heldBy(schoolId, staffId),
      }),
      consentOffice: new ConsentOfficeService({
        database,
        repository: new ConsentOfficeRepository(deps.peopleDirectory),
        consent,
        staffClasses: deps.staffClasses,
        keeper: consentKeeper,
        clock,
      }),
      consentImports: new ConsentImportService({
        database,
        repository: new ConsentImportRepository(deps.peopleDirectory),
        consent,
        audit,
        clock,
        jobs: deps.jobs,
        files: deps.files,
      }),
      consentCampaigns: new ConsentCampaignService({
        database,
        repository: new ConsentCampaignRepository(deps.peopleDirectory),
        consent,
        forms: consentForm,
        audit,
        clock,
      }),
    };
  },
  routes: [
    consentFormRoutes,
    consentOfficeRoutes,
    consentImportRoutes,
    consentCampaignRoutes,
    restrictionRoutes,
  ],
  api: [consentApi],
  jobs: consentJobs,
  navigation: [
    {
      href: '/consent',
      text: 'Consent',
      section: 'consent',
      description: consentDescription,
      order: 40,
      visible: canOpenConsent,
    },
    // The same entry for the profile's record keeper whose role does not open the consent pages
    // (e.g. the Business Manager, or a governor holding the keeper's responsibility): a kept read.
    {
      href: '/consent',
      text: 'Consent',
      section: 'consent',
      description: consentDescription,
      order: 40,
      visible: mayOpenConsentOnlyAsKeeper,
      shownBy: (services, p) => services.consentKeeper.isKeeper(p),
    },
    {
      href: '/consent/family',
      text: 'Photo consent',
      section: 'consent',
      description: 'Tell the school how photos and videos of your child may be used.',
      order: 50,
      visible: canUseOwnConsentForm,
    },
    // Shown to whoever the school's profile lets set restrictions, by role or by a named
    // responsibility (people.publicationRestrictionSetters and …SetterResponsibilities).
    {
      href: '/consent/restrictions',
      text: 'Never publish',
      section: 'consent',
      description: 'Pupils whose photos must never be published, whatever their consent says.',
      order: 45,
      visible: (p) => p.kind === 'staff',
      shownBy: (services, p) => services.consentRestrictions.mayOpen(p),
    },
  ],
});
