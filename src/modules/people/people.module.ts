import { defineModule, type Services } from '../registry.ts';
import { PeopleRepository } from './people.repository.ts';
import { PeopleDirectoryRepository } from './people-directory.repository.ts';
import { PeopleChangesRepository } from './people-changes.repository.ts';
import { PeopleService } from './people.service.ts';
import { ImportRepository } from './import.repository.ts';
import { ImportService } from './import.service.ts';
import { StaffImportRepository } from './staff-import.repository.ts';
import { StaffImportService } from './staff-import.service.ts';
import { staffImportRoutes } from './staff-import.routes.ts';
import { StaffClassesRepository } from './staff-classes.repository.ts';
import { StaffClassesService } from './staff-classes.service.ts';
import { PeopleDirectory } from './people-directory.ts';
import { SchoolDetailsRepository } from './school-details.repository.ts';
import { SchoolDetailsService } from './school-details.service.ts';
import { schoolDetailsRoutes } from './school-details.routes.ts';
import { peopleRoutes } from './people.routes.ts';
import { peopleManageRoutes } from './people-manage.routes.ts';
import { importRoutes } from './import.routes.ts';
import { staffClassesRoutes } from './staff-classes.routes.ts';
import { peopleApi } from './people.api.ts';
import { peopleJobs } from './people.jobs.ts';
import { canImportPupils, canListParents, canListPupils, canListStaff } from './people.policy.ts';
import { PeopleAggregates } from './people.aggregates.ts';

declare module '../registry.ts' {
  interface ServiceRegistry {
    /** Who was on roll or in post, as ids and year groups (no names): figures such as the governors’ report. */
    peopleAggregates: PeopleAggregates;
    /** Schools, pupils, parents and staff. */
    people: PeopleService;
    /** How other modules read people's data (and write it in their own transaction). */
    peopleDirectory: PeopleDirectory;
    /** Pupil imports from the school's MIS (upload, preview, confirm). */
    imports: ImportService;
    /** Staff lists imported from a CSV (upload, preview, confirm), line managers included. */
    staffImports: StaffImportService;
    /** Which classes a member of staff teaches: the one pupil scope. */
    staffClasses: StaffClassesService;
    /** The school's own published contact details (the publishing checks allow them). */
    schoolDetails: SchoolDetailsService;
  }
}

export const peopleModule = defineModule({
  name: 'people',
  wire: (
    deps: Pick<
      Services,
      'database' | 'clock' | 'jobs' | 'files' | 'audit' | 'policies' | 'policyScope'
    >,
  ) => {
    const staffClassesRepository = new StaffClassesRepository();
    const repository = new PeopleRepository();
    const importRepository = new ImportRepository();
    const changes = new PeopleChangesRepository();
    return {
      peopleAggregates: new PeopleAggregates({ database: deps.database }),
      peopleDirectory: new PeopleDirectory({
        repository,
        directory: new PeopleDirectoryRepository(),
        changes,
        imports: importRepository,
      }),
      people: new PeopleService({
        database: deps.database,
        repository,
        changes,
        staffClasses: staffClassesRepository,
        audit: deps.audit,
        clock: deps.clock,
        policies: deps.policies,
        jobs: deps.jobs,
        roleTitles: (schoolId) => deps.policyScope.roleTitles(schoolId),
      }),
      imports: new ImportService({
        database: deps.database,
        repository: importRepository,
        audit: deps.audit,
        clock: deps.clock,
        jobs: deps.jobs,
        files: deps.files,
      }),
      staffImports: new StaffImportService({
        database: deps.database,
        repository: new StaffImportRepository(),
        audit: deps.audit,
        clock: deps.clock,
        jobs: deps.jobs,
        files: deps.files,
        roleTitles: (schoolId) => deps.policyScope.roleTitles(schoolId),
      }),
      schoolDetails: new SchoolDetailsService({
        database: deps.database,
        repository: new SchoolDetailsRepository(),
        audit: deps.audit,
      }),
      staffClasses: new StaffClassesService({
        database: deps.database,
        repository: staffClassesRepository,
        audit: deps.audit,
        clock: deps.clock,
      }),
    };
  },
  routes: [
    peopleRoutes,
    peopleManageRoutes,
    importRoutes,
    staffImportRoutes,
    staffClassesRoutes,
    schoolDetailsRoutes,
  ],
  api: [peopleApi],
  jobs: peopleJobs,
  navigation: [
    {
      href: '/pupils',
      text: 'Pupils',
      section: 'pupils-and-families',
      description: 'Find a pupil and see their class, their family and their consent.',
      order: 10,
      visible: canListPupils,
    },
    {
      href: '/parents',
      text: 'Parents and carers',
      section: 'pupils-and-families',
      description: 'Find a parent or carer and the pupils they look after.',
      order: 20,
      visible: canListParents,
    },
    {
      href: '/staff',
      text: 'Staff',
      section: 'staff',
      description: 'Everyone who works or volunteers at the school, and their roles.',
      order: 30,
      visible: canListStaff,
    },
    {
      href: '/imports/pupils',
      text: 'Import',
      section: 'pupils-and-families',
      description: 'Bring pupils, classes and parents in from a spreadsheet of the school roll.',
      order: 60,
      visible: canImportPupils,
    },
  ],
});
