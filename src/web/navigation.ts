import type { Principal } from '../modules/auth/principal.ts';
import type { NavigationEntry } from '../modules/registry.ts';

export interface NavItem {
  href: string;
  text: string;
  active?: boolean;
}

/**
 * The service navigation for a person: Home, then every module's entries (their definitions'
 * `navigation`) that this person's role can open, in order.
 */
export function navigationFor(
  entries: readonly NavigationEntry[],
  p: Principal | null,
  path: string,
): NavItem[] {
  if (!p) return [];
  const items: NavItem[] = [
    { href: '/', text: 'Home' },
    ...[...entries]
      .sort((a, b) => a.order - b.order)
      .filter((e) => e.visible(p))
      .map((e) => ({ href: e.href, text: e.text })),
  ];
  return items.map((i) => ({
    ...i,
    active: i.href === '/' ? path === '/' : path === i.href || path.startsWith(`${i.href}/`),
  }));
}
