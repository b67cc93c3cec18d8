/**
 * Event labels are general ('sports day'), never pupils' names (`publishing.groupImagesWithGeneralLabels`). A label is
 * refused when it contains a pupil's full name, or a pupil's first name as a whole word. Family
 * names on their own are not checked: many are ordinary words ("Day", "Hill", "Field").
 */
export interface PupilName {
  givenName: string;
  familyName: string;
}

function fold(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The first pupil name found in the label (as written in the register), or null. */
export function pupilNameInLabel(label: string, pupils: readonly PupilName[]): string | null {
  const text = ` ${fold(label)} `;
  if (text.trim() === '') return null;
  for (const p of pupils) {
    const given = fold(p.givenName);
    const family = fold(p.familyName);
    if (given.length >= 2 && family && text.includes(` ${given} ${family} `))
      return `${p.givenName} ${p.familyName}`;
  }
  for (const p of pupils) {
    const given = fold(p.givenName);
    if (given.length >= 2 && text.includes(` ${given} `)) return p.givenName;
  }
  return null;
}
