import type { Principal } from '../modules/auth/principal.ts';
import type { NavigationEntry, Services } from '../modules/registry.ts';

export interface NavItem {
  href: string;
  text: string;
  active?: boolean;
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

/** Each module list's entries in their order, sorted once. */
const sortedLists = new WeakMap<readonly NavigationEntry[], readonly NavigationEntry[]>();
/** The menus built for each module list, by which entries show and which are current. */
const builtMenus = new WeakMap<readonly NavigationEntry[], Map<string, Menu>>();
/** Menus kept per module list: every combination of roles, profile and current section. */
const MENUS_KEPT = 500;

/** A menu, with a key that names it exactly (for `memo` in the layout: views.ts). */
export type Menu = NavItem[] & { readonly memoKey?: string };

/**
 * The service navigation for a person: Home, then every module's entries (their definitions'
 * `navigation`) that this person's role can open and the school's profile does not hide (`hidden`, from
 * `hiddenByProfile`; when it was not asked, e.g. a page rendered before it could be, every entry
 * with a `shownBy` is left out), in order. The same menu is the same array, built once: its
 * `memoKey` lets the layout reuse its rendered HTML without serialising it on every page.
 */
export function navigationFor(
  entries: readonly NavigationEntry[],
  p: Principal | null,
  path: string,
  hidden?: ReadonlySet<NavigationEntry>,
): Menu {
  if (!p) return [];
  let sorted = sortedLists.get(entries);
  if (!sorted) {
    sorted = [...entries].sort((a, b) => a.order - b.order);
    sortedLists.set(entries, sorted);
  }
  const isCurrent = (href: string) =>
    href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
  let key = isCurrent('/') ? '*' : '';
  const shown: NavigationEntry[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i]!;
    if (!e.visible(p) || (hidden ? hidden.has(e) : Boolean(e.shownBy))) continue;
    shown.push(e);
    key += `,${i}${isCurrent(e.href) ? '*' : ''}`;
  }
  let menus = builtMenus.get(entries);
  if (!menus) builtMenus.set(entries, (menus = new Map()));
  const kept = menus.get(key);
  if (kept) return kept;
  const menu: Menu = [
    { href: '/', text: 'Home', active: isCurrent('/') },
    ...shown.map((e) => ({ href: e.href, text: e.text, active: isCurrent(e.href) })),
  ];
  Object.defineProperty(menu, 'memoKey', { value: `menu:${key}`, enumerable: false });
  if (menus.size >= MENUS_KEPT) menus.delete(menus.keys().next().value!);
  menus.set(key, menu);
  return menu;
}
