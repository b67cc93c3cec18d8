/**
 * The people module's public surface: the only file another module imports from
 * (docs/architecture.md, "Boundaries"). Other modules read schools, pupils, parents and staff
 * through `PeopleDirectory` (`Services.peopleDirectory`), never the repository or the tables.
 */

// Services (reached through `Services`) and what they return.
export type { PeopleDirectory } from './people-directory.ts';
export type { OrganisationAdminRow, PupilRow, SchoolNewsAppearance } from './people.repository.ts';
export {
  READ_TTL_MS,
  todayIn,
  type PeopleService,
  type StaffInvitationJob,
} from './people.service.ts';
export type {
  ImportCounts,
  ImportPhase,
  ImportService,
  ImportView,
  ProgressListener,
} from './import.service.ts';
export type { StaffClassesService } from './staff-classes.service.ts';
export type { StaffImportService, StaffImportView } from './staff-import.service.ts';
export type { SchoolContacts, SchoolDetailsService } from './school-details.service.ts';
export type { PupilScope } from './pupil-scope.ts';

// Who may: shared with other modules' pages.
export { canEditSchoolDetails, canListPupils, isClassScoped } from './people.policy.ts';

// Reading a spreadsheet from a school's MIS: the consent import reads its files the same way.
export {
  clean,
  decode,
  MAX_FILE_BYTES,
  parseCsv,
  parseUkDate,
  SNIFF_BYTES,
  sniffDelimiter,
  sniffFile,
  type FileError,
  type RowError,
  type TextEncodingName,
} from './mis-import/mis-parse.ts';
export { normaliseHeader } from './mis-import/mis-columns.ts';
export { readCsvSheet, type CsvSheet } from './mis-import/csv-sheet.ts';

// Figures for the governors' monitoring report (issue 16 item 4): counts only, no names.
export type { PeopleAggregates } from './people.aggregates.ts';

// Retention (issue 16 item 6): Lanyard's copy of pupils who left and their parents, deleted
// once no other record names them (the retention sweep, in its transaction).
// Former staff likewise (`retention.staffRecordsYearsAfterLeaving`).
export {
  deletePeopleRecords,
  deleteStaffRecords,
  formerStaffLeftOnOrBefore,
  keepFormerStaffNamesInImports,
  pupilsLeftOnOrBefore,
  retentionLeavingDate,
  type PeopleDeleted,
  type StaffDeleted,
} from './people-retention.repository.ts';
