/** Fictional names for the demo school and benchmarks. */
export const givenNames = [
  'Amelia', 'Oliver', 'Isla', 'George', 'Ava', 'Noah', 'Mia', 'Arthur', 'Ivy', 'Leo', 'Freya', 'Oscar',
  'Lily', 'Harry', 'Sophia', 'Muhammad', 'Grace', 'Jack', 'Florence', 'Charlie', 'Willow', 'Theo',
  'Rosie', 'Freddie', 'Evie', 'Alfie', 'Poppy', 'Archie', 'Ella', 'Henry', 'Daisy', 'Thomas', 'Aisha',
  'Yusuf', 'Zara', 'Ibrahim', 'Maya', 'Kai', 'Priya', 'Arjun', 'Chloe', 'Ethan', 'Hannah', 'Samuel',
  'Ruby', 'Joshua', 'Erin', 'Reuben', 'Nia', 'Tobias', 'Layla', 'Ezra', 'Maryam', 'Finley', 'Sienna',
  'Jacob', 'Matilda', 'Lucas', 'Phoebe', 'Dylan',
];

export const familyNames = [
  'Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Patel', 'Robinson',
  'Wright', 'Thompson', 'Evans', 'Walker', 'White', 'Roberts', 'Green', 'Hall', 'Wood', 'Jackson',
  'Clarke', 'Khan', 'Hughes', 'Edwards', 'Turner', 'Hill', 'Cooper', 'Ward', 'Morris', 'Moore', 'Lewis',
  'Harris', 'Martin', 'Ahmed', 'Begum', 'Okafor', 'Nowak', 'Kowalski', 'Singh', 'Ali', 'Murphy', 'Kelly',
  'Campbell', 'Stewart', 'Price', 'Bennett', 'Shaw', 'Chapman', 'Mason', 'Hussain',
];

export const classTrees = ['Ash', 'Birch', 'Cedar', 'Elm', 'Hazel', 'Larch', 'Maple', 'Oak', 'Rowan', 'Willow', 'Yew', 'Holly', 'Beech', 'Alder'];

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
