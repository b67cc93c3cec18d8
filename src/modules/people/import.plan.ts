import type { HeaderMapping } from './mis-import/mis-columns.ts';
import type {
  ContactImportRow,
  MisParseStats,
  PupilImportRow,
  RowError,
} from './mis-import/mis-parse.ts';
import type {
  ExistingLink,
  ExistingParent,
  ExistingPupil,
  LinkWrite,
  ParentWrite,
  PupilWrite,
} from './import.repository.ts';

/**
 * The pupil import's plan (pure): what applying a clean MIS file to the school's current pupils,
 * parents and links would change. The preview shows it; the apply step (pupil-import.kind.ts)
 * computes it again inside its transaction and writes it.
 */
// ---------------------------------------------------------------------------------------------
// Types stored in pupil_imports.preview / .summary

export interface ImportCounts {
  /** Pupils in the file (rows without problems). */
  rows: number;
  newPupils: number;
  updatedPupils: number;
  unchangedPupils: number;
  /** Pupils flagged as possibly left by an earlier import who are back in this file. */
  reappearedPupils: number;
  /**
   * On roll in Lanyard, missing from the file and not flagged yet: what a whole roll would flag.
   * Absent from imports recorded before the question was asked (read it as `possiblyLeft`).
   */
  notInFile?: number;
  /** Flagged as possibly left (never deleted): `notInFile` for a whole roll, else 0. */
  possiblyLeft: number;
  /** Missing from the file and already flagged by an earlier import. */
  alreadyPossiblyLeft: number;
  newParents: number;
  updatedParents: number;
  newLinks: number;
  updatedLinks: number;
  removedLinks: number;
}

export interface FieldChange {
  field: string;
  from: string | null;
  to: string | null;
}

export interface PupilChange {
  line: number | null;
  misId: string;
  name: string;
  changes?: FieldChange[];
}

/** How many examples of each kind of change a preview keeps. */
export const SAMPLE_LIMIT = 200;

export interface ImportPreview {
  canCommit: boolean;
  stats: MisParseStats;
  fileFormat: {
    encoding: string;
    pupilIdLabel: string;
    pupilIdColumn: string;
    unknownColumns: string[];
    contactSlots: number[];
  };
  errors: RowError[];
  errorsTruncated: boolean;
  errorLimitMessage: string | null;
  /** Null when the file has row errors (nothing is compared until it is clean). */
  counts: ImportCounts | null;
  samples: {
    newPupils: PupilChange[];
    updatedPupils: PupilChange[];
    reappearedPupils: PupilChange[];
    possiblyLeft: PupilChange[];
  };
}

export interface ImportSummary {
  counts: ImportCounts;
  durationMs: number;
  /** The confirmer said the file was the whole roll (absent from older imports: they were). */
  wholeRoll?: boolean;
}

/** An import as pages and the CLI show it. */
// ---------------------------------------------------------------------------------------------
// The plan: what applying a file to the current data would change (pure)

/** Columns present in the file. An optional column that is absent leaves the stored value alone. */
export interface ManagedColumns {
  preferredGivenName: boolean;
  preferredFamilyName: boolean;
  className: boolean;
  admissionDate: boolean;
  leavingDate: boolean;
  email: boolean;
  /** The file has contact columns at all: links not listed for a pupil are removed. */
  contacts: boolean;
  contactEmail: boolean;
  contactPhone: boolean;
  contactRelationship: boolean;
  contactParentalResponsibility: boolean;
}

export function managedColumns(
  mapping: HeaderMapping,
  contactSlots: readonly number[],
): ManagedColumns {
  const has = (key: keyof HeaderMapping) => (mapping[key]?.length ?? 0) > 0;
  const anySlot = (field: string) =>
    contactSlots.some((slot) => has(`parent_${slot}_${field}` as keyof HeaderMapping));
  return {
    preferredGivenName: has('preferred_given_name'),
    preferredFamilyName: has('preferred_family_name'),
    className: has('class'),
    admissionDate: has('admission_date'),
    leavingDate: has('leaving_date'),
    email: has('email'),
    contacts: contactSlots.length > 0,
    contactEmail: anySlot('email'),
    contactPhone: anySlot('phone'),
    contactRelationship: anySlot('relationship'),
    contactParentalResponsibility: anySlot('parental_responsibility'),
  };
}

export interface ExistingData {
  pupils: ExistingPupil[];
  parents: ExistingParent[];
  links: ExistingLink[];
}

export interface ImportPlan {
  counts: ImportCounts;
  /** New pupils, changed pupils and pupils coming back (in file order). */
  pupilWrites: PupilWrite[];
  newParents: ParentWrite[];
  updatedParents: ParentWrite[];
  /** New links and links whose relationship or parental responsibility changed. */
  linkWrites: LinkWrite[];
  linkRemovals: { pupilId: string; parentId: string }[];
  possiblyLeftIds: string[];
  samples: ImportPreview['samples'];
}

const PUPIL_FIELDS = [
  ['givenName', 'First name'],
  ['familyName', 'Surname'],
  ['preferredGivenName', 'Preferred first name'],
  ['preferredFamilyName', 'Preferred surname'],
  ['dateOfBirth', 'Date of birth'],
  ['yearGroup', 'Year group'],
  ['className', 'Class'],
  ['admissionDate', 'Admission date'],
  ['leavingDate', 'Leaving date'],
  ['email', 'Email'],
] as const satisfies readonly (readonly [keyof PupilWrite, string])[];

const DATE_FIELDS = new Set<keyof PupilWrite>(['dateOfBirth', 'admissionDate', 'leavingDate']);

function displayValue(field: keyof PupilWrite, value: string | null): string | null {
  if (value === null || value === '') return null;
  if (DATE_FIELDS.has(field) && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    return `${value.slice(8, 10)}/${value.slice(5, 7)}/${value.slice(0, 4)}`;
  }
  if (field === 'yearGroup') {
    if (value === 'R') return 'Reception';
    if (value === 'N1' || value === 'N2') return `Nursery ${value.slice(1)}`;
    return `Year ${value}`;
  }
  return value;
}

const lower = (s: string | null | undefined) => (s ?? '').trim().toLowerCase();

/**
 * Compares the rows of a clean file with the school's current pupils, parents and links and says
 * exactly what applying the file would write. Pure: the same input gives the same plan (new ids
 * come from `newId`). Applying a plan and planning again gives an empty plan.
 *
 * Matching: pupils on the MIS id (UPN, admission number…). Contacts on their MIS id when the file
 * has one; otherwise on email and name together (so two parents sharing a family email stay two
 * people), then on email alone when that is unambiguous (a changed surname), then on name among
 * the pupil's linked contacts. A contact with an MIS id may adopt an existing record without one,
 * so switching to an export with contact ids does not duplicate parents.
 */
export function planImport(input: {
  rows: readonly PupilImportRow[];
  managed: ManagedColumns;
  existing: ExistingData;
  today: string;
  newId: () => string;
  /**
   * The file lists every pupil on roll: pupils missing from it are flagged as possibly left. A
   * partial list (false) flags nobody; `notInFile` still says how many a whole roll would flag.
   */
  wholeRoll: boolean;
}): ImportPlan {
  const { rows, managed, existing, today, newId, wholeRoll } = input;
  const counts: ImportCounts = {
    rows: rows.length,
    newPupils: 0,
    updatedPupils: 0,
    unchangedPupils: 0,
    reappearedPupils: 0,
    notInFile: 0,
    possiblyLeft: 0,
    alreadyPossiblyLeft: 0,
    newParents: 0,
    updatedParents: 0,
    newLinks: 0,
    updatedLinks: 0,
    removedLinks: 0,
  };
  const samples: ImportPlan['samples'] = {
    newPupils: [],
    updatedPupils: [],
    reappearedPupils: [],
    possiblyLeft: [],
  };
  const sample = (list: PupilChange[], change: PupilChange) => {
    if (list.length < SAMPLE_LIMIT) list.push(change);
  };

  // Pupils
  const pupilByMis = new Map(existing.pupils.map((p) => [p.misId, p]));
  const pupilWrites: PupilWrite[] = [];
  const pupilIdByMis = new Map<string, string>();
  for (const row of rows) {
    const old = pupilByMis.get(row.misId);
    const target: PupilWrite = {
      id: old?.id ?? newId(),
      misId: row.misId,
      givenName: row.givenName,
      familyName: row.familyName,
      preferredGivenName: managed.preferredGivenName
        ? row.preferredGivenName
        : (old?.preferredGivenName ?? null),
      preferredFamilyName: managed.preferredFamilyName
        ? row.preferredFamilyName
        : (old?.preferredFamilyName ?? null),
      dateOfBirth: row.dateOfBirth,
      yearGroup: row.yearGroup,
      className: managed.className ? row.className : (old?.className ?? null),
      admissionDate: managed.admissionDate ? row.admissionDate : (old?.admissionDate ?? null),
      leavingDate: managed.leavingDate ? row.leavingDate : (old?.leavingDate ?? null),
      email: managed.email ? row.email : (old?.email ?? null),
    };
    pupilIdByMis.set(row.misId, target.id);
    const name = `${row.givenName} ${row.familyName}`;
    if (!old) {
      counts.newPupils++;
      pupilWrites.push(target);
      sample(samples.newPupils, { line: row.line, misId: row.misId, name });
      continue;
    }
    const changes: FieldChange[] = [];
    for (const [field, label] of PUPIL_FIELDS) {
      if ((old[field] ?? null) !== (target[field] ?? null)) {
        changes.push({
          field: label,
          from: displayValue(field, old[field]),
          to: displayValue(field, target[field]),
        });
      }
    }
    const reappeared = old.possiblyLeftAt !== null;
    if (changes.length > 0) {
      counts.updatedPupils++;
      sample(samples.updatedPupils, { line: row.line, misId: row.misId, name, changes });
    }
    if (reappeared) {
      counts.reappearedPupils++;
      sample(samples.reappearedPupils, { line: row.line, misId: row.misId, name });
    }
    if (changes.length > 0 || reappeared) pupilWrites.push(target);
    else counts.unchangedPupils++;
  }

  // Pupils on roll that a whole-roll file no longer lists: flagged, never deleted.
  const possiblyLeftIds: string[] = [];
  for (const p of existing.pupils) {
    if (pupilIdByMis.has(p.misId)) continue;
    if (p.leavingDate !== null && p.leavingDate <= today) continue; // already left
    if (p.possiblyLeftAt !== null) {
      counts.alreadyPossiblyLeft++;
      continue;
    }
    counts.notInFile!++;
    // The sample lists the pupils not in the file (flagged only for a whole roll).
    sample(samples.possiblyLeft, {
      line: null,
      misId: p.misId,
      name: `${p.givenName} ${p.familyName}`,
    });
    if (!wholeRoll) continue;
    counts.possiblyLeft++;
    possiblyLeftIds.push(p.id);
  }

  // Parents and links
  const parentByMis = new Map<string, ExistingParent>();
  const parentsByEmail = new Map<string, ExistingParent[]>();
  const parentById = new Map<string, ExistingParent>();
  for (const p of existing.parents) {
    parentById.set(p.id, p);
    if (p.misId) parentByMis.set(p.misId, p);
    if (p.email) {
      const key = lower(p.email);
      const list = parentsByEmail.get(key);
      if (list) list.push(p);
      else parentsByEmail.set(key, [p]);
    }
  }
  const linksByPupil = new Map<string, ExistingLink[]>();
  for (const l of existing.links) {
    const list = linksByPupil.get(l.pupilId);
    if (list) list.push(l);
    else linksByPupil.set(l.pupilId, [l]);
  }

  const claimed = new Set<string>();
  const parentIdByKey = new Map<string, string>();
  const newParents: ParentWrite[] = [];
  const updatedParents: ParentWrite[] = [];
  const linkWrites: LinkWrite[] = [];
  const linkRemovals: { pupilId: string; parentId: string }[] = [];

  // What the file says about contacts, so that matching one contact never takes the record
  // another contact in the file will ask for.
  const personKey = (email: string | null, givenName: string, familyName: string) =>
    `${lower(email)}|${lower(givenName)}|${lower(familyName)}`;
  const fileContactIds = new Set<string>();
  const filePeople = new Set<string>();
  for (const row of rows) {
    for (const c of row.contacts) {
      if (c.misId) fileContactIds.add(c.misId);
      if (c.email) filePeople.add(personKey(c.email, c.givenName, c.familyName));
    }
  }
  const sameName = (p: ExistingParent, c: ContactImportRow) =>
    lower(p.givenName) === lower(c.givenName) && lower(p.familyName) === lower(c.familyName);

  const findExisting = (
    contact: ContactImportRow,
    pupilId: string | undefined,
  ): ExistingParent | undefined => {
    if (contact.misId) {
      const byId = parentByMis.get(contact.misId);
      if (byId && !claimed.has(byId.id)) return byId;
    }
    // Otherwise adopt a record only if nobody else in the file has a claim to it: a contact with
    // an id adopts records without one; a contact without an id leaves records whose id is in
    // the file to that contact.
    const eligible = (p: ExistingParent) =>
      !claimed.has(p.id) && (contact.misId ? !p.misId : !p.misId || !fileContactIds.has(p.misId));
    if (contact.email) {
      const candidates = (parentsByEmail.get(lower(contact.email)) ?? []).filter(eligible);
      const exact = candidates.find((p) => sameName(p, contact));
      if (exact) return exact;
      // Same email, different name (e.g. a changed surname): only when it is unambiguous, and
      // never a record that matches another contact in the file exactly (a shared family email).
      const others = candidates.filter(
        (p) => !filePeople.has(personKey(p.email, p.givenName, p.familyName)),
      );
      if (others.length === 1) return others[0];
    }
    if (pupilId) {
      for (const link of linksByPupil.get(pupilId) ?? []) {
        const p = parentById.get(link.parentId);
        if (p && eligible(p) && sameName(p, contact)) return p;
      }
    }
    return undefined;
  };

  for (const row of rows) {
    const pupilId = pupilIdByMis.get(row.misId)!;
    const existingPupil = pupilByMis.get(row.misId);
    const oldLinks = new Map((linksByPupil.get(pupilId) ?? []).map((l) => [l.parentId, l]));
    const wanted = new Set<string>();
    for (const contact of row.contacts) {
      // The same person on several rows (siblings) is one parent: by id, else by email and name;
      // without either, a contact is only known within its own pupil's row.
      const key = contact.misId
        ? `id:${contact.misId}`
        : contact.email
          ? `person:${personKey(contact.email, contact.givenName, contact.familyName)}`
          : `name:${lower(contact.givenName)}|${lower(contact.familyName)}|${row.misId}`;
      let parentId = parentIdByKey.get(key);
      if (!parentId) {
        const match = findExisting(contact, existingPupil?.id);
        if (match) {
          claimed.add(match.id);
          const target: ParentWrite = {
            id: match.id,
            misId: contact.misId ?? match.misId,
            givenName: contact.givenName,
            familyName: contact.familyName,
            email: managed.contactEmail ? contact.email : match.email,
            phone: managed.contactPhone ? contact.phone : match.phone,
          };
          if (
            target.misId !== match.misId ||
            target.givenName !== match.givenName ||
            target.familyName !== match.familyName ||
            target.email !== match.email ||
            target.phone !== match.phone
          ) {
            counts.updatedParents++;
            updatedParents.push(target);
          }
          parentId = match.id;
        } else {
          parentId = newId();
          counts.newParents++;
          newParents.push({
            id: parentId,
            misId: contact.misId,
            givenName: contact.givenName,
            familyName: contact.familyName,
            email: contact.email,
            phone: contact.phone,
          });
        }
        parentIdByKey.set(key, parentId);
      }
      if (wanted.has(parentId)) continue; // the same contact twice on one row
      wanted.add(parentId);
      const old = oldLinks.get(parentId);
      const link: LinkWrite = {
        pupilId,
        parentId,
        relationship: managed.contactRelationship
          ? contact.relationship
          : (old?.relationship ?? null),
        parentalResponsibility: managed.contactParentalResponsibility
          ? contact.parentalResponsibility
          : (old?.parentalResponsibility ?? false),
      };
      if (!old) {
        counts.newLinks++;
        linkWrites.push(link);
      } else if (
        old.relationship !== link.relationship ||
        old.parentalResponsibility !== link.parentalResponsibility
      ) {
        counts.updatedLinks++;
        linkWrites.push(link);
      }
    }
    if (managed.contacts) {
      for (const parentId of oldLinks.keys()) {
        if (!wanted.has(parentId)) {
          counts.removedLinks++;
          linkRemovals.push({ pupilId, parentId });
        }
      }
    }
  }

  return {
    counts,
    pupilWrites,
    newParents,
    updatedParents,
    linkWrites,
    linkRemovals,
    possiblyLeftIds,
    samples,
  };
}

/** Total number of writes a plan makes (the unit of commit progress). */
export function planSize(plan: ImportPlan): number {
  return (
    plan.pupilWrites.length +
    plan.newParents.length +
    plan.updatedParents.length +
    plan.linkRemovals.length +
    plan.linkWrites.length +
    plan.possiblyLeftIds.length
  );
}
