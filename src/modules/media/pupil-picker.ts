import { MONTH_NAMES } from '../../platform/clock.ts';
/**
 * The face-tagging picker (issue 9 item 4): which pupils to offer for a photo, in which order, and
 * how each one is written so that the right child is chosen. Pure functions over the pupils the
 * person may see (the pupil scope has already been applied by the caller).
 */

export interface PickerPupil {
  id: string;
  givenName: string;
  familyName: string;
  yearGroup: string;
  className: string | null;
  dateOfBirth: string;
  admissionDate: string | null;
}

export interface PupilChoice {
  id: string;
  name: string;
  className: string | null;
  year: string;
  /** What tells this pupil apart from another of the same name ("born March 2017"), or ''. */
  detail: string;
  /** The option's text: "Samuel Ahmed (4 Oak, Year 4, born March 2017)". */
  label: string;
}

export interface PickerGroup {
  label: string;
  pupils: PupilChoice[];
}

/** Why a class is offered first. */
export type LikelyReason = 'tagged' | 'yours' | 'uploader' | 'event';

const reasonWords: Record<LikelyReason, string> = {
  tagged: 'pupils already in this photo',
  yours: 'your class',
  uploader: 'class of the person who uploaded it',
  event: 'named in the event',
};

/** "Year 4", "Reception", "Nursery"; anything else as the school wrote it. */
export function yearLabel(yearGroup: string): string {
  const y = yearGroup.trim();
  if (/^\d{1,2}$/.test(y)) return `Year ${Number(y)}`;
  if (/^r$/i.test(y) || /^reception$/i.test(y)) return 'Reception';
  if (/^n$/i.test(y) || /^nursery$/i.test(y)) return 'Nursery';
  return y;
}

function monthYear(iso: string | null): string {
  if (!iso) return '';
  const [y, m] = iso.split('-');
  const month = MONTH_NAMES[Number(m) - 1];
  return month ? `${month} ${y}` : '';
}

function fullDate(iso: string | null): string {
  if (!iso) return '';
  const d = Number(iso.slice(8, 10));
  return d ? `${d} ${monthYear(iso)}` : monthYear(iso);
}

function nameKey(p: Pick<PickerPupil, 'givenName' | 'familyName'>): string {
  return `${p.givenName} ${p.familyName}`.toLocaleLowerCase('en-GB').replace(/\s+/g, ' ').trim();
}

/**
 * Each pupil as the picker writes them. Pupils who share a name (within the pupils given) get a
 * distinguishing detail: the month and year of birth; the full date of birth where that is not
 * enough; and the date they joined where even that is shared.
 */
export function describePupils(pupils: readonly PickerPupil[]): Map<string, PupilChoice> {
  const byName = new Map<string, PickerPupil[]>();
  for (const p of pupils) byName.set(nameKey(p), [...(byName.get(nameKey(p)) ?? []), p]);
  const out = new Map<string, PupilChoice>();
  for (const same of byName.values()) {
    const details = new Map<string, string>();
    if (same.length > 1) {
      const count = (f: (p: PickerPupil) => string) => {
        const n = new Map<string, number>();
        for (const p of same) n.set(f(p), (n.get(f(p)) ?? 0) + 1);
        return (p: PickerPupil) => n.get(f(p)) ?? 0;
      };
      const byMonth = count((p) => monthYear(p.dateOfBirth));
      const byDay = count((p) => p.dateOfBirth);
      for (const p of same) {
        let detail = `born ${monthYear(p.dateOfBirth)}`;
        if (byMonth(p) > 1) detail = `born ${fullDate(p.dateOfBirth)}`;
        if (byMonth(p) > 1 && byDay(p) > 1 && p.admissionDate)
          detail += `, joined ${fullDate(p.admissionDate)}`;
        details.set(p.id, detail);
      }
    }
    for (const p of same) {
      const name = `${p.givenName} ${p.familyName}`;
      const year = yearLabel(p.yearGroup);
      const detail = details.get(p.id) ?? '';
      const parts = [p.className && p.className !== year ? p.className : '', year, detail].filter(
        Boolean,
      );
      out.set(p.id, {
        id: p.id,
        name,
        className: p.className,
        year,
        detail,
        label: `${name} (${parts.join(', ')})`,
      });
    }
  }
  return out;
}

function words(s: string): string {
  return ` ${s
    .toLocaleLowerCase('en-GB')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `;
}

/**
 * The classes an event label names: a class by its name ("4 Oak trip"), or a whole year group
 * ("Year 4 trip", "Reception assembly"). Whole words only.
 */
export function classesNamedIn(label: string, pupils: readonly PickerPupil[]): string[] {
  const text = words(label);
  const found = new Set<string>();
  for (const p of pupils) {
    if (!p.className) continue;
    if (text.includes(words(p.className))) found.add(p.className);
    const year = yearLabel(p.yearGroup);
    if (year !== p.yearGroup.trim() || /^\d/.test(p.yearGroup)) {
      if (text.includes(words(year))) found.add(p.className);
    }
  }
  return [...found];
}

function byYearThenName(a: PickerPupil, b: PickerPupil): number {
  return (
    a.yearGroup.localeCompare(b.yearGroup, 'en', { numeric: true }) ||
    (a.className ?? '').localeCompare(b.className ?? '', 'en', { numeric: true }) ||
    a.familyName.localeCompare(b.familyName) ||
    a.givenName.localeCompare(b.givenName)
  );
}

/** The classes of these pupils, in year then name order. */
export function classesOf(pupils: readonly PickerPupil[]): string[] {
  const seen = new Map<string, PickerPupil>();
  for (const p of [...pupils].sort(byYearThenName)) {
    if (p.className && !seen.has(p.className)) seen.set(p.className, p);
  }
  return [...seen.keys()];
}

/**
 * The likely pupils first: one group per likely class, in the order of the reasons given
 * (pupils already tagged, the person's own classes, the uploader's, those the event names), each
 * labelled with its class, year and why it is offered.
 */
export function likelyGroups(
  pupils: readonly PickerPupil[],
  choices: ReadonlyMap<string, PupilChoice>,
  reasons: readonly { reason: LikelyReason; classes: readonly string[] }[],
): PickerGroup[] {
  const why = new Map<string, LikelyReason[]>();
  for (const { reason, classes } of reasons) {
    for (const c of classes) {
      const list = why.get(c) ?? [];
      if (!list.includes(reason)) list.push(reason);
      why.set(c, list);
    }
  }
  const groups: PickerGroup[] = [];
  for (const [className, because] of why) {
    const members = pupils.filter((p) => p.className === className).sort(byYearThenName);
    if (members.length === 0) continue;
    const year = yearLabel(members[0]!.yearGroup);
    const head = className === year ? className : `${className}, ${year}`;
    groups.push({
      label: `${head} (${because.map((r) => reasonWords[r]).join('; ')})`,
      pupils: members.map((p) => choices.get(p.id)!).filter(Boolean),
    });
  }
  return groups;
}

/** The most search results offered at once. */
export const SEARCH_LIMIT = 60;

/**
 * The search of the school within what the person may see: every word of `q` starts a word of
 * the pupil's name (case and accents ignored); optionally one class.
 */
export function searchPupils(
  pupils: readonly PickerPupil[],
  search: { q: string; className: string },
): { found: PickerPupil[]; total: number } {
  const fold = (s: string) =>
    s
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .toLocaleLowerCase('en-GB')
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim();
  const terms = fold(search.q).split(' ').filter(Boolean);
  const matches = pupils
    .filter((p) => !search.className || p.className === search.className)
    .filter((p) => {
      const name = fold(`${p.givenName} ${p.familyName}`).split(' ');
      return terms.every((t) => name.some((w) => w.startsWith(t)));
    })
    .sort(byYearThenName);
  return { found: matches.slice(0, SEARCH_LIMIT), total: matches.length };
}

export interface TagPicker {
  /** The likely pupils, one group per class, offered first. */
  likely: PickerGroup[];
  /** The search's results (null when nothing was searched for). */
  found: PickerGroup | null;
  /** How many pupils matched the search (more than `found` holds when it was cut short). */
  foundTotal: number;
  /** The classes the search form offers (those of the pupils this person may see). */
  classes: string[];
  /** Every pupil this person may see, as the picker writes them (for the tagged pupils too). */
  choices: Map<string, PupilChoice>;
}

/**
 * The picker for one photo: the likely pupils first (classes of pupils already tagged, the
 * person's own classes, the uploader's, those the event label names), then the search results.
 * `pupils` are already limited to what the person may see.
 */
export function buildTagPicker(input: {
  pupils: readonly PickerPupil[];
  taggedPupilIds: readonly string[];
  ownClasses: readonly string[];
  uploaderClasses: readonly string[];
  eventLabel: string;
  search: { q: string; className: string } | null;
}): TagPicker {
  const { pupils } = input;
  const choices = describePupils(pupils);
  const byId = new Map(pupils.map((p) => [p.id, p]));
  const taggedClasses = classesOf(
    input.taggedPupilIds.map((id) => byId.get(id)).filter((p): p is PickerPupil => !!p),
  );
  const likely = likelyGroups(pupils, choices, [
    { reason: 'tagged', classes: taggedClasses },
    { reason: 'yours', classes: input.ownClasses },
    { reason: 'uploader', classes: input.uploaderClasses },
    { reason: 'event', classes: classesNamedIn(input.eventLabel, pupils) },
  ]);
  let found: PickerGroup | null = null;
  let foundTotal = 0;
  if (input.search && (input.search.q || input.search.className)) {
    const result = searchPupils(pupils, input.search);
    foundTotal = result.total;
    const what = [
      input.search.q ? `matching “${input.search.q}”` : '',
      input.search.className ? `in ${input.search.className}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    found = {
      label: `Pupils ${what}${result.total > result.found.length ? ` (first ${result.found.length} of ${result.total})` : ''}`,
      pupils: result.found.map((p) => choices.get(p.id)!),
    };
  }
  return { likely, found, foundTotal, classes: classesOf(pupils), choices };
}
