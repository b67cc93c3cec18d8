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

/**
 * The service navigation for a person: Home, then every module's entries (their definitions'
 * `navigation`) that this person's role can open and the school's profile does not hide (`hidden`, from
 * `hiddenByProfile`; when it was not asked, e.g. a page rendered before it could be, every entry
 * with a `shownBy` is left out), in order.
 */
export function navigationFor(
  entries: readonly NavigationEntry[],
  p: Principal | null,
  path: string,
  hidden?: ReadonlySet<NavigationEntry>,
): NavItem[] {
  if (!p) return [];
  const items: NavItem[] = [
    { href: '/', text: 'Home' },
    ...[...entries]
      .sort((a, b) => a.order - b.order)
      .filter((e) => e.visible(p) && (hidden ? !hidden.has(e) : !e.shownBy))
      .map((e) => ({ href: e.href, text: e.text })),
  ];
  return items.map((i) => ({
    ...i,
    active: i.href === '/' ? path === '/' : path === i.href || path.startsWith(`${i.href}/`),
  }));
}
