/** Plain-English headings for the settings groups, in the order the policy page shows them. */
export const groupTitles: Record<string, string> = {
  roles: 'Roles',
  consent: 'Consent for photos and videos',
  publishing: 'Posting on school channels',
  media: 'Photos, devices and storage',
  incidents: 'Incidents and misuse',
  conduct: 'Staff conduct and permissions',
  training: 'Training',
  review: 'Policy review',
  people: 'Who the policy covers, role titles and responsibilities',
  channels: 'School accounts, naming and photography at events',
};

export function ruleGroups<T extends { path: string }>(
  rules: T[],
): { key: string; title: string; rules: T[] }[] {
  const groups = new Map<string, T[]>();
  for (const r of rules) {
    const key = r.path.split('.')[0] ?? '';
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.entries()].map(([key, list]) => ({
    key,
    title: groupTitles[key] ?? key,
    rules: list,
  }));
}
