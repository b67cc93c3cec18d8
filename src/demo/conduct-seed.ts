import type { Services } from '../container.ts';
import { ukDate } from '../platform/clock.ts';
import { addDays } from '../modules/policies/index.ts';
import type { StaffPrincipal, StaffRole } from '../modules/auth/index.ts';

/**
 * Oakfield's own rule for requests to use its name or logo, a school decision on top of its
 * template (which, like its seed 003, asks only the Headteacher): the ICT Technician checks the
 * website or social media account the logo will appear on before the Headteacher decides. Saved
 * by the Headteacher as a minor version (it changes who checks a request, not what staff must do,
 * so nobody is asked to acknowledge it), before the policy review's new version
 * (src/demo/policy-lifecycle-seed.ts), whose version stays the current one.
 */
export async function seedDemoConductRules(services: Services): Promise<void> {
  const db = services.database.db;
  const school = await services.peopleDirectory.getSchoolBySlug(db, 'oakfield-primary');
  if (!school || !(await services.policies.hasProfile(school.id))) return;
  const roster = await services.peopleDirectory.staffRoster(db, school.id);
  const head = roster.find((s) => s.roles.includes('headteacher'));
  if (!head) return;
  const current = await services.policies.current(school.id);
  const logo = current.settings.conduct.permissionTypes.logo_use.value;
  if (logo.ictSignOff) return;
  await services.policies.saveSettings(
    school.id,
    { kind: 'staff', id: head.id },
    {
      values: { 'conduct.permissionTypes.logo_use': { ...logo, ictSignOff: true } },
      note: 'Requests to use the school’s name or logo are now mostly for websites and social media pages: the ICT Technician checks the page or account is secure and run by the school before the Headteacher decides.',
      expectedVersion: current.version,
      substantive: false,
    },
  );
}

/**
 * Oakfield's conduct records (docs/conduct.md), made through the services as staff would: two
 * declarations (a parent's friend request the Headteacher has answered, and a teaching
 * assistant's social contact with a family waiting to be read); a logo request waiting for the
 * ICT Technician's sign-off (Oakfield's own rule, `seedDemoConductRules`) and a network social
 * media request the ICT Technician has signed off, waiting for the Headteacher; a granted
 * permission to post reminders for parents; and filtering records whose termly check is now due.
 */
export async function seedDemoConduct(services: Services): Promise<void> {
  const db = services.database.db;
  const school = await services.peopleDirectory.getSchoolBySlug(db, 'oakfield-primary');
  if (!school) return;
  const roster = await services.peopleDirectory.staffRoster(db, school.id);
  const as = (role: StaffRole): StaffPrincipal => {
    const s = roster.find((r) => r.roles.includes(role))!;
    return { kind: 'staff', id: s.id, schoolId: school.id, roles: [role], name: role };
  };
  const head = as('headteacher');
  const teacher = as('teacher');
  const ict = as('ict_technician');
  const today = ukDate(services.clock.now());
  const [parent] = await services.peopleDirectory.parentRoster(db, school.id);
  const [pupil] = await services.peopleDirectory.pupilsOnRoll(db, school.id, today);

  // Declarations: one answered, one waiting.
  const declarations = services.conductDeclarations;
  if (parent) {
    const request = await declarations.declare(teacher, {
      kind: 'friend_request',
      value: {
        platform: 'Facebook',
        from: 'parent',
        pupilId: undefined,
        parentId: parent.id,
        exPupilName: '',
        actionTaken: 'declined',
        details: 'A friend request to my personal account after parents’ evening.',
      },
    });
    await declarations.review(
      head,
      request.id,
      'Thank you for telling me. Declining was right; if it happens again, let me know and I will speak to the parent.',
    );
  }
  if (pupil) {
    await declarations.declare(as('support_staff'), {
      kind: 'social_contact',
      value: {
        pupilId: pupil.id,
        details: 'The pupil’s mother is my cousin; we see each other at family events.',
      },
    });
  }

  // Permissions: the logo waits for the ICT Technician; network social media, signed off by the
  // ICT Technician, for the Head.
  const permissions = services.conductPermissions;
  const network = await permissions.request(teacher, {
    type: 'school_network_social_media',
    reason: 'To show Year 4 our class Bluesky account on the classroom laptop.',
  });
  await permissions.decide(
    ict,
    network.id,
    'signed_off',
    'The classroom laptop’s filtering profile allows Bluesky for staff logins only; monitoring stays on.',
  );
  await permissions.request(as('business_manager'), {
    type: 'logo_use',
    reason:
      'The school logo on the summer fair page of the PTA’s website and its online ticket shop.',
  });
  const reminder = await permissions.request(teacher, {
    type: 'reminder_post',
    reason: 'Reminders to return the Year 4 trip slips.',
  });
  await permissions.decide(head, reminder.id, 'granted', '');

  // Filtering: the provision, last year's review, and a check more than a term ago (now due).
  const filtering = services.conductFiltering;
  await filtering.recordProvision(ict, {
    filteringProvider: 'LGfL WebScreen 3',
    monitoringProvider: 'Senso (classroom devices) and weekly log review',
    blockedCategories: [
      'Child sexual abuse material (IWF list)',
      'Terrorism and extremism (Counter-Terrorism Internet Referral Unit list)',
      'Pornography',
      'Self-harm and suicide',
      'Gambling',
      'Malware and hacking',
    ],
    alertRecipients: 'The Designated Safeguarding Lead and the Headteacher',
    notes: '',
  });
  await filtering.addCheck(ict, {
    kind: 'review',
    checkedOn: addDays(today, -300),
    outcome: 'working',
    findings:
      'Reviewed with the DSL and a governor: the provision meets the DfE standards; alerts reach the DSL within minutes.',
    actions: 'Add the new Year 6 tablets to monitoring.',
  });
  await filtering.addCheck(ict, {
    kind: 'check',
    checkedOn: addDays(today, -120),
    outcome: 'problems_found',
    findings:
      'Test pages were blocked on staff and pupil logins; one Year 6 tablet was not in monitoring.',
    actions: 'Enrolled the tablet; checked again the same day.',
  });
}
