import { describe, expect, it } from 'vitest';
import {
  buildTagPicker,
  classesNamedIn,
  describePupils,
  searchPupils,
  yearLabel,
  type PickerPupil,
} from './pupil-picker.ts';

let n = 0;
const pupil = (
  givenName: string,
  familyName: string,
  className: string,
  dateOfBirth = '2017-05-10',
  admissionDate: string | null = '2021-09-01',
): PickerPupil => ({
  id: `p${++n}`,
  givenName,
  familyName,
  className,
  yearGroup: className.split(' ')[0]!,
  dateOfBirth,
  admissionDate,
});

describe('the face-tagging picker', () => {
  it('writes class and year on every option, in words', () => {
    const [a, r] = [pupil('Ada', 'Wren', '4 Oak'), pupil('Rae', 'Lin', 'R Ash')];
    const d = describePupils([a!, r!]);
    expect(d.get(a!.id)!.label).toBe('Ada Wren (4 Oak, Year 4)');
    expect(d.get(r!.id)!.label).toBe('Rae Lin (R Ash, Reception)');
    expect(yearLabel('10')).toBe('Year 10');
    expect(yearLabel('N')).toBe('Nursery');
  });

  it('tells same-name pupils apart: month of birth, then the day, then the date they joined', () => {
    const one = pupil('Samuel', 'Ahmed', '4 Oak', '2017-03-04');
    const two = pupil('samuel', 'AHMED', '3 Elm', '2018-07-21');
    const three = pupil('Samuel', 'Ahmed', '3 Elm', '2018-07-02');
    const four = pupil('Samuel', 'Ahmed', '3 Ash', '2018-07-02', '2022-01-05');
    const other = pupil('Sam', 'Ahmed', '4 Oak', '2017-03-04');
    const d = describePupils([one, two, three, four, other]);
    expect(d.get(one.id)!.label).toBe('Samuel Ahmed (4 Oak, Year 4, born March 2017)');
    expect(d.get(two.id)!.label).toBe('samuel AHMED (3 Elm, Year 3, born 21 July 2018)');
    expect(d.get(three.id)!.label).toBe(
      'Samuel Ahmed (3 Elm, Year 3, born 2 July 2018, joined 1 September 2021)',
    );
    expect(d.get(four.id)!.label).toBe(
      'Samuel Ahmed (3 Ash, Year 3, born 2 July 2018, joined 5 January 2022)',
    );
    expect(d.get(other.id)!.label).toBe('Sam Ahmed (4 Oak, Year 4)');
    expect(new Set([...d.values()].map((c) => c.label)).size).toBe(5);
  });

  it('finds the classes an event label names: a class, or a whole year group', () => {
    const all = [pupil('A', 'A', '4 Oak'), pupil('B', 'B', '4 Ash'), pupil('C', 'C', '5 Elm')];
    expect(classesNamedIn('Year 4 trip to the zoo', all).sort()).toEqual(['4 Ash', '4 Oak']);
    expect(classesNamedIn('5 elm assembly', all)).toEqual(['5 Elm']);
    expect(classesNamedIn('sports day', all)).toEqual([]);
    expect(classesNamedIn('Year 45 reunion', all)).toEqual([]);
  });

  it('searches names by the start of each word, ignoring case and accents, within one class', () => {
    const zoe = pupil('Zoë', 'Day', '4 Oak');
    const all = [zoe, pupil('Zoe', 'Dayton', '5 Elm'), pupil('Amir', 'Zoell', '4 Oak')];
    expect(searchPupils(all, { q: 'zoe da', className: '' }).found).toHaveLength(2);
    expect(searchPupils(all, { q: 'ZOE D', className: '4 Oak' }).found.map((p) => p.id)).toEqual([
      zoe.id,
    ]);
    expect(searchPupils(all, { q: 'oe', className: '' }).total).toBe(0);
  });

  it('offers the likely classes first, in order, each saying why, then the search results', () => {
    const tagged = pupil('Tia', 'Moss', '3 Elm');
    const mine = pupil('Max', 'Reed', '4 Oak');
    const event = pupil('Eve', 'Hart', '6 Yew');
    const rest = pupil('Ray', 'Holt', '5 Ash');
    const picker = buildTagPicker({
      pupils: [tagged, mine, event, rest],
      taggedPupilIds: [tagged.id, 'someone-not-visible'],
      ownClasses: ['4 Oak', '3 Elm'],
      uploaderClasses: [],
      eventLabel: 'Year 6 leavers',
      search: { q: 'ray', className: '' },
    });
    expect(picker.likely.map((g) => g.label)).toEqual([
      '3 Elm, Year 3 (pupils already in this photo; your class)',
      '4 Oak, Year 4 (your class)',
      '6 Yew, Year 6 (named in the event)',
    ]);
    expect(picker.found!.label).toBe('Pupils matching “ray”');
    expect(picker.found!.pupils.map((p) => p.label)).toEqual(['Ray Holt (5 Ash, Year 5)']);
    expect(picker.classes).toEqual(['3 Elm', '4 Oak', '5 Ash', '6 Yew']);
  });
});
