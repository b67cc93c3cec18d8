import { describe, expect, it } from 'vitest';
import type { Principal } from '../modules/auth/principal.ts';
import type { NavigationEntry } from '../modules/registry.ts';
import { navigationFor } from './navigation.ts';

const staff = (roles: string[]): Principal =>
  ({ kind: 'staff', id: 'st1', schoolId: 's1', roles, name: 'A' }) as Principal;
const hasRole = (role: string) => (p: Principal) =>
  p.kind === 'staff' && (p.roles as string[]).includes(role);

// Given out of order: the menu follows `order`.
const entries: NavigationEntry[] = [
  { href: '/posts', text: 'Posts', order: 20, visible: () => true },
  { href: '/pupils', text: 'Pupils', order: 10, visible: hasRole('office') },
  {
    href: '/reports/governors',
    text: 'Governors’ report',
    order: 30,
    visible: () => true,
    shownBy: () => Promise.resolve(true),
  },
];

describe('navigationFor', () => {
  it('lists Home and the entries this person may open, in order, marking the current one', () => {
    const menu = navigationFor(entries, staff(['office']), '/pupils/123', new Set());
    expect([...menu]).toEqual([
      { href: '/', text: 'Home', active: false },
      { href: '/pupils', text: 'Pupils', active: true },
      { href: '/posts', text: 'Posts', active: false },
      { href: '/reports/governors', text: 'Governors’ report', active: false },
    ]);
    expect(navigationFor(entries, staff(['office']), '/', new Set())[0]!.active).toBe(true);
  });

  it('leaves out what the role cannot open, what the profile hides, and unasked profile entries', () => {
    const texts = (m: { text: string }[]) => m.map((i) => i.text);
    expect(texts(navigationFor(entries, staff(['teacher']), '/', new Set()))).toEqual([
      'Home',
      'Posts',
      'Governors’ report',
    ]);
    expect(texts(navigationFor(entries, staff(['teacher']), '/', new Set([entries[2]!])))).toEqual([
      'Home',
      'Posts',
    ]);
    expect(texts(navigationFor(entries, staff(['teacher']), '/'))).toEqual(['Home', 'Posts']);
    expect(navigationFor(entries, null, '/')).toEqual([]);
  });

  it('gives the same menu the same array and key, and another menu another key', () => {
    const a = navigationFor(entries, staff(['office']), '/posts', new Set());
    const b = navigationFor(entries, staff(['office']), '/posts/9/edit', new Set());
    expect(b).toBe(a);
    expect(a.memoKey).toBeTruthy();
    const elsewhere = navigationFor(entries, staff(['office']), '/pupils', new Set());
    const fewer = navigationFor(entries, staff(['teacher']), '/posts', new Set());
    expect(new Set([a.memoKey, elsewhere.memoKey, fewer.memoKey]).size).toBe(3);
    // The key is not part of the menu's items (what the macro renders).
    expect(JSON.stringify(a)).not.toContain('menu:');
  });
});
