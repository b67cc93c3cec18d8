import { describe, expect, it } from 'vitest';
import { parseStaffFile, readRoles } from './staff-import.parse.ts';
import { planStaffImport, type ExistingStaff } from './staff-import.plan.ts';

const csv = (text: string) => Buffer.from(text, 'utf8');
const today = '2026-12-07';

const head: ExistingStaff = {
  id: '00000000-0000-4000-8000-000000000001',
  email: 'head@school.test',
  givenName: 'Hana',
  familyName: 'Head',
  jobTitle: null,
  roles: ['headteacher'],
  startDate: '2015-09-01',
  leaveDate: null,
  active: true,
  lineManagerId: null,
};
const bm: ExistingStaff = {
  ...head,
  id: '00000000-0000-4000-8000-000000000002',
  email: 'bm@school.test',
  givenName: 'Bea',
  familyName: 'Manager',
  roles: ['business_manager'],
  lineManagerId: head.id,
};
const teacher: ExistingStaff = {
  ...head,
  id: '00000000-0000-4000-8000-000000000003',
  email: 'tom@school.test',
  givenName: 'Tom',
  familyName: 'Teach',
  roles: ['teacher'],
  lineManagerId: null,
};

function plan(text: string, over: Partial<Parameters<typeof planStaffImport>[0]> = {}) {
  const parsed = parseStaffFile(csv(text));
  if (!parsed.ok) throw new Error(parsed.fileError);
  return planStaffImport({
    lines: parsed.lines,
    parseErrors: parsed.errors,
    total: parsed.total,
    existing: [head, bm, teacher],
    elsewhere: new Set(),
    titles: { dsl: 'Child Protection Lead' },
    today,
    actor: { id: head.id, roles: ['headteacher'] },
    ...over,
  });
}

describe('parseStaffFile', () => {
  it('reads the columns by their headings, with every row’s problems in words', () => {
    const parsed = parseStaffFile(
      csv(
        [
          'First name,Surname,Email address,Role,Start date,Line manager email,Leaving date',
          'Ann,Able,ANN@school.test,Teacher,1/9/2025,head@school.test,',
          ',Blank,not-an-email,Teacher,31/02/2025,,',
          'Cat,Copy,ann@school.test,Teacher,1/9/25,cat,',
          'Dan,Date,dan@school.test,Teacher,01/09/2025,,31/08/2025',
          '',
        ].join('\n'),
      ),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.total).toBe(4);
    expect(parsed.lines).toEqual([
      {
        line: 2,
        givenName: 'Ann',
        familyName: 'Able',
        email: 'ann@school.test',
        roleNames: ['Teacher'],
        startDate: '2025-09-01',
        lineManagerEmail: 'head@school.test',
        leaveDate: null,
      },
    ]);
    expect(parsed.errors).toEqual([
      { line: 3, message: 'Given name is blank' },
      { line: 3, message: 'Email must be an email address, like name@example.com' },
      {
        line: 3,
        message: 'Start date must be a real date written as day/month/year, for example 1/9/2025',
      },
      { line: 4, message: 'This email address is also on row 2' },
      { line: 4, message: 'Start date needs a four-digit year, for example 1/9/2025' },
      { line: 4, message: 'Line manager must be their email address, like name@example.com' },
      { line: 5, message: 'Leave date must be the same as or after the start date' },
    ]);
  });

  it('refuses a file without the required columns, or one that is not a CSV', () => {
    const missing = parseStaffFile(csv('Name,Email\nAnn,ann@school.test\n'));
    expect(missing).toEqual({
      ok: false,
      fileError:
        'The file needs the columns “Given name”, “Family name”, “Roles”. The first row must be the column headings.',
    });
    const pdf = parseStaffFile(Buffer.from('%PDF-1.4\n%%EOF\n'));
    expect(pdf.ok).toBe(false);
  });
});

describe('readRoles', () => {
  it('takes the school’s titles, Lanyard’s names and keys, without case or punctuation', () => {
    expect(
      readRoles(['child protection lead', 'TEACHER', 'ict-technician', 'dpo'], {
        dsl: 'Child Protection Lead',
      }),
    ).toEqual({ roles: ['dpo', 'dsl', 'ict_technician', 'teacher'] });
    expect(readRoles(['Designated Safeguarding Lead'], null)).toEqual({ roles: ['dsl'] });
    expect(readRoles(['Caretaker', 'Teacher'], null)).toEqual({ unknown: ['Caretaker'] });
  });
});

describe('planStaffImport', () => {
  const header = 'Given name,Family name,Email,Roles,Start date,Line manager,Leave date';

  it('adds new staff, updates those matched by email, and says what changes in words', () => {
    const p = plan(
      [
        header,
        'Nia,New,nia@school.test,Teacher; Child Protection Lead,1/9/2026,zed@school.test,',
        'Tom,Teacher,tom@school.test,Teacher,,head@school.test,31/8/2027',
        'Hana,Head,head@school.test,Headteacher,,,',
        // The line manager is a later row of the same file.
        'Zed,Zulu,zed@school.test,Teacher,,,',
      ].join('\n'),
    );
    expect(p.errors).toEqual([]);
    expect(p.canCommit).toBe(true);
    expect(p.unchanged).toBe(1);
    expect(p.added.map((a) => [a.email, a.roles, a.lineManagerName, a.rolesText])).toEqual([
      ['nia@school.test', ['dsl', 'teacher'], 'Zed Zulu', 'Child Protection Lead, Teacher'],
      ['zed@school.test', ['teacher'], null, 'Teacher'],
    ]);
    expect(p.added[1]!.startDate).toBe(today);
    expect(p.changed).toHaveLength(1);
    expect(p.changed[0]!.changes).toEqual([
      'Name: Tom Teach → Tom Teacher',
      'Leave date: none → 31 August 2027 (they can sign in until then)',
      'Line manager: none → Hana Head',
    ]);
    expect(p.changed[0]!.changed).toEqual(['familyName', 'lineManagerId', 'leaveDate']);
    expect(p.changed[0]!.values.active).toBe(true);
  });

  it('refuses a line manager loop, an unknown manager and someone who has left', () => {
    const p = plan(
      [
        header,
        'Amy,Ay,amy@school.test,Teacher,,ben@school.test,',
        'Ben,Bee,ben@school.test,Teacher,,amy@school.test,',
        'Cal,Cee,cal@school.test,Teacher,,nobody@school.test,',
        'Dee,Dee,dee@school.test,Teacher,,gone@school.test,',
        'Gus,Gone,gone@school.test,Teacher,1/9/2020,,1/9/2026',
        // The head would report to the teacher who, through the business manager, reports to them.
        'Hana,Head,head@school.test,Headteacher,,tom@school.test,',
        'Tom,Teach,tom@school.test,Teacher,,bm@school.test,',
      ].join('\n'),
    );
    expect(p.canCommit).toBe(false);
    const messages = p.errors.map((e) => `${e.line}: ${e.message}`);
    expect(messages).toContain(
      '2: Line manager: this makes a loop, where nobody has a manager above them (Amy Ay reports to Ben Bee, Ben Bee reports to Amy Ay)',
    );
    expect(messages.some((m) => m.startsWith('3: Line manager: this makes a loop'))).toBe(true);
    expect(messages).toContain(
      '4: Line manager: nobody in Lanyard or in this file has the email address nobody@school.test. Add them to the file or to Lanyard first',
    );
    expect(messages.some((m) => m.startsWith('5: Line manager: Gus Gone is not a current'))).toBe(
      true,
    );
    expect(messages.some((m) => m.startsWith('7: Line manager: this makes a loop'))).toBe(true);
    expect(messages.some((m) => m.startsWith('8: Line manager: this makes a loop'))).toBe(true);
  });

  it('lets a Business Manager change only what the staff page lets them', () => {
    const p = plan(
      [
        header,
        'Nia,New,nia@school.test,Designated Safeguarding Lead,,,',
        'Hana,Head,head@school.test,Headteacher,,,31/12/2027',
        'Tom,Teach,tom@school.test,Teacher; Office staff,,,',
      ].join('\n'),
      { actor: { id: bm.id, roles: ['business_manager'] } },
    );
    expect(p.errors).toEqual([
      {
        line: 2,
        message: 'Only the Headteacher can give or take away the Child Protection Lead role',
      },
      {
        line: 3,
        message:
          'Only the Headteacher can change the account of a Headteacher, Child Protection Lead or Data Protection Officer',
      },
    ]);
    expect(p.changed.map((c) => c.changes)).toEqual([['Roles: Teacher → Office staff, Teacher']]);
  });

  it('refuses unknown roles, blank roles for someone new, another school’s email and self-deactivation', () => {
    const p = plan(
      [
        header,
        'Nia,New,nia@school.test,Caretaker,,,',
        'Ola,Other,ola@other.test,Teacher,,,',
        'Pam,Plain,pam@school.test,,,,',
        'Hana,Head,head@school.test,Headteacher,,,1/12/2026',
      ].join('\n'),
      { elsewhere: new Set(['ola@other.test']) },
    );
    const messages = p.errors.map((e) => `${e.line}: ${e.message}`);
    expect(messages[0]).toMatch(/^2: “Caretaker” is not a role in Lanyard\. Use: Headteacher, /);
    expect(messages).toContain('3: This email address is already used by another Lanyard account');
    expect(messages).toContain('4: Roles is blank: give at least one role, for example Teacher');
    expect(messages).toContain('5: You cannot deactivate your own account');
  });

  it('adds someone who has already left as deactivated, and keeps an active Headteacher', () => {
    const p = plan([header, 'Old,Timer,old@school.test,Teacher,1/9/2010,,31/7/2020'].join('\n'));
    expect(p.added[0]).toMatchObject({ active: false, leaveDate: '2020-07-31' });
    // Without a start date, someone who has left is not given today as one.
    const noStart = plan([header, 'Old,Timer,old@school.test,Teacher,,,31/7/2020'].join('\n'));
    expect(noStart.errors).toEqual([]);
    expect(noStart.added[0]).toMatchObject({ active: false, startDate: null });
    const noHead = plan([header, 'Hana,Head,head@school.test,Teacher,,,'].join('\n'));
    expect(noHead.errors).toEqual([
      {
        line: 2,
        message:
          'The school must keep an active Headteacher: give another member of staff the Headteacher role first',
      },
    ]);
    // Nothing to change: cannot be confirmed.
    const same = plan([header, 'Tom,Teach,tom@school.test,Teacher,,,'].join('\n'));
    expect(same).toMatchObject({ canCommit: false, unchanged: 1, errors: [] });
  });
});
