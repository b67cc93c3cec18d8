import type { Services } from '../../registry.ts';
import type { StaffPrincipal } from '../../auth/index.ts';
import type { IncidentType } from '../../policies/index.ts';
import { canManageIncidents, canNameDeputies } from '../incidents.policy.ts';
import type { CaseCursor, CaseRow } from '../incidents.service.ts';
import {
  caseCursorParam,
  categories,
  categoryLabels,
  correctableFields,
  correctableLabels,
  incidentTypeLabels,
  namedKindLabels,
  partLabels,
  personParts,
  platformLabels,
  referralLabels,
  referralTargets,
  riskLabels,
  risks,
  type Category,
  type CorrectableField,
  type IncidentPlatform,
  type NamedKind,
  type PersonPart,
  type ReferralTarget,
  type Risk,
} from '../incidents.forms.ts';
import { incidentTypes } from '../../policies/index.ts';

import { guidanceFor, guidanceHrefFor, stepNeedsGuidance } from '../guidance/guidance.defaults.ts';

const typeLabel = (t: string | null) =>
  t ? (incidentTypeLabels[t as IncidentType] ?? 'Other') : 'Not classified yet';
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** An entry of the chronology in words: a title and the detail (never keys or JSON). */
export function describeEntry(
  kind: string,
  d: Record<string, unknown>,
): { title: string; detail: string } {
  switch (kind) {
    case 'report':
      return d.indecentImage
        ? {
            title: 'Reported: a nude or semi-nude image of a child',
            detail: 'Nothing about the image is kept.',
          }
        : {
            title: 'Reported',
            detail: `${Number(d.people ?? 0)} people named, ${Number(d.files ?? 0)} files.`,
          };
    case 'referral':
      return d.to === 'dsl'
        ? {
            title: 'Referred to the safeguarding lead',
            detail:
              d.adultInvolved === 'yes'
                ? 'The reporter says an adult is involved.'
                : d.adultInvolved === 'not_sure'
                  ? 'The reporter does not know whether an adult is involved.'
                  : 'The reporter says no adult is involved.',
          }
        : {
            title: `Referred to ${(referralLabels[d.to as ReferralTarget] ?? 'another agency').replace(/^The /, 'the ')}`,
            detail: d.reference ? `Their reference: ${str(d.reference)}` : '',
          };
    case 'classification':
      return {
        title: `Classified: ${typeLabel(str(d.incidentType))}`,
        detail: [
          d.category ? categoryLabels[d.category as Category]?.split(':')[0] : '',
          d.risk ? riskLabels[d.risk as Risk]?.split(' (')[0] : '',
          d.safeguarding ? 'a safeguarding concern' : 'not a safeguarding concern',
          d.reviewBy ? `review by ${str(d.reviewBy)}` : '',
        ]
          .filter(Boolean)
          .join(', '),
      };
    case 'assignment':
      return { title: 'Who works on the case changed', detail: '' };
    case 'restricted':
      return { title: 'Deputies who may see the case changed', detail: '' };
    case 'step':
      return { title: `Step: ${str(d.label)}`, detail: str(d.outcome) };
    case 'note':
      return { title: 'Note', detail: str(d.text) };
    case 'person_added':
      return {
        title: d.pupilId
          ? 'A pupil was added to who is involved'
          : 'A member of staff was added to who is involved',
        detail: partLabels[d.part as PersonPart] ?? '',
      };
    case 'correction':
      return {
        title: `Correction to “${correctableLabels[d.field as CorrectableField] ?? 'the report'}”`,
        detail: `${str(d.value)} (why: ${str(d.reason)})`,
      };
    case 'victim_wishes':
      return { title: 'The wishes of the person affected', detail: str(d.text) };
    case 'police_decision':
      return {
        title:
          d.decidedBy === 'victim'
            ? 'The person affected decided about the police'
            : 'The school decided about the police',
        detail: `${d.decision === 'report' ? 'Report to the police' : 'Do not report to the police'}${d.note ? `: ${str(d.note)}` : ''}`,
      };
    case 'evidence_added':
      return { title: 'Evidence added', detail: '' };
    case 'letter':
      return { title: 'Letter', detail: str(d.title) };
    case 'closed':
      return { title: 'Closed', detail: str(d.outcome) };
    case 'reopened':
      return { title: 'Reopened', detail: str(d.reason) };
    case 'significant':
      return {
        title: 'A significant incident',
        detail:
          d.reason === 'safeguarding'
            ? 'Every safeguarding concern is significant: staff training is refreshed and the policy reviewed early where the school’s policy says so.'
            : `${typeLabel(str(d.incidentType))} is significant under the school’s policy (${str(d.citation)}): staff training is refreshed and the policy reviewed early where it says so.`,
      };
    default:
      return { title: 'Recorded', detail: '' };
  }
}

const statusTag = (c: CaseRow) =>
  c.status === 'closed'
    ? { text: 'Closed', classes: 'govuk-tag--grey' }
    : c.classifiedAt
      ? { text: 'Open', classes: 'govuk-tag--blue' }
      : { text: 'New', classes: 'govuk-tag--orange' };

/** The list page's data. */
export async function listView(
  services: Services,
  who: StaffPrincipal,
  q: {
    view: string;
    type?: string | undefined;
    category?: string | undefined;
    safeguarding?: string | undefined;
  },
  page: { rows: CaseRow[]; next: CaseCursor | null },
) {
  const qs = (extra: Record<string, string>) =>
    new URLSearchParams(
      Object.entries({
        view: q.view,
        type: q.type ?? '',
        category: q.category ?? '',
        safeguarding: q.safeguarding ?? '',
        ...extra,
      }).filter(([, v]) => v),
    ).toString();
  return {
    title: 'Incidents',
    manage: canManageIncidents(who),
    q,
    views: [
      ['all', 'All'],
      ['new', 'New reports'],
      ['referrals', 'Referrals to make'],
      ['overdue', 'Steps overdue'],
      ['mine', 'Given to me'],
      ['closed', 'Closed'],
    ].map(([value, text]) => ({
      value,
      text,
      current: q.view === value,
      href: `/incidents?view=${value}`,
    })),
    typeItems: [
      { value: '', text: 'Any type' },
      ...incidentTypes.map((t) => ({
        value: t,
        text: incidentTypeLabels[t],
        selected: q.type === t,
      })),
    ],
    categoryItems: [
      { value: '', text: 'Any' },
      ...categories.map((c) => ({
        value: c,
        text: categoryLabels[c].split(':')[0],
        selected: q.category === c,
      })),
    ],
    rows: page.rows.map((c) => ({
      id: c.incidentId,
      reference: c.reference,
      reportedAt: c.reportedAt,
      type: typeLabel(c.incidentType),
      category: c.category ? categoryLabels[c.category as Category].split(':')[0] : '',
      safeguarding: c.safeguarding,
      indecentImage: c.indecentImage,
      status: statusTag(c),
      nextStepDue: c.status === 'open' ? c.nextStepDue : null,
      overdue: c.status === 'open' && !!c.nextStepDue && c.nextStepDue < services.people.today(),
    })),
    nextHref: page.next ? `/incidents?${qs({ after: caseCursorParam(page.next) })}` : null,
    firstHref: `/incidents?${qs({})}`,
  };
}

/** The case page's data (404 from the service for anyone who may not open it). */
export async function caseView(services: Services, who: StaffPrincipal, id: string) {
  const { access, row, incident, entries, people } = await services.incidents.caseFor(who, id);
  const actions = services.incidentCases;
  const guidancePlatform = guidanceFor(incident.platform) ?? guidanceFor(incident.url);
  // The evidence store's list (evidence/), when it is wired.
  const evidenceService = (
    services as unknown as {
      incidentEvidence?: { list(viewer: StaffPrincipal, incidentId: string): Promise<unknown[]> };
    }
  ).incidentEvidence;
  const scope = await services.staffClasses.scopeOf(who);
  const [book, rules, assignable, evidence, roll, roster] = await Promise.all([
    actions.playbook(who.schoolId, row.incidentType),
    actions.rules(who.schoolId),
    access === 'manage' ? actions.assignable(who.schoolId) : Promise.resolve([]),
    evidenceService && !incident.indecentImage
      ? evidenceService.list(who, id)
      : Promise.resolve(null),
    scope.kind === 'none'
      ? Promise.resolve([])
      : services.peopleDirectory.pupilsOnRoll(
          services.database.db,
          who.schoolId,
          services.people.today(),
        ),
    services.peopleDirectory.staffRoster(services.database.db, who.schoolId),
  ]);
  const staffIds = [
    ...entries.map((e) => e.actorStaffId).filter((x): x is string => !!x),
    ...row.assignedStaffIds,
    ...row.deputyStaffIds,
    ...people.map((p) => p.staffId).filter((x): x is string => !!x),
    ...(incident.reporterKind === 'staff' ? [incident.reporterId] : []),
  ];
  const names = await services.peopleDirectory.displayNames(services.database.db, who.schoolId, {
    staff: staffIds,
    parents: incident.reporterKind === 'parent' ? [incident.reporterId] : [],
    pupils: [
      ...people.map((p) => p.pupilId).filter((x): x is string => !!x),
      ...(incident.reporterKind === 'pupil' ? [incident.reporterId] : []),
    ],
  });
  const reporterName =
    (incident.reporterKind === 'staff'
      ? names.staff
      : incident.reporterKind === 'parent'
        ? names.parents
        : names.pupils
    ).get(incident.reporterId) ?? 'Unknown';
  const stepsDone = new Map<string, { at: Date; by: string; outcome: string }[]>();
  for (const e of entries)
    if (e.kind === 'step') {
      const d = e.data as Record<string, unknown>;
      const list = stepsDone.get(str(d.stepKey)) ?? [];
      list.push({
        at: e.at,
        by: e.actorStaffId ? (names.staff.get(e.actorStaffId) ?? '') : '',
        outcome: str(d.outcome),
      });
      stepsDone.set(str(d.stepKey), list);
    }
  const corrections = entries
    .filter((e) => e.kind === 'correction')
    .map((e) => ({ at: e.at, ...describeEntry(e.kind, e.data as Record<string, unknown>) }));
  const referralMade = entries.some(
    (e) =>
      e.kind === 'referral' && e.actorStaffId && (e.data as Record<string, unknown>).to !== 'dsl',
  );
  return {
    title: `Incident ${row.reference}`,
    access,
    manage: access === 'manage',
    namesDeputies: canNameDeputies(who),
    row,
    open: row.status === 'open',
    status: statusTag(row),
    typeLabel: typeLabel(row.incidentType),
    categoryLabel: row.category ? categoryLabels[row.category as Category] : null,
    riskLabel: row.risk ? riskLabels[row.risk as Risk] : null,
    incident,
    platformLabel: incident.platform ? platformLabels[incident.platform as IncidentPlatform] : null,
    reporterName,
    reporterKindLabel:
      { staff: 'Member of staff', parent: 'Parent or carer', pupil: 'Pupil' }[
        incident.reporterKind
      ] ?? '',
    people: people.map((p) => ({
      name: p.pupilId
        ? names.pupils.get(p.pupilId)
        : p.staffId
          ? names.staff.get(p.staffId)
          : p.name,
      pupilId: p.pupilId,
      kind: p.pupilId
        ? 'Pupil'
        : p.staffId
          ? 'Member of staff'
          : (namedKindLabels[p.personKind as NamedKind] ?? ''),
      part: partLabels[p.part as PersonPart] ?? '',
    })),
    assigned: row.assignedStaffIds.map((s) => names.staff.get(s) ?? ''),
    deputies: row.deputyStaffIds.map((s) => names.staff.get(s) ?? ''),
    corrections,
    referralNeeded: row.indecentImage && !referralMade,
    chronology: entries.map((e) => ({
      at: e.at,
      by: e.actorStaffId ? (names.staff.get(e.actorStaffId) ?? 'A member of staff') : reporterName,
      ...describeEntry(e.kind, e.data as Record<string, unknown>),
    })),
    playbook: book
      ? {
          citation: book.citation,
          steps: book.steps.map((s) => ({
            key: s.key,
            label: s.label,
            done: stepsDone.get(s.key) ?? [],
            // A step that names the platform, the provider or the host links to its guidance.
            guidance: stepNeedsGuidance(s.key),
          })),
        }
      : null,
    rules,
    typeItems: incidentTypes.map((t) => ({
      value: t,
      text: incidentTypeLabels[t],
      selected: row.incidentType === t,
    })),
    categoryItems: categories.map((c) => ({
      value: c,
      text: categoryLabels[c],
      checked: row.category === c,
    })),
    riskItems: risks.map((r) => ({ value: r, text: riskLabels[r], checked: row.risk === r })),
    staffItems: assignable.map((s) => ({
      value: s.id,
      text: `${s.givenName} ${s.familyName}`,
      checked: row.assignedStaffIds.includes(s.id),
    })),
    deputyItems: assignable.map((s) => ({
      value: s.id,
      text: `${s.givenName} ${s.familyName}`,
      checked: row.deputyStaffIds.includes(s.id),
    })),
    pupilChoices: [
      { value: '', text: 'Choose a pupil' },
      ...roll
        .filter((r) => scope.includes(r))
        .map((r) => ({
          value: r.id,
          text: `${r.givenName} ${r.familyName}${r.className ? ` (${r.className})` : ''}`,
        })),
    ],
    staffChoices: [
      { value: '', text: 'Or a member of staff' },
      ...roster.map((r) => ({ value: r.id, text: `${r.givenName} ${r.familyName}` })),
    ],
    partChoices: personParts.map((k) => ({ value: k, text: partLabels[k] })),
    fieldItems: correctableFields.map((f) => ({ value: f, text: correctableLabels[f] })),
    referralItems: referralTargets.map((t) => ({ value: t, text: referralLabels[t] })),
    evidenceEnabled: evidence !== null,
    evidence: evidence ?? [],
    incidentId: row.incidentId,
    canAddEvidence: !row.indecentImage,
    // The guidance page for the report's platform, or for its web address when the platform
    // was not given (guidance/, guidanceFor).
    guidanceHref: guidanceHrefFor(guidancePlatform),
    guidanceLabel: guidancePlatform
      ? (platformLabels[guidancePlatform as IncidentPlatform] ?? 'CEOP')
      : null,
    resolvedDays: row.closedAt
      ? Math.max(0, Math.round((row.closedAt.getTime() - row.reportedAt.getTime()) / 86_400_000))
      : null,
  };
}
