/**
 * Everything Lanyard holds about one pupil or parent, gathered from each module through its
 * index (issue 16 item 5), redacted by the rules in subject-access.redaction.ts, as sections of
 * rows in words (the index page and the JSON) and the files to stream into the ZIP.
 */
import { Readable } from 'node:stream';
import { ukDate } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import type { FileStore } from '../../platform/files/file-store.ts';
import type { EvidenceStore } from '../../platform/evidence/evidence-store.ts';
import { formatDateInWords, formatDateTimeInWords } from '../../web/dates.ts';
import { roleLabels, type StaffRole } from '../auth/index.ts';
import type { PeopleDirectory } from '../people/index.ts';
import { consentAboutPerson } from '../consent/index.ts';
import { mediaAboutPupil } from '../media/index.ts';
import { publishingAboutPupil } from '../publishing/index.ts';
import { incidentsAboutPerson, type IncidentsAboutPerson } from '../incidents/index.ts';
import { conductAboutPerson } from '../conduct/index.ts';
import { trainingAboutPerson } from '../training/index.ts';
import { acknowledgementsAboutPerson } from '../acknowledgements/index.ts';
import { auditAboutPerson } from '../audit/index.ts';
import { NotFoundError } from '../../errors.ts';
import {
  personLabel,
  redactJson,
  textRedactor,
  type NameBook,
} from './subject-access.redaction.ts';
import { letterHtml, redactLetter } from './subject-access.letters.ts';

/** One kind of record in the bundle: its heading, a sentence, and its rows in words. */
export interface BundleSection {
  key: string;
  title: string;
  description: string;
  columns: string[];
  rows: string[][];
  /** The same records for machines (redacted as the rows are). */
  data: unknown[];
}

/** A file of the bundle, opened only when the ZIP reaches it. */
export interface BundleFile {
  path: string;
  open(): Promise<Readable>;
  /** Already compressed (photos, video, PDF): stored as they are. */
  store: boolean;
}

export interface Bundle {
  subject: { kind: 'pupil' | 'parent'; id: string; name: string };
  schoolName: string;
  sections: BundleSection[];
  files: BundleFile[];
}

export interface GatherDeps {
  people: PeopleDirectory;
  files: FileStore;
  evidence: EvidenceStore;
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'file';
const ext = (key: string, fallback: string) => {
  const m = /\.([a-z0-9]{2,5})$/i.exec(key);
  return m ? m[1]!.toLowerCase() : fallback;
};
const compressed =
  /^(jpe?g|png|gif|webp|heic|heif|avif|mp4|mov|m4v|webm|mkv|mp3|m4a|aac|ogg|pdf|zip|gz|docx|pptx|xlsx)$/i;
const d = (v: Date | string | null | undefined) => (v ? formatDateInWords(v) : '');
const dt = (v: Date | string | null | undefined) => (v ? formatDateTimeInWords(v) : '');
const yesNo = (b: boolean) => (b ? 'Yes' : 'No');
const words = (slug: string | null | undefined) =>
  (slug ?? '')
    .replace(/[._/]/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();

export async function gatherBundle(
  db: Db,
  deps: GatherDeps,
  schoolId: string,
  subject: { kind: 'pupil' | 'parent'; id: string },
): Promise<Bundle> {
  const { people } = deps;
  // Everyone's names (for the redaction) and the person, in one round of parallel reads.
  const [school, pupilRoster, parentRoster, staffRoster, links, pupil, parent] = await Promise.all([
    people.getSchool(db, schoolId),
    people.pupilRoster(db, schoolId),
    people.parentRoster(db, schoolId),
    people.staffRoster(db, schoolId),
    people.parentLinks(db, schoolId),
    subject.kind === 'pupil' ? people.getPupil(db, schoolId, subject.id) : null,
    subject.kind === 'parent' ? people.getParent(db, schoolId, subject.id) : null,
  ]);
  const person = pupil ?? parent;
  if (!school || !person) throw new NotFoundError();
  // What each module holds about them: one batch of reads per module, all at once.
  const tSubject =
    subject.kind === 'pupil'
      ? { kind: 'pupil' as const, id: subject.id, className: pupil!.className }
      : { kind: 'parent' as const, id: subject.id };
  const [consent, media, pub, inc, conduct, training, acks, audit] = await Promise.all([
    consentAboutPerson(db, schoolId, subject),
    subject.kind === 'pupil' ? mediaAboutPupil(db, schoolId, subject.id) : null,
    subject.kind === 'pupil' ? publishingAboutPupil(db, schoolId, subject.id) : null,
    incidentsAboutPerson(db, schoolId, subject),
    conductAboutPerson(db, schoolId, subject),
    trainingAboutPerson(db, schoolId, tSubject),
    acknowledgementsAboutPerson(db, schoolId, tSubject),
    auditAboutPerson(db, schoolId, subject.id),
  ]);
  const name = `${person.givenName} ${person.familyName}`;
  const book: NameBook = {
    subject: { kind: subject.kind, id: subject.id, name },
    pupils: new Map(pupilRoster.map((p) => [p.id, p])),
    parents: new Map(parentRoster.map((p) => [p.id, p])),
    staff: new Map(
      staffRoster.map((s) => [
        s.id,
        {
          name: `${s.givenName} ${s.familyName}`,
          role: s.roles.map((r) => roleLabels[r as StaffRole] ?? r).join(', ') || 'Staff',
        },
      ]),
    ),
  };
  const sections: BundleSection[] = [];
  const files: BundleFile[] = [];
  const section = (s: Omit<BundleSection, 'data'> & { data?: unknown[] }) =>
    sections.push({ data: [], ...s });
  const fileFrom = (path: string, key: string) =>
    files.push({ path, open: () => deps.files.stream(key), store: compressed.test(ext(key, '')) });

  // People records: the person, and the family links the school holds.
  const family = links.filter((l) =>
    subject.kind === 'pupil' ? l.pupilId === subject.id : l.parentId === subject.id,
  );
  const relatives = family.map((l) => {
    if (subject.kind === 'pupil') {
      const p = book.parents.get(l.parentId);
      return [
        'Parent or carer',
        p ? `${p.givenName} ${p.familyName}` : '',
        yesNo(l.parentalResponsibility),
      ];
    }
    const p = book.pupils.get(l.pupilId);
    return ['Child', p ? `${p.givenName} ${p.familyName}` : '', yesNo(l.parentalResponsibility)];
  });
  const details: string[][] = pupil
    ? [
        ['Name', name],
        ['Preferred first name', pupil.preferredGivenName ?? ''],
        ['Preferred surname', pupil.preferredFamilyName ?? ''],
        ['Date of birth', d(pupil.dateOfBirth)],
        ['Year group', pupil.yearGroup],
        ['Class', pupil.className ?? ''],
        ['Admission date', d(pupil.admissionDate)],
        ['Leaving date', d(pupil.leavingDate)],
        ['Email address', pupil.email ?? ''],
        ['School’s reference (from its pupil records system)', pupil.misId],
      ]
    : [
        ['Name', name],
        ['Email address', parent!.email ?? ''],
        ['Phone', parent!.phone ?? ''],
        ['School’s reference (from its pupil records system)', parent!.misId ?? ''],
      ];
  section({
    key: 'people',
    title: 'Personal details',
    description: 'What the school’s records in Lanyard hold about this person.',
    columns: ['Detail', 'Value'],
    rows: details,
    data: [Object.fromEntries(details)],
  });
  section({
    key: 'family',
    title: 'Family links',
    description: 'The links between pupils and parents or carers that the school holds.',
    columns: ['Link', 'Name', 'Parental responsibility'],
    rows: relatives,
    data: relatives.map(([link, n, pr]) => ({ link, name: n, parentalResponsibility: pr })),
  });

  // Consent history with scans.
  section({
    key: 'consent',
    title: 'Consent to photographs and videos',
    description:
      'Every consent statement recorded, oldest first. Each is kept as it was made; a change is a new statement.',
    columns: ['Recorded', 'Reference', 'Decided by', 'Decisions', 'How', 'Scan'],
    rows: consent.records.map((r) => [
      dt(r.recordedAt),
      r.receiptReference ?? '',
      r.deciderKind === 'pupil'
        ? personLabel(book, 'pupil', r.pupilId)
        : r.deciderParentId && family.some((l) => l.parentId === r.deciderParentId)
          ? (() => {
              const p = book.parents.get(r.deciderParentId);
              return p ? `${p.givenName} ${p.familyName}` : 'a parent';
            })()
          : personLabel(book, 'parent', r.deciderParentId),
      Object.entries(r.decisions)
        .map(([k, v]) => `${words(k)}: ${v}`)
        .join('; '),
      `${words(r.kind)} (${words(r.method)})`,
      r.evidenceKey
        ? `consent/${safe(r.receiptReference ?? r.id)}-${safe(r.evidenceFilename ?? 'scan')}`
        : '',
    ]),
    data: consent.records.map((r) => ({
      id: r.id,
      reference: r.receiptReference,
      period: r.periodKey,
      validFrom: r.validFrom,
      validUntil: r.validUntil,
      deciderKind: r.deciderKind,
      decisions: r.decisions,
      method: r.method,
      kind: r.kind,
      decidedOn: r.decidedOn,
      recordedAt: r.recordedAt.toISOString(),
      note: r.note,
      scan: r.evidenceFilename,
    })),
  });
  for (const r of consent.records)
    if (r.evidenceKey)
      fileFrom(
        `consent/${safe(r.receiptReference ?? r.id)}-${safe(r.evidenceFilename ?? 'scan')}`,
        r.evidenceKey,
      );
  if (subject.kind === 'pupil') {
    section({
      key: 'competence',
      title: 'Whether the pupil may decide about consent',
      description: 'Assessments of whether the pupil can give consent for themself.',
      columns: ['Recorded', 'Details'],
      rows: consent.competence.map((c) => [
        dt(c.recordedAt),
        JSON.stringify(redactJson(book, { ...c, id: undefined, schoolId: undefined }, (t) => t)),
      ]),
      data: consent.competence,
    });
    section({
      key: 'restrictions',
      title: 'Never publish',
      description:
        'Whether the school has said this pupil must never be published. The reason is a safeguarding record and is not included.',
      columns: ['Recorded', 'Restriction'],
      rows: consent.restrictions.map((r) => [
        dt(r.recordedAt),
        r.restricted ? 'Never publish' : 'Restriction lifted',
      ]),
      data: consent.restrictions,
    });
  }

  // Media in which the pupil is tagged, and what was published.
  if (media && pub) {
    section({
      key: 'media',
      title: 'Photos and videos the pupil is tagged in',
      description:
        'Each photo or video in the school’s library in which the pupil is tagged, with the original file. Other children may appear in the same photos.',
      columns: ['Uploaded', 'Event', 'Kind', 'File'],
      rows: media.items.map((m) => [
        dt(m.uploadedAt),
        m.eventLabel,
        m.kind === 'video' ? 'Video' : 'Photo',
        `media/originals/${m.id}.${ext(m.originalKey ?? '', 'jpg')}`,
      ]),
      data: media.items.map(({ originalKey: _k, ...m }) => m),
    });
    for (const m of media.items)
      if (m.originalKey)
        fileFrom(`media/originals/${m.id}.${ext(m.originalKey, 'jpg')}`, m.originalKey);
    section({
      key: 'renditions',
      title: 'Copies prepared for publishing',
      description: 'The copies made for each use (with faces blurred where consent was not given).',
      columns: ['Made', 'Use', 'Faces blurred', 'File'],
      rows: media.renditions.map((r) => [
        dt(r.createdAt),
        words(r.purpose),
        String(r.facesBlurred),
        `media/prepared/${r.mediaId}-${safe(r.purpose)}.${ext(r.fileKey, 'jpg')}`,
      ]),
      data: media.renditions.map(({ fileKey: _k, ...r }) => r),
    });
    for (const r of media.renditions)
      fileFrom(
        `media/prepared/${r.mediaId}-${safe(r.purpose)}.${ext(r.fileKey, 'jpg')}`,
        r.fileKey,
      );

    section({
      key: 'publications',
      title: 'Publications',
      description:
        'What was published with the pupil in it, where and when, and the files that went out.',
      columns: ['Published', 'Title', 'Where', 'State', 'Taken down'],
      rows: pub.publications.map((p) => [
        dt(p.publishedAt),
        p.title,
        p.remoteUrl ?? words(p.purposeKey),
        words(p.state),
        dt(p.removedAt),
      ]),
      data: pub.publications.map((p) => ({
        ...p,
        files: pub.items
          .filter((i) => i.publicationId === p.id)
          .map((i) => `publications/${p.id}-${i.position}.${ext(i.fileKey, 'jpg')}`),
      })),
    });
    for (const i of pub.items)
      fileFrom(`publications/${i.publicationId}-${i.position}.${ext(i.fileKey, 'jpg')}`, i.fileKey);
    section({
      key: 'takedowns',
      title: 'Takedowns',
      description: 'Publications taken down (or republished blurred) after consent changed.',
      columns: ['Due', 'Reason', 'State', 'Done', 'Outcome'],
      rows: pub.takedowns.map((t) => [
        dt(t.dueAt),
        t.reason,
        words(t.state),
        dt(t.doneAt),
        words(t.outcome),
      ]),
      data: pub.takedowns,
    });
  }

  // Whose names a letter's recipient may keep: the subject, and a pupil's own parents.
  const own = [
    person,
    ...family.flatMap((l) => {
      const p = subject.kind === 'pupil' ? book.parents.get(l.parentId) : undefined;
      return p ? [p] : [];
    }),
  ];
  addIncidents(inc, deps, book, section, files, {
    own,
    schoolName: school.name,
  });

  // Declarations and permissions that name them.
  const text = textRedactor(book, []);
  section({
    key: 'declarations',
    title: 'Staff declarations that name them',
    description:
      'Declarations by staff of contact with this person (for example a friend request on social media), with the school’s response.',
    columns: ['Declared', 'By', 'Kind', 'Details', 'Response'],
    rows: conduct.declarations.map((x) => [
      dt(x.declaredAt),
      personLabel(book, 'staff', x.staffId),
      words(x.kind),
      text(x.details) ?? '',
      text(x.response) ?? '',
    ]),
    data: conduct.declarations.map((x) => redactJson(book, x, (t) => text(t) ?? '')),
  });
  section({
    key: 'permissions',
    title: 'Permission requests that name them',
    description:
      'Requests by staff for permission to use the pupil’s name or photo, with each decision.',
    columns: ['Requested', 'By', 'Kind', 'Status', 'Decisions'],
    rows: conduct.permissions.map((x) => [
      dt(x.requestedAt),
      personLabel(book, 'staff', x.staffId),
      words(x.type),
      words(x.status),
      conduct.decisions
        .filter((dd) => dd.permissionId === x.id)
        .map((dd) => `${words(dd.step)} ${d(dd.at)}`)
        .join('; '),
    ]),
    data: conduct.permissions.map((x) => redactJson(book, x, (t) => text(t) ?? '')),
  });

  // Training and acknowledgements.
  section({
    key: 'training',
    title: subject.kind === 'pupil' ? 'E-safety lessons for the pupil’s class' : 'Training',
    description:
      subject.kind === 'pupil'
        ? 'The e-safety lessons recorded for the pupil’s current class.'
        : 'Parents’ sessions attended and places booked.',
    columns: ['Date', 'What', 'Details'],
    rows: [
      ...training.lessons.map((l) => [d(l.taughtOn), l.topic, `Class ${l.className}`]),
      ...training.attendance.map((a) => [
        d(a.attendedOn),
        a.title,
        a.attended ? 'Attended' : 'Did not attend',
      ]),
      ...training.bookings.map((b) => [
        d(b.startsAt),
        b.title,
        b.cancelledAt ? `Booking cancelled ${d(b.cancelledAt)}` : `${b.places} place(s) booked`,
      ]),
    ],
    data: [...training.lessons, ...training.attendance, ...training.bookings],
  });
  section({
    key: 'acknowledgements',
    title: 'Policy acknowledgements',
    description:
      subject.kind === 'pupil'
        ? 'The pupil agreements recorded for the pupil’s class.'
        : 'The versions of the parents’ guidance this person acknowledged.',
    columns: ['When', 'Policy version', 'Who'],
    rows: acks.map((a) => [
      dt(a.acknowledgedAt),
      String(a.policyVersion),
      a.className ? `Class ${a.className}` : name,
    ]),
    data: acks,
  });

  // Audit entries about them.
  section({
    key: 'audit',
    title: 'Audit log entries',
    description:
      'Entries in the school’s tamper-evident audit log about this person or made by them. Other people are not named.',
    columns: ['When', 'What', 'By'],
    rows: audit.map((a) => [
      dt(a.occurredAt),
      words(a.action),
      a.actorKind === 'staff' || a.actorId === subject.id
        ? personLabel(book, a.actorKind, a.actorId)
        : words(a.actorKind),
    ]),
    data: audit.map((a) =>
      redactJson(book, { ...a, occurredAt: a.occurredAt.toISOString() }, (t) => text(t) ?? ''),
    ),
  });

  return { subject: book.subject, schoolName: school.name, sections, files };
}

/** Incidents where they are involved or reported, redacted; an image referral is the fact only. */
function addIncidents(
  inc: IncidentsAboutPerson,
  deps: GatherDeps,
  book: NameBook,
  section: (s: Omit<BundleSection, 'data'> & { data?: unknown[] }) => void,
  files: BundleFile[],
  letters: { own: { givenName: string; familyName: string }[]; schoolName: string },
) {
  const rows: string[][] = [];
  const data: unknown[] = [];
  const letterRows: string[][] = [];
  const letterData: unknown[] = [];
  for (const i of inc.incidents) {
    const c = inc.cases.find((x) => x.incidentId === i.id);
    if (i.indecentImage) {
      rows.push([
        i.reference,
        dt(i.reportedAt),
        'A report about an image was made and referred to the designated safeguarding lead. Nothing about the image is kept or shared.',
        '',
        '',
      ]);
      data.push({
        reference: i.reference,
        reportedAt: i.reportedAt.toISOString(),
        imageReferral: true,
      });
      continue;
    }
    const people = inc.people.filter((p) => p.incidentId === i.id);
    const text = textRedactor(
      book,
      people.map((p) => ({
        kind: p.personKind,
        id: p.pupilId ?? p.parentId ?? p.staffId,
        name: p.name,
      })),
    );
    const involved = people.map((p) => ({
      who: personLabel(book, p.personKind, p.pupilId ?? p.parentId ?? p.staffId),
      part: p.part,
    }));
    const entries = inc.entries
      .filter((e) => e.incidentId === i.id)
      .map((e) => ({
        at: e.at.toISOString(),
        by: e.actorStaffId
          ? personLabel(book, 'staff', e.actorStaffId)
          : 'the person who reported it',
        kind: e.kind,
        details: redactJson(book, e.data, (t) => text(t) ?? ''),
      }));
    const evidence = inc.evidence.filter((e) => e.incidentId === i.id);
    const evidencePaths = evidence.map(
      (e) => `incidents/${safe(i.reference)}/evidence-to-review/${e.id}-${safe(e.originalName)}`,
    );
    rows.push([
      i.reference,
      dt(i.reportedAt),
      text(i.whatHappened) ?? '',
      involved.map((p) => `${p.who} (${words(p.part)})`).join('; '),
      [words(c?.status), c?.outcome ? text(c.outcome) : ''].filter(Boolean).join(': '),
    ]);
    data.push({
      reference: i.reference,
      reportedAt: i.reportedAt.toISOString(),
      reportedBy: personLabel(book, i.reporterKind, i.reporterId),
      whatHappened: text(i.whatHappened),
      platform: i.platform,
      occurredOn: i.occurredOn,
      occurredWhere: text(i.occurredWhere),
      status: c?.status ?? null,
      type: c?.incidentType ?? null,
      outcome: text(c?.outcome),
      closedAt: c?.closedAt?.toISOString() ?? null,
      involved,
      entries,
      evidence: evidence.map((e, n) => ({
        file: evidencePaths[n],
        mediaType: e.mediaType,
        size: e.size,
        sha256: e.sha256,
        uploadedAt: e.uploadedAt.toISOString(),
      })),
    });
    evidence.forEach((e, n) =>
      files.push({
        path: evidencePaths[n]!,
        open: () => deps.evidence.open(e.storageKey, { sha256: e.sha256, size: e.size }),
        store: compressed.test(ext(e.originalName, '')),
      }),
    );
    for (const l of inc.letters.filter((x) => x.incidentId === i.id)) {
      const letter = redactLetter(book, l, people, letters.own);
      const path = `incidents/${safe(i.reference)}/letters/${ukDate(l.createdAt)}-${safe(l.title)}-${l.id.slice(0, 8)}.html`;
      letterRows.push([dt(l.createdAt), i.reference, l.title, letter.to, path]);
      letterData.push({
        reference: i.reference,
        createdAt: l.createdAt.toISOString(),
        title: l.title,
        to: letter.to,
        subject: letter.subject,
        body: letter.body,
        sentBy: personLabel(book, 'staff', l.createdBy),
        file: path,
      });
      const html = Buffer.from(
        letterHtml(letters.schoolName, i.reference, l.createdAt, letter),
        'utf8',
      );
      files.push({ path, open: async () => Readable.from([html]), store: false });
    }
  }
  section({
    key: 'incidents',
    title: 'Incidents',
    description:
      'Incidents in which this person is involved or which they reported. Other pupils and parents are not named; staff are named with their role. Evidence files are in the folder “evidence-to-review”: the school checks them for other people’s information before release.',
    columns: ['Reference', 'Reported', 'What happened', 'Who was involved', 'Status'],
    rows,
    data,
  });
  section({
    key: 'letters',
    title: 'Letters about these incidents',
    description:
      'Letters the school wrote about the incidents above (for example to invite a parent to a meeting), with their words as sent. Other pupils, parents and people are not named; the copy of each letter is in the folder “letters” of its incident.',
    columns: ['Written', 'Incident', 'Letter', 'To', 'Copy'],
    rows: letterRows,
    data: letterData,
  });
}
