import { describe, expect, it } from 'vitest';
import type { KindStatus, PersonTraining, TrainingStatusReport } from '../training/index.ts';
import { acknowledgementCell, buildCompliance, schoolFigures } from './compliance-view.ts';
import { peopleCsv, rolesCsv, trustCsv } from './compliance-csv.ts';

const today = '2026-12-07';
const st = (state: KindStatus['state'], dueOn: string | null = null): KindStatus => ({
  state,
  dueOn,
  lastAttended: null,
  dueAgain: null,
});
const person = (
  name: string,
  roles: string[],
  regular: KindStatus['state'],
  acknowledged: boolean,
  startDate: string | null = '2020-09-01',
): PersonTraining => ({
  staffId: name,
  name,
  email: `${name.toLowerCase().replace(/\W/g, '')}@school.test`,
  roles,
  startDate,
  acknowledgedCurrent: acknowledged,
  kinds: {
    staff_induction: st('done'),
    staff_regular: st(regular, regular === 'done' ? '2027-06-01' : '2026-11-01'),
    at_risk_identification: st('not_required'),
  },
});
const report = (people: PersonTraining[]): TrainingStatusReport => ({
  today,
  policyVersion: 3,
  kinds: ['staff_induction', 'staff_regular', 'at_risk_identification'],
  people,
  classes: [],
  term: { key: '2026-autumn', label: 'Autumn term 2026' },
  windows: { newStarterDays: 30, dueSoonDays: 30, dueAgainDays: 30 },
  acknowledgeWithinDays: 30,
});
const titles = { headteacher: 'Head of School', teacher: 'Class teacher', governor: 'Governor' };

describe('compliance view', () => {
  const r = report([
    person('Ada Head', ['headteacher'], 'done', true),
    person('Ben Teach', ['teacher'], 'overdue', true),
    person('Cy Teach', ['teacher', 'governor'], 'due_soon', false),
    person('Di New', ['teacher'], 'done', false, '2026-12-01'),
  ]);

  it('acknowledgement: done, due soon for a new starter, otherwise overdue', () => {
    expect(acknowledgementCell(r.people[0]!, today, 30).state).toBe('done');
    expect(acknowledgementCell(r.people[2]!, today, 30)).toEqual({
      state: 'overdue',
      dueOn: '2020-10-01',
    });
    expect(acknowledgementCell(r.people[3]!, today, 30)).toEqual({
      state: 'due_soon',
      dueOn: '2026-12-31',
    });
  });

  it('acknowledgement: due from the later of the start and the required version’s publication', () => {
    // Started in 2020, the version published a fortnight ago: due 30 days after publication,
    // not 30 days after they started (the date a Headteacher would not believe).
    expect(acknowledgementCell(r.people[2]!, today, 30, '2026-11-23')).toEqual({
      state: 'due_soon',
      dueOn: '2026-12-23',
    });
    // Published long ago: 30 days after, overdue.
    expect(acknowledgementCell(r.people[2]!, today, 30, '2026-09-01')).toEqual({
      state: 'overdue',
      dueOn: '2026-10-01',
    });
    // A new starter after the publication: from their start.
    expect(acknowledgementCell(r.people[3]!, today, 30, '2026-09-01')).toEqual({
      state: 'due_soon',
      dueOn: '2026-12-31',
    });
    // No start date recorded: from the publication; neither: overdue with no date.
    const noStart = { ...r.people[2]!, startDate: null };
    expect(acknowledgementCell(noStart, today, 30, '2026-11-23')).toEqual({
      state: 'due_soon',
      dueOn: '2026-12-23',
    });
    expect(acknowledgementCell(noStart, today, 30)).toEqual({ state: 'overdue', dueOn: null });
    expect(acknowledgementCell(r.people[0]!, today, 30, '2026-11-23').state).toBe('done');
    // The view and the trust's figures follow the same rule.
    const since = { ...r, requiredSince: '2026-11-23' };
    expect(buildCompliance(since, titles).people[2]!.cells.acknowledgement).toEqual({
      state: 'due_soon',
      dueOn: '2026-12-23',
    });
    expect(schoolFigures('S', since).counts.acknowledgement).toMatchObject({
      done: 2,
      due_soon: 2,
      overdue: 0,
    });
  });

  it('acknowledgement: the school’s own window (`training.acknowledgeWithinDays`)', () => {
    // Published a fortnight ago: within 30 days still due soon, within 10 days overdue.
    expect(acknowledgementCell(r.people[2]!, today, 10, '2026-11-23')).toEqual({
      state: 'overdue',
      dueOn: '2026-12-03',
    });
    const own = { ...r, requiredSince: '2026-11-23', acknowledgeWithinDays: 10 };
    expect(buildCompliance(own, titles).people[2]!.cells.acknowledgement).toEqual({
      state: 'overdue',
      dueOn: '2026-12-03',
    });
    expect(schoolFigures('S', own).counts.acknowledgement).toMatchObject({
      done: 2,
      due_soon: 1,
      overdue: 1,
    });
    // The page says how many days "due soon" means, from the profile.
    expect(buildCompliance(r, titles).dueSoonDays).toBe(30);
    expect(
      buildCompliance({ ...r, windows: { ...r.windows, dueSoonDays: 7 } }, titles).dueSoonDays,
    ).toBe(7);
  });

  it('by role in the school’s words, with counts and percentages; overdue people', () => {
    const v = buildCompliance(r, titles);
    expect(v.roles.map((x) => x.title)).toEqual(['Class teacher', 'Governor', 'Head of School']);
    const teachers = v.byRole.find((x) => x.role === 'teacher')!;
    expect(teachers.people).toBe(3);
    expect(teachers.counts.staff_regular).toEqual({
      done: 1,
      due_soon: 1,
      overdue: 1,
      not_required: 0,
      percentDone: 33,
    });
    expect(teachers.counts.acknowledgement).toMatchObject({ done: 1, due_soon: 1, overdue: 1 });
    expect(teachers.counts.at_risk_identification).toMatchObject({
      not_required: 3,
      percentDone: null,
    });
    expect(v.overduePeople).toBe(2); // Ben (regular), Cy (acknowledgement)
    expect(v.people[0]!.roles).toEqual([{ key: 'headteacher', title: 'Head of School' }]);
    expect(v.columns.at(-1)!.label).toBe('Policy acknowledged (version 3)');
  });

  it('filters by role, kind and status', () => {
    const v = buildCompliance(r, titles, {
      role: 'teacher',
      kind: 'staff_regular',
      status: 'overdue',
    });
    expect(v.columns.map((c) => c.key)).toEqual(['staff_regular']);
    expect(v.people.map((p) => p.name)).toEqual(['Ben Teach']);
    expect(v.byRole.map((x) => x.role)).toEqual(['teacher']);
    expect(v.totals.people).toBe(3);
    const acks = buildCompliance(r, titles, { kind: 'acknowledgement', status: 'due_soon' });
    expect(acks.people.map((p) => p.name)).toEqual(['Di New']);
  });

  it('the trust’s figures for a school carry no name or email', () => {
    const f = schoolFigures('Oak School', r);
    expect(f).toMatchObject({ name: 'Oak School', staff: 4, overduePeople: 2 });
    const text =
      JSON.stringify(f) +
      trustCsv({
        organisationName: 'T',
        columns: buildCompliance(r, {}).columns,
        schools: [f],
        withoutPolicy: [],
        asOf: new Date(),
      });
    for (const p of r.people) {
      expect(text).not.toContain(p.name);
      expect(text).not.toContain(p.email);
    }
  });

  it('the trust’s figures are the school view’s own totals, counted without building rows', () => {
    // Every state in every column, new starters on both sides of the window, no start date.
    const states: KindStatus['state'][] = ['done', 'due_soon', 'overdue', 'not_required'];
    const people: PersonTraining[] = [];
    for (let i = 0; i < 96; i++) {
      const p = person(
        `P${i}`,
        [i % 3 ? 'teacher' : 'office'],
        states[i % 4]!,
        i % 5 === 0,
        i % 7 === 0 ? null : i % 2 ? '2026-11-20' : `20${10 + (i % 16)}-09-01`,
      );
      p.kinds.staff_induction = st(states[(i >> 2) % 4]!);
      if (i % 11 === 0) delete p.kinds.at_risk_identification;
      people.push(p);
    }
    for (const rep of [r, report(people), report([])]) {
      const view = buildCompliance(rep, titles);
      expect(schoolFigures('Oak School', rep)).toEqual({
        name: 'Oak School',
        staff: rep.people.length,
        overduePeople: view.overduePeople,
        counts: view.totals.counts,
      });
    }
  });

  it('CSV: formula-looking cells are prefixed, commas and quotes quoted', () => {
    const hostile = report([
      person('=HYPERLINK("http://x","y")', ['teacher'], 'overdue', true),
      person('+44 Smith', ['teacher'], 'done', true),
      person('-Minus', ['teacher'], 'done', true),
      person('@Sum', ['teacher'], 'done', true),
      person('\tTab', ['teacher'], 'done', true),
      person('\rReturn', ['teacher'], 'done', true),
      person('Smith, Jo', ['teacher'], 'done', true),
    ]);
    const csv = peopleCsv(buildCompliance(hostile, { teacher: '=cmd|calc' }));
    const lines = csv.split('\r\n');
    expect(lines[0]).toContain('Name,Email,Role');
    expect(csv).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csv).toContain("'+44 Smith");
    expect(csv).toContain("'-Minus");
    expect(csv).toContain("'@Sum");
    expect(csv).toContain('"Smith, Jo"');
    expect(csv).toContain("'=cmd|calc");
    for (const line of lines.filter(Boolean)) expect(line).not.toMatch(/(^|,)[=+\-@\t]/);
    const roles = rolesCsv(buildCompliance(hostile, { teacher: '=cmd|calc' }));
    expect(roles).not.toContain('HYPERLINK');
    expect(roles).toContain("'=cmd|calc,7");
  });
});
