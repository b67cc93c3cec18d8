import { describe, expect, it } from 'vitest';
import type { Principal } from '../modules/auth/principal.ts';
import type { NavigationEntry } from '../modules/registry.ts';
import { navigationFor, sectionLinks, UNGROUPED_UP_TO } from './navigation.ts';

const staff = (roles: string[]): Principal =>
  ({ kind: 'staff', id: 'st1', schoolId: 's1', roles, name: 'A' }) as Principal;
const hasRole = (role: string) => (p: Principal) =>
  p.kind === 'staff' && (p.roles as string[]).includes(role);

// Given out of order: sections follow `navigationSections`, entries within one follow `order`.
const entries: NavigationEntry[] = [
  {
    href: '/posts',
    text: 'Posts',
    section: 'posts-and-photos',
    description: 'Write posts.',
    order: 20,
    visible: () => true,
  },
  {
    href: '/parents',
    text: 'Parents and carers',
    section: 'pupils-and-families',
    description: 'Find a parent.',
    order: 20,
    visible: hasRole('office'),
  },
  {
    href: '/pupils',
    text: 'Pupils',
    section: 'pupils-and-families',
    description: 'Find a pupil.',
    order: 10,
    visible: hasRole('office'),
  },
  {
    href: '/reports/governors',
    text: 'Governors’ report',
    section: 'policy-and-reports',
    description: 'Figures for governors.',
    order: 30,
    visible: () => true,
    shownBy: () => Promise.resolve(true),
  },
  {
    href: '/policy',
    text: 'Policy',
    section: 'policy-and-reports',
    description: 'The policy.',
    order: 10,
    visible: hasRole('office'),
  },
];
const texts = (m: { text: string }[]) => m.map((i) => i.text);

describe('navigationFor', () => {
  it('lists Home and the sections this person can open, in order; one entry links straight to it', () => {
    const menu = navigationFor(entries, staff(['office']), '/', new Set());
    expect([...menu]).toEqual([
      { href: '/', text: 'Home', active: false, current: true },
      {
        href: '/section/pupils-and-families',
        text: 'Pupils and families',
        active: false,
        current: false,
      },
      { href: '/posts', text: 'Posts', active: false, current: false },
      {
        href: '/section/policy-and-reports',
        text: 'Policy and reports',
        active: false,
        current: false,
      },
    ]);
    // A teacher opens one entry of "Policy and reports": its link, in its own words.
    expect([...navigationFor(entries, staff(['teacher']), '/', new Set())]).toEqual([
      { href: '/', text: 'Home', active: false, current: true },
      { href: '/posts', text: 'Posts', active: false, current: false },
      { href: '/reports/governors', text: 'Governors’ report', active: false, current: false },
    ]);
  });

  it(`lists the entries themselves for someone who can open ${UNGROUPED_UP_TO} or fewer`, () => {
    const many = [1, 2, 3, 4, 5].map((n): NavigationEntry => ({
      href: `/e${n}`,
      text: `Entry ${n}`,
      section: 'staff',
      description: `Entry ${n}.`,
      order: n,
      visible: (p) => n <= (p.kind === 'staff' && p.roles.includes('teacher') ? 5 : 4),
    }));
    expect(texts(navigationFor(many, staff(['office']), '/e2/x', new Set()))).toEqual([
      'Home',
      'Entry 1',
      'Entry 2',
      'Entry 3',
      'Entry 4',
    ]);
    expect(navigationFor(many, staff(['office']), '/e2/x', new Set())[2]!.active).toBe(true);
    expect(texts(navigationFor(many, staff(['teacher']), '/', new Set()))).toEqual([
      'Home',
      'Staff',
    ]);
  });

  it('marks the section the page is in, and the item whose own page it is', () => {
    const marks = (path: string, roles = ['office']) =>
      navigationFor(entries, staff(roles), path, new Set())
        .filter((i) => i.active || i.current)
        .map((i) => `${i.text}${i.current ? ' (page)' : ''}`);
    expect(marks('/pupils/123')).toEqual(['Pupils and families']);
    expect(marks('/parents')).toEqual(['Pupils and families']);
    expect(marks('/section/pupils-and-families')).toEqual(['Pupils and families (page)']);
    expect(marks('/posts')).toEqual(['Posts (page)']);
    expect(marks('/posts/9/edit')).toEqual(['Posts']);
    expect(marks('/reports/governors/2026')).toEqual(['Policy and reports']);
    expect(marks('/reports/governors', ['teacher'])).toEqual(['Governors’ report (page)']);
    // A section the person cannot open is never marked; nor is anything off the menu.
    expect(marks('/pupils', ['teacher'])).toEqual([]);
    expect(marks('/account')).toEqual([]);
    expect(marks('/')).toEqual(['Home (page)']);
  });

  it('leaves out what the role cannot open, what the profile hides, and unasked profile entries', () => {
    expect(texts(navigationFor(entries, staff(['teacher']), '/', new Set()))).toEqual([
      'Home',
      'Posts',
      'Governors’ report',
    ]);
    expect(texts(navigationFor(entries, staff(['teacher']), '/', new Set([entries[3]!])))).toEqual([
      'Home',
      'Posts',
    ]);
    expect(texts(navigationFor(entries, staff(['teacher']), '/'))).toEqual(['Home', 'Posts']);
    // Hidden by the profile, the report leaves the office four entries: few enough to list them.
    expect(texts(navigationFor(entries, staff(['office']), '/', new Set([entries[3]!])))).toEqual([
      'Home',
      'Pupils',
      'Parents and carers',
      'Posts',
      'Policy',
    ]);
    expect(navigationFor(entries, null, '/')).toEqual([]);
  });

  it('gives the same menu the same array and key, and another menu another key', () => {
    const a = navigationFor(entries, staff(['office']), '/posts/1', new Set());
    const b = navigationFor(entries, staff(['office']), '/posts/9/edit', new Set());
    expect(b).toBe(a);
    expect(a.memoKey).toBeTruthy();
    const onItsPage = navigationFor(entries, staff(['office']), '/posts', new Set());
    const elsewhere = navigationFor(entries, staff(['office']), '/pupils', new Set());
    const sameSection = navigationFor(entries, staff(['office']), '/parents/4', new Set());
    const fewer = navigationFor(entries, staff(['teacher']), '/posts/1', new Set());
    expect(sameSection).toBe(elsewhere);
    expect(new Set([a.memoKey, onItsPage.memoKey, elsewhere.memoKey, fewer.memoKey]).size).toBe(4);
    // The key is not part of the menu's items (what the macro renders).
    expect(JSON.stringify(a)).not.toContain('menu:');
  });
});

describe('sectionLinks', () => {
  it('lists the section’s entries this person can open, in order, with their descriptions', () => {
    expect(sectionLinks(entries, 'pupils-and-families', staff(['office']), new Set())).toEqual([
      { href: '/pupils', text: 'Pupils', description: 'Find a pupil.' },
      { href: '/parents', text: 'Parents and carers', description: 'Find a parent.' },
    ]);
    expect(sectionLinks(entries, 'pupils-and-families', staff(['teacher']), new Set())).toEqual([]);
    expect(
      texts(sectionLinks(entries, 'policy-and-reports', staff(['office']), new Set([entries[3]!]))),
    ).toEqual(['Policy']);
    expect(texts(sectionLinks(entries, 'policy-and-reports', staff(['office'])))).toEqual([
      'Policy',
    ]);
  });
});
