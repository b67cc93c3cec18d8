import type { Principal } from '../modules/auth/principal.ts';
import type { NavigationEntry, NavigationSection, Services } from '../modules/registry.ts';

export interface NavItem {
  href: string;
  text: string;
  /** This person is somewhere inside the item's section (aria-current="true"). */
  active?: boolean;
  /** This is the item's own page (aria-current="page"). */
  current?: boolean;
}

/** The sections of the top bar, in order after Home; each entry names its own (`section`). */
export const navigationSections: readonly { name: NavigationSection; title: string }[] = [
  { name: 'pupils-and-families', title: 'Pupils and families' },
  { name: 'consent', title: 'Consent' },
  { name: 'posts-and-photos', title: 'Posts and photos' },
  { name: 'safeguarding', title: 'Safeguarding' },
  { name: 'staff', title: 'Staff' },
  { name: 'policy-and-reports', title: 'Policy and reports' },
];

/** A section's own page, which lists its entries (`navigation.routes.ts`). */
export function sectionHref(name: NavigationSection): string {
  return `/section/${name}`;
}

const noneHidden: ReadonlySet<NavigationEntry> = new Set();

/**
 * The entries this person's role admits but the school's profile hides (their `shownBy` answers
 * false), asked once per page before it is rendered.
 */
export async function hiddenByProfile(
  entries: readonly NavigationEntry[],
  services: Services,
  p: Principal | null,
): Promise<ReadonlySet<NavigationEntry>> {
  if (!p) return noneHidden;
  const asked = entries.filter((e) => e.shownBy && e.visible(p));
  if (asked.length === 0) return noneHidden;
  const answers = await Promise.all(asked.map((e) => e.shownBy!(services, p)));
  return new Set(asked.filter((_, i) => !answers[i]));
}

/**
 * Whether this entry shows for this person: their role admits it and the school's profile does not
 * hide it (`hidden`, from `hiddenByProfile`; when it was not asked, e.g. a page rendered before it
 * could be, every entry with a `shownBy` is left out).
 */
function shows(e: NavigationEntry, p: Principal, hidden?: ReadonlySet<NavigationEntry>): boolean {
  return e.visible(p) && !(hidden ? hidden.has(e) : Boolean(e.shownBy));
}

/** A module list's entries sorted once: by section, then `order`, with each one's section. */
interface Sorted {
  entries: readonly NavigationEntry[];
  /** The index in `navigationSections` of each entry's section. */
  sectionOf: readonly number[];
}
const sortedLists = new WeakMap<readonly NavigationEntry[], Sorted>();
/** The menus built for each module list, by which entries show and which section is current. */
const builtMenus = new WeakMap<readonly NavigationEntry[], Map<string, Menu>>();
/** Menus kept per module list: every combination of roles, profile and current section. */
const MENUS_KEPT = 500;

function sortedOf(entries: readonly NavigationEntry[]): Sorted {
  let sorted = sortedLists.get(entries);
  if (!sorted) {
    const position = new Map(navigationSections.map((s, i) => [s.name, i]));
    const indexOf = (e: NavigationEntry) => {
      const i = position.get(e.section);
      if (i === undefined) throw new Error(`${e.href}: no navigation section ${e.section}`);
      return i;
    };
    const list = [...entries].sort((a, b) => indexOf(a) - indexOf(b) || a.order - b.order);
    sorted = { entries: list, sectionOf: list.map(indexOf) };
    sortedLists.set(entries, sorted);
  }
  return sorted;
}

/** Whether `path` is `href`'s page or one below it. */
function within(path: string, href: string): boolean {
  return path === href || path.startsWith(`${href}/`);
}

/**
 * The section `path` is in: a section's own page, or the section of the entry whose link is the
 * longest one `path` starts with (every entry counts, shown or not: /devices is in "Posts and
 * photos" for someone whose menu reaches the register through the photo library). -1 for none.
 */
function sectionAt(sorted: Sorted, path: string): number {
  const page = navigationSections.findIndex((s) => path === sectionHref(s.name));
  if (page >= 0) return page;
  let best = -1;
  let length = 0;
  sorted.entries.forEach((e, i) => {
    if (e.href.length > length && within(path, e.href)) {
      best = sorted.sectionOf[i]!;
      length = e.href.length;
    }
  });
  return best;
}

/** A menu, with a key that names it exactly (for `memo` in the layout: views.ts). */
export type Menu = NavItem[] & { readonly memoKey?: string };

/**
 * Someone who can open this many entries or fewer (a parent, a pupil, a volunteer, a trust) sees
 * them in the top bar themselves: grouping a short menu would only add a click.
 */
export const UNGROUPED_UP_TO = 4;

/** An item of the top bar before it is marked: a section, or one entry. */
interface Slot {
  href: string;
  text: string;
  section: number;
}

/**
 * The service navigation for a person: Home, then the sections (`navigationSections`) holding at
 * least one entry (modules' `navigation`) this person's role can open and the school's profile
 * does not hide. A section with one such entry links straight to it, in its words; one with
 * several links to the section's page. Someone with `UNGROUPED_UP_TO` entries or fewer sees the
 * entries themselves. The item whose page `path` is is `current`; otherwise the item of the
 * section `path` is in is `active`. The same menu is the same array, built once: its `memoKey`
 * lets the layout reuse its rendered HTML without serialising it on every page.
 */
export function navigationFor(
  entries: readonly NavigationEntry[],
  p: Principal | null,
  path: string,
  hidden?: ReadonlySet<NavigationEntry>,
): Menu {
  if (!p) return [];
  const sorted = sortedOf(entries);
  // Which entries show, in sorted order: with the marked item, this decides the menu.
  let key = '';
  const shown: number[] = [];
  for (let i = 0; i < sorted.entries.length; i++) {
    if (!shows(sorted.entries[i]!, p, hidden)) continue;
    shown.push(i);
    key += `,${i}`;
  }
  const slots: Slot[] = [];
  if (shown.length <= UNGROUPED_UP_TO) {
    for (const i of shown) {
      const e = sorted.entries[i]!;
      slots.push({ href: e.href, text: e.text, section: sorted.sectionOf[i]! });
    }
  } else {
    for (let s = 0; s < navigationSections.length; s++) {
      const own = shown.filter((i) => sorted.sectionOf[i] === s);
      if (own.length === 0) continue;
      const only = own.length === 1 ? sorted.entries[own[0]!]! : null;
      const section = navigationSections[s]!;
      slots.push({
        href: only ? only.href : sectionHref(section.name),
        text: only ? only.text : section.title,
        section: s,
      });
    }
  }
  // The marked item: the one whose page this is, else the one holding the longest link `path`
  // is under, else the one of the section `path` is in.
  let marked = slots.findIndex((slot) => slot.href === path);
  const isPage = path === '/' || marked >= 0;
  if (!isPage) {
    let length = 0;
    slots.forEach((slot, n) => {
      if (slot.href.length > length && within(path, slot.href)) {
        marked = n;
        length = slot.href.length;
      }
    });
    if (marked < 0) {
      const here = sectionAt(sorted, path);
      marked = slots.findIndex((slot) => slot.section === here);
    }
  }
  key += `|${path === '/' ? 'home' : marked}${isPage ? '=' : ''}`;
  let menus = builtMenus.get(entries);
  if (!menus) builtMenus.set(entries, (menus = new Map()));
  const kept = menus.get(key);
  if (kept) return kept;
  const menu: Menu = [{ href: '/', text: 'Home', active: false, current: path === '/' }];
  slots.forEach((slot, n) =>
    menu.push({
      href: slot.href,
      text: slot.text,
      active: n === marked && !isPage,
      current: n === marked && isPage,
    }),
  );
  Object.defineProperty(menu, 'memoKey', { value: `menu:${key}`, enumerable: false });
  if (menus.size >= MENUS_KEPT) menus.delete(menus.keys().next().value!);
  menus.set(key, menu);
  return menu;
}

/** One entry on a section's page. */
export interface SectionLink {
  href: string;
  text: string;
  description: string;
}

/**
 * The entries of a section this person can open (under the same rules as the menu), in order,
 * for the section's page; empty when there are none (the page is then not found).
 */
export function sectionLinks(
  entries: readonly NavigationEntry[],
  name: NavigationSection,
  p: Principal,
  hidden?: ReadonlySet<NavigationEntry>,
): SectionLink[] {
  return sortedOf(entries)
    .entries.filter((e) => e.section === name && shows(e, p, hidden))
    .map((e) => ({ href: e.href, text: e.text, description: e.description }));
}
