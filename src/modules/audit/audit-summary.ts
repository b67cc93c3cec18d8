import { formatDateInWords } from '../../web/dates.ts';
import { roleLabels, type StaffRole } from '../auth/index.ts';
import type { AuditRow } from './audit.repository.ts';
import { keptNameKey } from './audit-kept-names.ts';

/**
 * The audit log in words (issue 9 item 6): who did it and what changed, for people, not
 * developers. Names are looked up when the log is read (entries hold ids only, and what is hashed
 * never changes); a person who is no longer on record is described, never shown as an id.
 */

/** Names of the people an entry mentions, and whether the reader may see pupils' names. */
export interface NameBook {
  staff: ReadonlyMap<string, string>;
  parents: ReadonlyMap<string, string>;
  pupils: ReadonlyMap<string, string>;
  /** False: pupils are "a pupil", whatever the names say. */
  showPupils: boolean;
  /** The school's own titles for the staff roles (`people.roleTitles`); Lanyard's otherwise. */
  roleTitles?: Readonly<Partial<Record<string, string>>> | null;
  /**
   * Names of former staff kept on the record an entry is about (by `keptNameKey`: the entry's
   * record and its actor), for actors no longer on record (audit-kept-names.ts).
   */
  kept?: ReadonlyMap<string, string>;
}

export interface PeopleIds {
  staff: string[];
  parents: string[];
  pupils: string[];
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The ids of the people an entry mentions, so their names can be looked up in one go. */
export function peopleIn(rows: readonly AuditRow[]): PeopleIds {
  const ids: PeopleIds = { staff: [], parents: [], pupils: [] };
  for (const r of rows) {
    const d = (r.data ?? {}) as Record<string, unknown>;
    if (r.actorId) {
      if (r.actorKind === 'staff') ids.staff.push(r.actorId);
      if (r.actorKind === 'parent') ids.parents.push(r.actorId);
      if (r.actorKind === 'pupil') ids.pupils.push(r.actorId);
    }
    if (r.entityId) {
      if (r.entityType === 'staff') ids.staff.push(r.entityId);
      if (r.entityType === 'parent') ids.parents.push(r.entityId);
      if (r.entityType === 'pupil') ids.pupils.push(r.entityId);
    }
    for (const k of ['pupilId']) if (str(d[k])) ids.pupils.push(d[k] as string);
    for (const k of ['deciderParentId', 'parentId'])
      if (str(d[k])) ids.parents.push(d[k] as string);
    for (const k of ['staffId', 'fromStaffId', 'toStaffId'])
      if (str(d[k])) ids.staff.push(d[k] as string);
  }
  return ids;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;
}

/** "Consent", "Staff roles changed": the words of a slug, for entries this file does not know. */
export function words(slug: string): string {
  const text = slug.replace(/[._-]+/g, ' ').trim();
  return text ? text[0]!.toUpperCase() + text.slice(1) : '';
}

class Namer {
  constructor(private readonly book: NameBook) {}
  staff(id: string | null | undefined): string {
    return (id && this.book.staff.get(id)) || 'a former member of staff';
  }
  parent(id: string | null | undefined): string {
    return (id && this.book.parents.get(id)) || 'a parent who is no longer on record';
  }
  pupil(id: string | null | undefined): string {
    if (!this.book.showPupils) return 'a pupil';
    return (id && this.book.pupils.get(id)) || 'a pupil who is no longer on record';
  }
  /** A staff role by the school's own title. */
  role(r: unknown): string {
    return this.book.roleTitles?.[String(r)] ?? roleLabels[r as StaffRole] ?? words(String(r));
  }
}

/** Who did it, in words. */
export function actorInWords(row: AuditRow, book: NameBook): string {
  const n = new Namer(book);
  switch (row.actorKind) {
    case 'staff': {
      const id = row.actorId;
      if (id && !book.staff.get(id) && row.entityId) {
        const kept = book.kept?.get(
          keptNameKey({ entityType: row.entityType, entityId: row.entityId, staffId: id }),
        );
        if (kept) return `${kept} (a former member of staff)`;
      }
      return n.staff(id);
    }
    case 'parent':
      return n.parent(row.actorId);
    case 'pupil':
      return n.pupil(row.actorId);
    case 'system':
      return 'Lanyard (automatically)';
    case 'cli':
      return 'An administrator, at the command line';
    case 'org_admin':
      return 'A trust administrator';
    default:
      return words(row.actorKind);
  }
}

const methods: Record<string, string> = {
  paper_form: 'from a paper form',
  online_form: 'online',
  letter: 'from a letter',
  email: 'from an email',
  import: 'from a spreadsheet',
};

function decisionCounts(decisions: unknown): string {
  if (!decisions || typeof decisions !== 'object') return '';
  const values = Object.values(decisions as Record<string, unknown>);
  const granted = values.filter((v) => v === 'granted').length;
  const refused = values.filter((v) => v === 'refused').length;
  const parts = [];
  if (granted) parts.push(`${plural(granted, 'permission')} given`);
  if (refused) parts.push(`${plural(refused, 'permission')} refused`);
  return parts.length ? `: ${parts.join(', ')}` : '';
}

const mediaWord = (d: Record<string, unknown>) => (d.kind === 'video' ? 'a video' : 'a photo');

const fieldWords: Record<string, string> = {
  givenName: 'given name',
  familyName: 'family name',
  jobTitle: 'job title',
  yearGroup: 'year group',
  className: 'class',
  dateOfBirth: 'date of birth',
  admissionDate: 'admission date',
  leavingDate: 'leaving date',
  misId: 'MIS number',
  email: 'email address',
  phone: 'phone number',
};

/** "the given name and class" from ['givenName', 'className']; '' when none. */
function fieldsInWords(changed: unknown): string {
  if (!Array.isArray(changed) || changed.length === 0) return '';
  const names = changed
    .filter((c): c is string => typeof c === 'string')
    .map((c) => fieldWords[c] ?? c.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase());
  if (names.length === 0) return '';
  const list =
    names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
  return `the ${list}`;
}

function rolesInWords(roles: unknown, n: Namer): string {
  if (!Array.isArray(roles) || roles.length === 0) return '';
  return roles.map((r) => n.role(r)).join(', ');
}

const pupilsOf = (row: AuditRow, d: Record<string, unknown>, n: Namer): string => {
  const ids = Array.isArray(d.pupilIds) ? d.pupilIds : [];
  if (ids.length === 1 || (ids.length === 0 && row.entityId))
    return n.pupil(row.entityId ?? String(ids[0]));
  return plural(ids.length, 'pupil');
};

type Describe = (row: AuditRow, d: Record<string, unknown>, n: Namer) => string;

const consentRecord =
  (verb: string): Describe =>
  (row, d, n) => {
    const how = methods[str(d.method) ?? ''];
    const by =
      d.deciderKind === 'parent'
        ? `, decided by ${n.parent(str(d.deciderParentId))}`
        : d.deciderKind === 'pupil'
          ? ', decided by the pupil'
          : '';
    return `${verb} ${n.pupil(str(d.pupilId))}${how ? ` ${how}` : ''}${by}${decisionCounts(d.decisions)}`;
  };

/** One sentence per audit action; anything not listed gets a generic sentence from its name. */
const summaries: Record<string, Describe> = {
  'consent.form-recorded': consentRecord('Recorded a consent form for'),
  'consent.amended': consentRecord('Changed the consent recorded for'),
  'consent.withdrawn': consentRecord('Recorded a withdrawal of consent for'),
  'consent.imported': (row, d, n) =>
    row.entityType === 'consent_import'
      ? `Imported consent from a spreadsheet${num(d.records) !== null ? `: ${plural(num(d.records)!, 'record')}` : ''}`
      : consentRecord('Imported consent for')(row, d, n),
  'consent.import-uploaded': () => 'Uploaded a consent spreadsheet to check before importing',
  'consent.competence-assessed': (row, d, n) =>
    `Assessed whether ${n.pupil(row.entityId)} can decide about consent for themselves: ${d.competent ? 'yes' : 'no'}`,
  'consent.period-expired': () => 'A consent year ended; its forms no longer count',
  'consent.campaign-started': () => 'Started collecting consent forms from parents',
  'consent.campaign-extended': () => 'Extended the collection of consent forms',
  'consent.reminders-sent': () => 'Sent reminders to parents who have not returned a consent form',
  'consent.form-link-sent': (row, d, n) =>
    `Sent a consent form link to ${n.parent(row.entityId)}${num(d.children) !== null ? ` for ${plural(num(d.children)!, 'child', 'children')}` : ''}`,
  'consent.demo-seeded': () => 'Added demonstration consent records',
  'demo.seeded': () => 'Added demonstration data',
  'people.school-created': () => 'Set up the school in Lanyard',
  'people.staff-created': (row, _d, n) => `Added ${n.staff(row.entityId)} to the staff`,
  'people.import-uploaded': () => 'Uploaded a pupil list from the school’s MIS to check',
  'people.import-confirmed': () => 'Confirmed a pupil list import from the MIS',
  'people.imported': () => 'Imported pupils from the MIS',
  'people.staff-import-uploaded': () => 'Uploaded a staff list to check before importing',
  'people.staff-imported': (_row, d) =>
    `Imported a staff list: ${plural(num(d.added) ?? 0, 'member')} of staff added, ${num(d.changed) ?? 0} changed`,
  'people.staff-added': (row, d, n) =>
    `Added ${n.staff(row.entityId)} to the staff${rolesInWords(d.roles, n) ? ` as ${rolesInWords(d.roles, n)}` : ''}`,
  'people.staff-changed': (row, d, n) => {
    const parts = [fieldsInWords(d.changed)];
    if (rolesInWords(d.rolesAdded, n)) parts.push(`gave the role ${rolesInWords(d.rolesAdded, n)}`);
    if (rolesInWords(d.rolesRemoved, n))
      parts.push(`took away the role ${rolesInWords(d.rolesRemoved, n)}`);
    const what = parts.filter(Boolean);
    return `Changed ${n.staff(row.entityId)}’s account${what.length ? `: ${what.join('; ')}` : ''}`;
  },
  'people.staff-deactivated': (row, d, n) =>
    d.reason === 'leave-date'
      ? `Deactivated the account of ${n.staff(row.entityId)}: their leave date${str(d.leaveDate) ? `, ${formatDateInWords(str(d.leaveDate))},` : ''} had come`
      : `Deactivated the account of ${n.staff(row.entityId)} (they can no longer sign in)${str(d.leaveDate) ? `; leave date ${formatDateInWords(str(d.leaveDate))}` : ''}`,
  'people.staff-reactivated': (row, _d, n) => `Reactivated the account of ${n.staff(row.entityId)}`,
  'people.pupil-added': (row, _d, n) => `Added ${n.pupil(row.entityId)} to the school’s pupils`,
  'people.pupil-changed': (row, d, n) =>
    `Changed ${fieldsInWords(d.changed) || 'the details'} of ${n.pupil(row.entityId)}`,
  'people.pupils-left': (row, d, n) =>
    `Recorded that ${pupilsOf(row, d, n)} left${str(d.leavingDate) ? ` on ${formatDateInWords(str(d.leavingDate))}` : ''}`,
  'people.pupils-still-here': (row, d, n) =>
    `Confirmed that ${pupilsOf(row, d, n)} ${Array.isArray(d.pupilIds) && d.pupilIds.length > 1 ? 'are' : 'is'} still at the school`,
  'auth.password-set': (row, d, n) =>
    d.from === 'invitation'
      ? 'Set their password from an invitation'
      : `Set a new password for ${n.staff(row.entityId)}`,
  'people.staff-invited': (row, _d, n) =>
    `Sent ${n.staff(row.entityId)} a new invitation to set their password`,
  'staff.classes-assigned': (row, _d, n) => `Changed the classes ${n.staff(row.entityId)} teaches`,
  'people.school-contacts-changed': (_row, d) =>
    `Changed the school’s contact details${fieldsInWords(d.changed) ? `: ${fieldsInWords(d.changed)}` : ''}`,
  'policy.profile-adopted': () => 'Adopted a policy template for the school',
  'policy.profile-updated': (_row, d) =>
    `Changed the policy settings${num(d.version) !== null ? ` (now version ${num(d.version)})` : ''}`,
  'policy.reviewed': () => 'Recorded a review of the policy',
  'policy.review-reminder-sent': () => 'Sent a reminder that the policy is due for review',
  'auth.account-locked': (row, d, n) =>
    `Locked the account of ${row.entityType === 'staff' ? n.staff(row.entityId) : 'a trust administrator'} after ${plural(num(d.attempts) ?? 0, 'failed sign-in')}`,
  'auth.second-factor-enrolled': () => 'Set up two-step sign-in',
  'auth.api-token-created': () => 'Created an API token',
  'devices.registered': (_row, d) =>
    `Registered a capture device${str(d.assetTag) ? ` (asset tag ${str(d.assetTag)})` : ''}`,
  'devices.approved': () => 'Approved a capture device for taking photos',
  'devices.approval-withdrawn': () => 'Withdrew the approval of a capture device',
  // Training and policy acknowledgements (modules/training, modules/acknowledgements).
  'acknowledgements.policy-acknowledged': (_row, d) =>
    `Acknowledged the policy${num(d.version) !== null ? ` (version ${num(d.version)})` : ''}`,
  // The policy lifecycle (issue 16).
  'acknowledgements.superseded': (_row, d) =>
    `Asked everyone to acknowledge the policy again (${plural(num(d.superseded) ?? 0, 'earlier acknowledgement', 'earlier acknowledgements')} superseded by version ${num(d.version) ?? ''})`,
  'acknowledgements.class-agreement-recorded': (_row, d) =>
    `Recorded a class’s agreement to the policy${num(d.version) !== null ? ` (version ${num(d.version)})` : ''}`,
  'policy.text-published': (_row, d) =>
    `Published version ${num(d.version) ?? ''} of the policy text (${d.substantive ? 'a substantive change' : 'a minor change'}; ${plural(num(d.wordsAdded) ?? 0, 'word', 'words')} added, ${plural(num(d.wordsRemoved) ?? 0, 'word', 'words')} removed)`,
  'policy.review-recorded': () => 'Recorded a review of the policy',
  'policy.review-approved': () => 'Approved a review of the policy and set the next review date',
  'training.session-scheduled': () => 'Scheduled a training session',
  'training.attendance-recorded': (_row, d) =>
    `Took the register of a training session (${plural(num(d.attended) ?? 0, 'person', 'people')} attended)`,
  'training.attendance-imported': (_row, d) =>
    `Imported training attendance (${plural(num(d.recorded) ?? 0, 'attendance')})`,
  'training.class-lesson-marked': (_row, d) =>
    `Marked a class’s e-safety lesson as taught${str(d.className) ? ` (${str(d.className)})` : ''}`,
  'training.place-booked': (_row, d) =>
    `Booked ${plural(num(d.places) ?? 1, 'place')} at a parents’ e-safety meeting`,
  'training.booking-cancelled': () => 'Cancelled a booking at a parents’ e-safety meeting',
  'training.marked-due-again': (_row, d) =>
    `Made training due again for ${plural(num(d.marked) ?? 0, 'person', 'people')} ${d.reason === 'incident' ? 'after a significant incident' : 'after a new policy version'}`,
  'training.material-added': () => 'Added a file to a training session',
  'training.material-downloaded': () => 'Downloaded a training session’s file',
  // Incident letters and platform guidance (incidents/letters, incidents/guidance).
  'incidents.letter-created': (_row, d) =>
    `Made a letter about an incident${d.emailed === true ? ', to be emailed' : ''}`,
  'incidents.letter-downloaded': () => 'Downloaded a letter about an incident',
  'incidents.letter-template-updated': () => 'Changed the wording of a letter template',
  // Incident evidence (incidents/evidence): the file's fingerprint is in the data, never its name.
  'incidents.evidence-added': () => 'Added an evidence file to an incident (encrypted)',
  'incidents.evidence-downloaded': () =>
    'Downloaded an evidence file of an incident (its fingerprint checked)',
  'incidents.evidence-check-failed': (_row, d) =>
    d.reason === 'wrong_key'
      ? 'Could not open an evidence file: it was stored under a different encryption key'
      : 'Refused to send an evidence file: it no longer matches the fingerprint recorded when it was uploaded',
  'incidents.guidance-updated': (_row, d) =>
    `Changed the guidance on reporting${str(d.platform) ? ` (${platformWords[str(d.platform)!] ?? 'a platform'})` : ''}`,
  'incidents.guidance-restored': (_row, d) =>
    `Put Lanyard’s guidance on reporting back${str(d.platform) ? ` (${platformWords[str(d.platform)!] ?? 'a platform'})` : ''}`,
  'media.uploaded': (_row, d) => `Uploaded ${mediaWord(d)}`,
  'media.uploaded-to-quarantine': (_row, d) => `Uploaded ${mediaWord(d)}, held in quarantine`,
  'media.ingested': (_row, d) =>
    `Prepared an uploaded photo${num(d.facesDetected) !== null ? `: ${plural(num(d.facesDetected)!, 'face')} found` : ''}, location and camera details removed`,
  'media.ingest-failed': () => 'Could not prepare an uploaded photo',
  'media.details-updated': () => 'Changed the details of a photo or video',
  'media.face-added': () => 'Marked a face on a photo',
  'media.face-removed': () => 'Removed a face marked on a photo',
  'media.face-linked': (_row, d, n) => `Identified a face on a photo as ${n.pupil(str(d.pupilId))}`,
  'media.face-unlinked': () => 'Removed the name from a face on a photo',
  'media.pupil-tagged': (_row, d, n) => `Tagged ${n.pupil(str(d.pupilId))} in a photo or video`,
  'media.pupil-untagged': (_row, d, n) =>
    `Removed the tag of ${n.pupil(str(d.pupilId))} from a photo or video`,
  'media.rendition-created': (_row, d) => {
    const total = num(d.facesTotal);
    const blurred = num(d.facesBlurred);
    return `Made a copy of a photo to publish${total !== null && blurred !== null ? `, ${blurred} of ${plural(total, 'face')} blurred` : ''}`;
  },
  'media.released-from-quarantine': () => 'Released a photo or video from quarantine',
  'media.deleted': (_row, d) => `Deleted ${mediaWord(d)}`,
  'media.retention-run': (_row, d) =>
    `Applied the retention rules: ${plural(num(d.archived) ?? 0, 'item')} archived, ${plural(Array.isArray(d.deleted) ? d.deleted.length : 0, 'item')} deleted`,
  'media.incomplete-upload-removed': () => 'Removed an upload that did not finish',
  'publishing.channel-added': () => 'Added a channel to the school’s channels',
  'publishing.news-appearance-changed': (_row, d) =>
    `Changed how the school’s news page looks${fieldsInWords(d.changed) ? `: ${fieldsInWords(d.changed)}` : ''}`,
  'publishing.channel-changed': (_row, d) =>
    `Changed a channel’s details${fieldsInWords(d.changed) ? `: ${fieldsInWords(d.changed)}` : ''}`,
  'publishing.channel-credential-set': (_row, d) =>
    d.replaced === true
      ? 'Replaced the token or signing secret of a channel'
      : 'Entered the token or signing secret of a channel',
  'publishing.channel-poster-added': (_row, d, n) =>
    `Authorised ${n.staff(str(d.staffId))} to post to a channel`,
  'publishing.channel-poster-removed': (_row, d, n) =>
    `Took away ${n.staff(str(d.staffId))}’s authorisation to post to a channel`,
  'publishing.credentials-handed-over': (_row, d, n) =>
    `Recorded a hand-over of a channel’s credentials${str(d.fromStaffId) ? ` from ${n.staff(str(d.fromStaffId))}` : ''} to ${n.staff(str(d.toStaffId))}${str(d.on) ? ` on ${formatDateInWords(str(d.on))}` : ''}`,
  'publishing.takedown-tasks-created': (_row, d) =>
    `A pupil’s consent changed: ${plural(num(d.tasks) ?? 0, 'published post')} to take down`,
  'publishing.publication-taken-down': () => 'Took a published post down after consent changed',
  'publishing.takedown-failed': () =>
    'Could not take a published post down after consent changed; trying again',
  'publishing.takedown-done': () => 'Recorded a published post as taken down by hand',
  'publishing.publication-republished-blurred': () =>
    'Published a post again with a pupil blurred after their consent changed',
};

/** Platforms of the guidance pages, in words (incidents/guidance). */
const platformWords: Record<string, string> = {
  facebook: 'Facebook',
  instagram: 'Instagram',
  tiktok: 'TikTok',
  x: 'X',
  youtube: 'YouTube',
  snapchat: 'Snapchat',
  whatsapp: 'WhatsApp',
  ceop: 'CEOP',
};

const entityWords: Record<string, string> = {
  incident_letter: 'a letter about an incident',
  incident_letter_template: 'a letter template',
  incident_guidance: 'a guidance page',
  staff: 'a member of staff',
  parent: 'a parent',
  pupil: 'a pupil',
  consent_record: 'a consent record',
  media_item: 'a photo or video',
  capture_device: 'a capture device',
  training_session: 'a training session',
  training_material: 'a training file',
  training_class_lesson: 'an e-safety lesson',
  training_attendance_import: 'a training attendance import',
  policy_acknowledgement: 'a policy acknowledgement',
  channel_account: 'a channel',
  policy_profile: 'the policy',
  school: 'the school',
  api_token: 'an API token',
  consent_campaign: 'a consent form campaign',
  consent_period: 'a consent year',
  consent_import: 'a consent spreadsheet import',
  pupil_import: 'a pupil list import',
  media_retention_run: 'a retention run',
  organisation_admin: 'a trust administrator',
  conduct_declaration: 'a staff declaration',
  conduct_permission: 'a permission request',
  filtering_provision: 'the filtering and monitoring provision',
  filtering_exception: 'a filtering exception',
  filtering_check: 'a filtering check or review',
};

/** What an entry records, in one sentence. */
export function summaryInWords(row: AuditRow, book: NameBook): string {
  const n = new Namer(book);
  const d = (row.data ?? {}) as Record<string, unknown>;
  const known = summaries[row.action];
  if (known) return known(row, d, n);
  // Generic: the action's words, and whose record it is.
  const [, verb = row.action] = row.action.split('.');
  let about = entityWords[row.entityType] ?? words(row.entityType).toLowerCase();
  if (row.entityType === 'staff') about = n.staff(row.entityId);
  if (row.entityType === 'parent') about = n.parent(row.entityId);
  if (row.entityType === 'pupil') about = n.pupil(row.entityId);
  return `${words(verb)}: ${about}`;
}

/** Record types in the filter, in words. */
export function entityTypeInWords(type: string): string {
  const w = entityWords[type];
  return w ? words(w.replace(/^(a|an|the) /, '')) : words(type);
}

/** The areas an action starts with, for the filter. */
export const actionAreas: { value: string; text: string }[] = [
  { value: 'consent.', text: 'Consent' },
  { value: 'people.', text: 'Pupils, parents and staff' },
  { value: 'staff.', text: 'Classes taught by staff' },
  { value: 'media.', text: 'Photos and videos' },
  { value: 'devices.', text: 'Capture devices' },
  { value: 'training.', text: 'Training' },
  { value: 'conduct.', text: 'Declarations, permissions and filtering' },
  { value: 'acknowledgements.', text: 'Policy acknowledgements' },
  { value: 'policy.', text: 'Policy' },
  { value: 'auth.', text: 'Sign-in and accounts' },
];
