import { classTrees, familyNames, givenNames, namesFor, pick, prng } from './names.ts';
import type { NewParent, NewPupil } from '../modules/people/people.repository.ts';

export interface GeneratedPeople {
  pupils: NewPupil[];
  parents: NewParent[];
  /** Links by index into pupils / parents. */
  links: { pupil: number; parent: number; relationship: string; parentalResponsibility: boolean }[];
}

function iso(y: number, m: number, d: number): string {
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Start year of the academic year (1 September – 31 August) containing `today`. */
export function academicYearStart(today: Date): number {
  return today.getUTCMonth() >= 8 ? today.getUTCFullYear() : today.getUTCFullYear() - 1;
}

/**
 * How a family's one or two adults are recorded, roughly as in a primary school's MIS: mostly a
 * mother and a father, some single parents, a few grandparents, same-sex parents and carers.
 */
function pickRelationships(rand: () => number, count: number): string[] {
  const u = rand();
  if (count === 1) {
    if (u < 0.74) return ['Mother'];
    if (u < 0.9) return ['Father'];
    if (u < 0.95) return ['Grandmother'];
    return ['Carer'];
  }
  if (u < 0.84) return ['Mother', 'Father'];
  if (u < 0.9) return ['Mother', 'Stepfather'];
  if (u < 0.93) return ['Mother', 'Mother'];
  if (u < 0.95) return ['Father', 'Father'];
  if (u < 0.98) return ['Grandmother', 'Grandfather'];
  return ['Father', 'Stepmother'];
}

/**
 * A primary school's pupils (Reception to Year 6) with one or two parents each and some siblings.
 * Deterministic for a given seed.
 */
export function generatePeople(options: {
  schoolId: string;
  pupils: number;
  classesPerYear: number;
  today: Date;
  seed: number;
  emailDomain: string;
  misPrefix: string;
}): GeneratedPeople {
  const rand = prng(options.seed);
  const years = ['R', '1', '2', '3', '4', '5', '6'];
  const start = academicYearStart(options.today);
  const out: GeneratedPeople = { pupils: [], parents: [], links: [] };
  // Parents' relationships and given names come from a stream of their own, so the pupils (and
  // which pupils are siblings) are the same as they were before parents' names fitted them.
  const adultRand = prng(options.seed ^ 0x5eed);
  let family: { parentIdx: number[]; relationships: string[]; familyName: string } | null = null;
  for (let i = 0; i < options.pupils; i++) {
    const yIndex = Math.floor((i * years.length) / options.pupils);
    const year = years[yIndex]!;
    const tree = classTrees[Math.floor(rand() * options.classesPerYear) % classTrees.length]!;
    const birthYear = start - 5 - yIndex + (rand() < 0.66 ? 0 : 1);
    const month =
      birthYear === start - 5 - yIndex ? 9 + Math.floor(rand() * 4) : 1 + Math.floor(rand() * 8);
    const sibling: boolean = family !== null && rand() < 0.15;
    const familyName: string = sibling && family ? family.familyName : pick(rand, familyNames);
    const givenName = pick(rand, givenNames);
    out.pupils.push({
      schoolId: options.schoolId,
      misId: `${options.misPrefix}${String(100000 + i)}`,
      givenName,
      familyName,
      dateOfBirth: iso(birthYear, month, 1 + Math.floor(rand() * 28)),
      yearGroup: year,
      className: `${year === 'R' ? 'R' : year} ${tree}`,
      admissionDate: iso(start - yIndex, 9, 4),
      leavingDate: null,
    });
    if (sibling && family) {
      for (const [k, p] of family.parentIdx.entries()) {
        out.links.push({
          pupil: i,
          parent: p,
          relationship: family.relationships[k]!,
          parentalResponsibility: true,
        });
      }
      continue;
    }
    const count = rand() < 0.7 ? 2 : 1;
    const relationships = pickRelationships(adultRand, count);
    const idx: number[] = [];
    for (let k = 0; k < count; k++) {
      // The pupils' stream still draws the name it used to (see adultRand above).
      pick(rand, givenNames);
      const relationship = relationships[k]!;
      const pg = pick(adultRand, namesFor(relationship));
      const n = out.parents.length;
      const parentFamilyName = k === 1 && rand() < 0.3 ? pick(rand, familyNames) : familyName;
      out.parents.push({
        schoolId: options.schoolId,
        misId: `${options.misPrefix}C${String(200000 + n)}`,
        givenName: pg,
        familyName: parentFamilyName,
        email: `${pg.toLowerCase()}.${parentFamilyName.toLowerCase()}.${n}@${options.emailDomain}`,
        phone: `07700 9${String(n % 100000).padStart(5, '0')}`,
      });
      idx.push(n);
      out.links.push({
        pupil: i,
        parent: n,
        relationship,
        // A few carers without parental responsibility, as in real MIS data.
        parentalResponsibility: !(k === 1 && rand() < 0.1),
      });
    }
    family = { parentIdx: idx, relationships, familyName };
  }
  return out;
}
