/**
 * The daily reminders: each member of staff whose training is overdue is emailed once per due
 * date, and their line manager (or, without one, the holders of the profile's
 * `training.overdueReminderRole`) one email a day listing every overdue item.
 */
import { formatDateInWords } from '../../web/dates.ts';
import { kindLabel, type KindStatus, type TrainingSessionKey } from './training-status.ts';
import { TrainingPart, type PersonTraining, type TrainingDeps } from './training-shared.ts';
import type { TrainingReports } from './training-report.service.ts';

export class TrainingReminders extends TrainingPart {
  constructor(
    deps: TrainingDeps,
    private readonly reports: TrainingReports,
  ) {
    super(deps);
  }

  /**
   * Emails each member of staff whose training of a kind is overdue (once per due date), and
   * their line manager: one email a day per manager listing every overdue report. Staff with no
   * line manager recorded (or whose manager has left) go to the holders of the profile's
   * `training.overdueReminderRole` instead, in the same one email per person (docs/training.md).
   */
  async sendReminders(onlySchoolId?: string): Promise<{ people: number; managers: number }> {
    const { database, people, repository, mailer, clock, baseUrl, policies } = this.deps;
    const schools = onlySchoolId
      ? [await people.getSchool(database.db, onlySchoolId)].filter((s) => !!s)
      : await people.listSchools(database.db);
    let sentPeople = 0;
    let sentManagers = 0;
    for (const school of schools) {
      const current = await policies.currentOrNull(school.id);
      if (!current) continue;
      const report = await this.reports.status(school.id);
      const overdue: OverdueItem[] = [];
      for (const person of report.people) {
        for (const kind of report.kinds) {
          const s = person.kinds[kind];
          if (s?.state === 'overdue') overdue.push({ person, kind, status: s });
        }
      }
      for (const o of overdue) {
        const claimed = await repository.claimReminder(database.db, {
          schoolId: school.id,
          staffId: o.person.staffId,
          kind: o.kind,
          dueOn: o.status.dueOn ?? report.today,
          recipient: 'person',
          sentAt: clock.now(),
        });
        if (!claimed) continue;
        await mailer.send({
          to: o.person.email,
          subject: `Your ${kindLabel(o.kind).toLowerCase()} is overdue`,
          text: [
            `Dear ${o.person.name},`,
            '',
            `Your ${kindLabel(o.kind).toLowerCase()} was due on ${formatDateInWords(o.status.dueOn ?? report.today)}.`,
            o.status.dueAgain
              ? o.status.dueAgain.reason === 'policy_version'
                ? 'It is due again because the school’s social media policy has changed.'
                : 'It is due again after a significant incident.'
              : '',
            `Look for a session on ${baseUrl}/training and speak to whoever runs training at ${school.name}.`,
          ]
            .filter((l) => l !== '')
            .join('\n'),
        });
        sentPeople += 1;
      }
      if (overdue.length === 0) continue;
      const fallbackRole = current.settings.training.overdueReminderRole.value;
      const recipients = await this.managerSummaries(school.id, overdue, fallbackRole);
      const roleTitle = current.settings.people.roleTitles.value[fallbackRole];
      for (const r of recipients.values()) {
        const claimed = await repository.claimReminder(database.db, {
          schoolId: school.id,
          staffId: r.manager.id,
          kind: 'summary',
          dueOn: report.today,
          recipient: 'manager',
          sentAt: clock.now(),
        });
        if (!claimed) continue;
        const line = (o: OverdueItem) =>
          `- ${o.person.name}: ${kindLabel(o.kind)}, due ${formatDateInWords(o.status.dueOn ?? report.today)}`;
        const count = r.reports.length + r.unmanaged.length;
        await mailer.send({
          to: r.manager.email,
          subject: `${count} overdue training ${count === 1 ? 'item' : 'items'} at ${school.name}`,
          text: [
            `Dear ${r.manager.givenName},`,
            ...(r.reports.length
              ? ['', 'People you line-manage are overdue for training:', ...r.reports.map(line)]
              : []),
            ...(r.unmanaged.length
              ? [
                  '',
                  `These members of staff have no line manager recorded, so the school’s policy asks the ${roleTitle} to be told:`,
                  ...r.unmanaged.map(line),
                ]
              : []),
            '',
            `See everyone’s training: ${baseUrl}/training/status`,
          ].join('\n'),
        });
        sentManagers += 1;
      }
    }
    return { people: sentPeople, managers: sentManagers };
  }

  /**
   * Who is told of these overdue items, one entry per person told: each item goes to the
   * person's line manager (an active member of staff of the school), or, without one, to every
   * holder of `fallbackRole` but the person themself. Two statements (roster, role holders).
   */
  private async managerSummaries(
    schoolId: string,
    overdue: readonly OverdueItem[],
    fallbackRole: string,
  ): Promise<Map<string, ManagerSummary>> {
    const { database, people } = this.deps;
    const [roster, fallback] = await Promise.all([
      people.staffRoster(database.db, schoolId),
      people.staffWithRole(database.db, schoolId, fallbackRole),
    ]);
    const byId = new Map(roster.map((s) => [s.id, s]));
    const out = new Map<string, ManagerSummary>();
    const entry = (m: { id: string; email: string; givenName: string }) => {
      let e = out.get(m.id);
      if (!e) {
        e = {
          manager: { id: m.id, email: m.email, givenName: m.givenName },
          reports: [],
          unmanaged: [],
        };
        out.set(m.id, e);
      }
      return e;
    };
    for (const o of overdue) {
      const managerId = byId.get(o.person.staffId)?.lineManagerId ?? null;
      const manager = managerId ? byId.get(managerId) : undefined;
      if (manager) {
        entry(manager).reports.push(o);
        continue;
      }
      for (const f of fallback) if (f.id !== o.person.staffId) entry(f).unmanaged.push(o);
    }
    return out;
  }
}

interface OverdueItem {
  person: PersonTraining;
  kind: TrainingSessionKey;
  status: KindStatus;
}

interface ManagerSummary {
  manager: { id: string; email: string; givenName: string };
  /** Overdue items of the people they line-manage. */
  reports: OverdueItem[];
  /** Overdue items of staff with no line manager (they hold the profile's role). */
  unmanaged: OverdueItem[];
}
