/** Fictional names for the demo school and benchmarks. */
export const givenNames = [
  'Amelia',
  'Oliver',
  'Isla',
  'George',
  'Ava',
  'Noah',
  'Mia',
  'Arthur',
  'Ivy',
  'Leo',
  'Freya',
  'Oscar',
  'Lily',
  'Harry',
  'Sophia',
  'Muhammad',
  'Grace',
  'Jack',
  'Florence',
  'Charlie',
  'Willow',
  'Theo',
  'Rosie',
  'Freddie',
  'Evie',
  'Alfie',
  'Poppy',
  'Archie',
  'Ella',
  'Henry',
  'Daisy',
  'Thomas',
  'Aisha',
  'Yusuf',
  'Zara',
  'Ibrahim',
  'Maya',
  'Kai',
  'Priya',
  'Arjun',
  'Chloe',
  'Ethan',
  'Hannah',
  'Samuel',
  'Ruby',
  'Joshua',
  'Erin',
  'Reuben',
  'Nia',
  'Tobias',
  'Layla',
  'Ezra',
  'Maryam',
  'Finley',
  'Sienna',
  'Jacob',
  'Matilda',
  'Lucas',
  'Phoebe',
  'Dylan',
];

export const familyNames = [
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Williams',
  'Wilson',
  'Johnson',
  'Davies',
  'Patel',
  'Robinson',
  'Wright',
  'Thompson',
  'Evans',
  'Walker',
  'White',
  'Roberts',
  'Green',
  'Hall',
  'Wood',
  'Jackson',
  'Clarke',
  'Khan',
  'Hughes',
  'Edwards',
  'Turner',
  'Hill',
  'Cooper',
  'Ward',
  'Morris',
  'Moore',
  'Lewis',
  'Harris',
  'Martin',
  'Ahmed',
  'Begum',
  'Okafor',
  'Nowak',
  'Kowalski',
  'Singh',
  'Ali',
  'Murphy',
  'Kelly',
  'Campbell',
  'Stewart',
  'Price',
  'Bennett',
  'Shaw',
  'Chapman',
  'Mason',
  'Hussain',
];

export const classTrees = [
  'Ash',
  'Birch',
  'Cedar',
  'Elm',
  'Hazel',
  'Larch',
  'Maple',
  'Oak',
  'Rowan',
  'Willow',
  'Yew',
  'Holly',
  'Beech',
  'Alder',
];

/** Deterministic pseudo-random numbers (mulberry32), so the demo school is the same every time. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

/**
 * Adults' given names for the demo's parents and carers, by the relationship they are recorded
 * with: a mother or grandmother has a woman's name, a father or grandfather a man's. None is a
 * pupil's given name (`givenNames`), so no parent shares a full name with a pupil.
 */
export const womensNames = [
  'Sarah',
  'Emma',
  'Laura',
  'Rebecca',
  'Claire',
  'Gemma',
  'Rachel',
  'Nicola',
  'Kirsty',
  'Jennifer',
  'Victoria',
  'Natalie',
  'Amy',
  'Stacey',
  'Joanne',
  'Michelle',
  'Helen',
  'Samantha',
  'Fatima',
  'Nadia',
  'Shabana',
  'Ayesha',
  'Sunita',
  'Anjali',
  'Agnieszka',
  'Katarzyna',
  'Chioma',
  'Ngozi',
  'Siobhan',
  'Lucy',
  'Kate',
  'Jade',
];

export const mensNames = [
  'James',
  'David',
  'Daniel',
  'Matthew',
  'Christopher',
  'Andrew',
  'Richard',
  'Mark',
  'Paul',
  'Steven',
  'Craig',
  'Lee',
  'Gareth',
  'Jamie',
  'Adam',
  'Robert',
  'Michael',
  'Imran',
  'Tariq',
  'Asif',
  'Rajesh',
  'Sanjay',
  'Piotr',
  'Tomasz',
  'Emeka',
  'Chinedu',
  'Sean',
  'Ryan',
  'Stuart',
  'Neil',
  'Wayne',
  'Carl',
];

/** Given names that fit any relationship (a carer, a guardian). */
export const adultNames = [...womensNames, ...mensNames];

/** The given names that fit a relationship as MIS exports record it ("Mother", "Father", …). */
export function namesFor(relationship: string): readonly string[] {
  const r = relationship.toLowerCase();
  if (/mother|grandmother|aunt|sister/.test(r)) return womensNames;
  if (/father|grandfather|uncle|brother/.test(r)) return mensNames;
  return adultNames;
}
