import type { Services } from '../container.ts';
import { ukDate } from '../platform/clock.ts';
import type { Principal, StaffPrincipal, StaffRole } from '../modules/auth/index.ts';
import type { ReportInput } from '../modules/incidents/incidents.forms.ts';

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;

/**
 * A term of incidents at Oakfield (issue 14 item 11; docs/incidents.md), made through the
 * incidents, letters and guidance services as staff, a parent and the DSL would, so the
 * chronologies, case rows, audit log and letters are what the app itself writes. The services'
 * clock is moved back to each moment of the autumn term 2026 and restored afterwards (as the
 * publishing demo does); if the demo is seeded before a moment has come, the whole term is
 * shifted back so every time is in the past and the order is kept; if it is seeded a week or more
 * after the term's last moment, the term is moved on by whole weeks to end in the past week.
 *
 * - INC-0001 a parent's defamatory Facebook post, worked up the school's ladder: evidence kept,
 *   a meeting invitation, the meeting with the teacher, removal asked, reported to Facebook, a
 *   warning letter (emailed as a PDF), closed when the post came down;
 * - INC-0002 an anonymous Instagram account mocking a teacher: the victim's wishes and the
 *   school's police decision recorded; the removal step overdue;
 * - INC-0003 pupil-on-pupil unkindness in a WhatsApp group, assigned to the class teacher and
 *   closed under the anti-bullying policy with its outcome;
 * - INC-0004 a violent video reached on a classroom iPad, assigned to the ICT Technician, the
 *   block overdue;
 * - INC-0005 a pupil's follow request to a teaching assistant, the report to the Headteacher overdue;
 * - INC-0006 a suspected nude image of a pupil: the referral only, no file, no description, the
 *   DSL's task waiting;
 * - INC-0007 a parent's report through their sign-in link, new and not yet classified.
 *
 * The school's own guidance page for Facebook (the Headteacher's wording) is saved too.
 */
/** The replayed term's last moment (a parent's report, the evening of Thursday 3 December). */
export const TERM_LAST_MOMENT = new Date('2026-12-03T20:15:00Z');

/**
 * How far back (milliseconds; negative: on) the replayed term is moved for a demo seeded `now`.
 * Seeded before its last moment (within the hour): back, so that it has all happened. Seeded a
 * week or more after it: on by whole weeks (weekdays and times of day kept) so that its last
 * moment falls in the past week, and a demo seeded months later shows this term's incidents, not
 * ones months old with their steps months overdue.
 */
export function termShift(now: Date, lastMoment: Date = TERM_LAST_MOMENT): number {
  const behind = now.getTime() - HOUR - lastMoment.getTime();
  return behind < 0 ? -behind : -(Math.floor(behind / WEEK) * WEEK) || 0;
}

export async function seedDemoIncidents(services: Services): Promise<void> {
  const db = services.database.db;
  const directory = services.peopleDirectory;
  const school = await directory.getSchoolBySlug(db, 'oakfield-primary');
  if (!school) return;
  const roster = await directory.staffRoster(db, school.id);
  const as = (role: StaffRole): StaffPrincipal => {
    const s = roster.find((r) => r.roles.includes(role));
    if (!s) throw new Error(`The demo has no ${role}`);
    return {
      kind: 'staff',
      id: s.id,
      schoolId: school.id,
      roles: [role],
      name: `${s.givenName} ${s.familyName}`,
    };
  };
  const head = as('headteacher');
  const dsl = as('dsl');
  const teacher = as('teacher');
  const support = as('support_staff');
  const office = as('office');
  const ict = as('ict_technician');
  const [demoParent] = await directory.findParentsByEmail(db, 'parent@oakfield.example');
  const pupils = await directory.pupilsOnRoll(db, school.id, ukDate(services.clock.now()));
  const year6 = pupils.filter((p) => p.yearGroup === '6' || p.yearGroup === 'Y6');
  const [victim, other] = year6.length >= 2 ? year6 : pupils;

  // The replayed term: every service reads this clock; moved back, then restored.
  const clock = services.clock as { now: () => Date };
  const realNow = clock.now;
  const shift = termShift(realNow(), TERM_LAST_MOMENT);
  /** A moment of the term (UK times in winter are UTC; September and October are UTC+1). */
  const at = (iso: string) => new Date(new Date(iso).getTime() - shift);
  const day = (iso: string) => ukDate(at(`${iso}T12:00:00Z`));
  let offset = 0;
  const setNow = (iso: string) => {
    offset = at(iso).getTime() - realNow().getTime();
    clock.now = () => new Date(realNow().getTime() + offset);
  };
  /** Two minutes on: each action of a sitting gets its own time, so the chronology reads in order. */
  const later = () => {
    offset += 2 * 60_000;
  };

  const incidents = services.incidents;
  const cases = services.incidentCases;
  const letters = services.incidentLetters;
  const report = (over: Partial<ReportInput>): ReportInput => ({
    whatHappened: '',
    platform: undefined,
    url: undefined,
    occurredOn: undefined,
    occurredTime: undefined,
    occurredWhere: undefined,
    reporterConcern: 'no',
    pupils: [],
    pupilPart: undefined,
    staff: [],
    staffPart: undefined,
    named: [],
    ...over,
  });

  try {
    // INC-0001: a parent's defamatory post, up the ladder to a warning letter.
    setNow('2026-09-21T18:40:00Z');
    const post = await incidents.reportConcern(
      office,
      report({
        whatHappened:
          'A parent posted in the “Oakfield Parents” Facebook group that a named Year 4 teacher “picks on” their son and “should not be working with children”. The post has 14 comments, some repeating the accusation. I have not replied.',
        platform: 'facebook',
        url: 'https://www.facebook.com/groups/oakfieldparents/posts/1048813',
        occurredOn: day('2026-09-20'),
        occurredTime: '21:05',
        occurredWhere: 'The “Oakfield Parents” Facebook group (public, about 300 members)',
        staff: [teacher.id],
        staffPart: 'victim',
        named: [{ kind: 'parent', name: 'Mr D Wright', part: 'alleged' }],
      }),
    );
    setNow('2026-09-22T08:10:00Z');
    later();
    await cases.classify(head, post.id, {
      incidentType: 'parent_defamation',
      category: 'conduct',
      risk: 'aggressive',
      safeguarding: 'no',
      reviewBy: day('2026-09-29'),
    });
    setNow('2026-09-22T08:30:00Z');
    later();
    await cases.recordStep(head, post.id, 'keep_evidence', {
      outcome: 'Screenshots of the post and its comments saved, with the date, time and address.',
    });
    setNow('2026-09-22T09:00:00Z');
    later();
    await letters.generate(head, post.id, 'meeting_invitation', {
      recipientName: 'Mr Wright',
      recipientEmail: undefined,
      ask: 'contact the school office to arrange a time to meet this week. You are welcome to bring a friend or family member with you.',
    });
    setNow('2026-09-24T15:45:00Z');
    later();
    await cases.recordStep(head, post.id, 'slt_meeting_with_victim', {
      outcome:
        'I met the teacher, who is upset but wants to carry on as normal. Support from the school’s wellbeing service offered and accepted.',
    });
    later();
    await cases.recordWishes(
      head,
      post.id,
      'The teacher wants the post taken down and an apology; does not want the police involved.',
    );
    setNow('2026-09-29T16:20:00Z');
    later();
    await cases.recordStep(head, post.id, 'request_removal', {
      outcome:
        'Mr Wright did not come to the meeting or reply. The post is still up. A warning letter next.',
      nextStepDue: day('2026-10-06'),
    });
    setNow('2026-09-30T10:05:00Z');
    later();
    await cases.recordStep(head, post.id, 'report_to_provider', {
      outcome:
        'Reported to Facebook from the post’s menu as harassment. Facebook answered that the post does not go against its Community Standards.',
    });
    setNow('2026-10-01T11:30:00Z');
    later();
    await letters.generate(head, post.id, 'parent_warning', {
      recipientName: 'Mr Wright',
      recipientEmail: 'd.wright@example.com',
      ask: undefined,
    });
    setNow('2026-10-05T08:50:00Z');
    later();
    await cases.addNote(
      head,
      post.id,
      'Mr Wright phoned after the letter, apologised and has deleted the post. He will raise concerns with the class teacher in future.',
    );
    setNow('2026-10-06T09:15:00Z');
    later();
    await cases.close(
      head,
      post.id,
      'The post was removed after the warning letter and the parent apologised. No further posts seen.',
    );

    // INC-0002: an anonymous account mocking a teacher; the victim's wishes and the decision.
    setNow('2026-10-07T16:30:00Z');
    const mocking = await incidents.reportConcern(
      teacher,
      report({
        whatHappened:
          'An Instagram account with no name is posting photos of me taken in class, edited with insulting captions. Some Year 6 pupils follow it and have shared the posts.',
        platform: 'instagram',
        url: 'https://www.instagram.com/oakfield.staff.lol/',
        occurredOn: day('2026-10-05'),
        occurredWhere: 'Instagram',
        staff: [teacher.id],
        staffPart: 'victim',
        pupils: victim ? [victim.id] : [],
        pupilPart: 'witness',
      }),
    );
    setNow('2026-10-08T08:00:00Z');
    later();
    await cases.classify(dsl, mocking.id, {
      incidentType: 'staff_cyberbullying',
      category: 'conduct',
      risk: 'aggressive',
      safeguarding: 'no',
    });
    later();
    await cases.recordStep(dsl, mocking.id, 'do_not_retaliate', {
      outcome: 'The teacher has not replied to or followed the account.',
    });
    later();
    await cases.recordStep(dsl, mocking.id, 'report_to_headteacher', {
      outcome: 'The Headteacher told the same morning.',
    });
    setNow('2026-10-08T12:40:00Z');
    later();
    await cases.recordStep(dsl, mocking.id, 'keep_evidence', {
      outcome: 'Screenshots of the account and its eleven posts saved with dates.',
    });
    setNow('2026-10-09T15:30:00Z');
    later();
    await cases.recordStep(head, mocking.id, 'slt_meeting_with_victim', {
      outcome: 'The Headteacher and the DSL met the teacher; a phased return to the class agreed.',
    });
    later();
    await cases.recordWishes(
      head,
      mocking.id,
      'The teacher wants the account closed and the pupils who shared it spoken to. They do not want the police involved unless the posts continue.',
    );
    later();
    await cases.recordPolice(head, mocking.id, {
      decision: 'not_report',
      note: 'In line with the teacher’s wishes; to be looked at again if the posts continue.',
    });
    setNow('2026-11-13T10:00:00Z');
    later();
    await cases.recordStep(head, mocking.id, 'report_to_provider', {
      outcome: 'Reported to Instagram from the profile’s menu (bullying or harassment).',
    });
    later();
    await cases.recordStep(head, mocking.id, 'request_removal', {
      outcome:
        'Parents of the two pupils who shared it asked to help find who runs the account. Check again.',
      nextStepDue: day('2026-11-20'),
    });

    // INC-0003: pupil on pupil in a WhatsApp group, closed under the anti-bullying policy.
    setNow('2026-10-14T15:20:00Z');
    const chat = await incidents.reportConcern(
      support,
      report({
        whatHappened:
          'A Year 6 pupil showed me messages in a class WhatsApp group where two others call her names and left her out of a birthday plan. She was upset at lunch.',
        platform: 'whatsapp',
        occurredOn: day('2026-10-12'),
        occurredWhere: 'A Year 6 WhatsApp group',
        pupils: [victim, other].filter((p) => p !== undefined).map((p) => p.id),
        pupilPart: 'other',
      }),
    );
    setNow('2026-10-15T08:20:00Z');
    later();
    await cases.classify(dsl, chat.id, {
      incidentType: 'pupil_on_pupil',
      category: 'conduct',
      risk: 'aggressive',
      safeguarding: 'no',
      reviewBy: day('2026-10-22'),
    });
    later();
    await cases.assign(dsl, chat.id, [teacher.id]);
    setNow('2026-10-15T12:10:00Z');
    later();
    await cases.recordStep(teacher, chat.id, 'keep_evidence', {
      outcome: 'The pupil’s parent sent screenshots of the messages; added to the case.',
    });
    setNow('2026-10-21T15:40:00Z');
    later();
    await cases.recordStep(teacher, chat.id, 'anti_bullying_policy', {
      outcome:
        'Both families met under the anti-bullying policy; a restorative conversation between the pupils; the group’s admin (a parent) removed the messages.',
    });
    setNow('2026-11-04T16:00:00Z');
    later();
    await cases.close(
      dsl,
      chat.id,
      'Resolved under the anti-bullying policy. No repeat in two weeks; the pupil says things are better.',
    );

    // INC-0004: a violent video on a classroom iPad; the block is overdue.
    setNow('2026-11-03T10:25:00Z');
    const video = await incidents.reportConcern(
      teacher,
      report({
        whatHappened:
          'During a research task a Year 5 pupil reached a violent video through a link in a search result on a classroom iPad. I closed it; the pupil told me straight away.',
        platform: 'youtube',
        occurredOn: day('2026-11-03'),
        occurredTime: '10:05',
        occurredWhere: 'Year 5 classroom, iPad OAK-IPAD-03',
      }),
    );
    setNow('2026-11-03T13:00:00Z');
    later();
    await cases.classify(dsl, video.id, {
      incidentType: 'inappropriate_content',
      category: 'content',
      risk: 'aggressive',
      safeguarding: 'no',
    });
    later();
    await cases.assign(dsl, video.id, [ict.id]);
    later();
    await cases.recordStep(dsl, video.id, 'report_to_teacher', {
      outcome: 'The pupil told the class teacher at once and was praised for it.',
    });
    later();
    await cases.recordStep(dsl, video.id, 'report_to_headteacher', {
      outcome: 'The Headteacher told; parents informed at home time.',
      nextStepDue: day('2026-11-10'),
    });

    // INC-0005: a follow request to a teaching assistant; telling the Headteacher is overdue.
    setNow('2026-11-17T19:30:00Z');
    const follow = await incidents.reportConcern(
      support,
      report({
        whatHappened:
          'A Year 6 pupil sent a follow request to my personal Instagram account this evening.',
        platform: 'instagram',
        occurredOn: day('2026-11-17'),
        pupils: victim ? [victim.id] : [],
        pupilPart: 'other',
      }),
    );
    setNow('2026-11-18T08:30:00Z');
    later();
    await cases.classify(dsl, follow.id, {
      incidentType: 'friend_request',
      category: 'contact',
      risk: 'values',
      safeguarding: 'no',
    });
    later();
    await cases.assign(dsl, follow.id, [support.id]);
    later();
    await cases.recordStep(support, follow.id, 'decline', {
      outcome: 'Request declined; account set to private.',
      nextStepDue: day('2026-11-24'),
    });

    // INC-0006: a suspected nude image: the referral only, never a file.
    setNow('2026-11-25T11:45:00Z');
    await incidents.reportIndecentImage(teacher, { adultInvolved: 'not_sure', understood: 'yes' });

    // INC-0007: a parent's report through their link, new.
    if (demoParent) {
      const parent: Principal = {
        kind: 'parent',
        id: demoParent.id,
        schoolId: school.id,
        name: `${demoParent.givenName} ${demoParent.familyName}`,
      };
      setNow('2026-12-03T20:15:00Z');
      await incidents.reportConcern(
        parent,
        report({
          whatHappened:
            'A TikTok video of the school play rehearsal is going round, posted by another parent. You can see my daughter’s face and her name is in the caption. We did not agree to this.',
          platform: 'tiktok',
          url: 'https://www.tiktok.com/@oakfieldmum/video/7443',
          occurredOn: day('2026-12-02'),
          occurredWhere: 'TikTok',
        }),
      );
    }

    // The school's own words for Facebook (the Headteacher checked them this term).
    setNow('2026-10-02T09:00:00Z');
    await services.incidentGuidance.update(head, 'facebook', {
      summary:
        'Most posts about Oakfield are in the “Oakfield Parents” group. Its admins are parents and will usually take a post down if asked.',
      steps: [
        'Take screenshots showing the post, the name, the date and the address, and add them to the report in Lanyard.',
        'Do not reply, comment or react to the post.',
        'Select the three dots (…) beside the post and choose the option to report it; pick “bullying or harassment” if it names a member of staff or a pupil.',
        'Ask the group’s admins, through the group’s “Admin assist” or a message, to remove the post.',
        'Tell the Headteacher the same day; the Headteacher decides on a letter.',
      ],
      links: [
        {
          text: 'Facebook Help Centre: how to report things',
          url: 'https://www.facebook.com/help/1753719584844061',
        },
      ],
      note: 'Our parents’ group and who to tell, after INC-0001.',
    });
  } finally {
    clock.now = realNow;
  }
}
