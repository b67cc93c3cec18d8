/**
 * What a staff list would do to the school's staff (the staff import's preview, and again when it
 * is applied): who is added, who changes and how (in words), and every row's problems with its row
 * number. Pure: the school's staff, the emails other schools use, the role titles, today and who
 * is importing come in; nothing is read or written here.
 *
 * - A row whose email is a member of staff of the school updates them; any other row adds one.
 *   Nobody is deleted, and a blank optional cell (roles, start date, line manager, leave date, job
 *   title) leaves what is recorded for someone already there.
 * - Roles are the school's own titles (`people.roleTitles`) or Lanyard's names; the importer may
 *   give or take away only the roles they could on the staff page.
 * - A line manager is given by email: a member of staff already in Lanyard or another row of the
 *   file (even a later one). They must be a current member of staff after the import, and nobody
 *   may end up reporting to themself through a loop.
 * - A leave date follows the staff page's rules (staff-leave.ts).
 */
import { roleLabels, type StaffPrincipal, type StaffRole } from '../auth/index.ts';
import { formatDateInWords } from '../../web/dates.ts';
import { canChangeStaffMember, canGrantRole } from './people.policy.ts';
import { resolveLeave } from './staff-leave.ts';
import { readRoles, type RowProblem, type StaffImportLine } from './staff-import.parse.ts';

export interface ExistingStaff {
  id: string;
  email: string;
  givenName: string;
  familyName: string;
  jobTitle: string | null;
  roles: string[];
  startDate: string | null;
  leaveDate: string | null;
  active: boolean;
  lineManagerId: string | null;
}

/** A new member of staff, as the preview shows and the apply writes them. */
export interface StaffToAdd {
  line: number;
  email: string;
  givenName: string;
  familyName: string;
  jobTitle: string | null;
  roles: StaffRole[];
  startDate: string | null;
  leaveDate: string | null;
  active: boolean;
  lineManagerEmail: string | null;
  /** In words, for the page. */
  rolesText: string;
  lineManagerName: string | null;
}

/** A change to someone already recorded. */
export interface StaffToChange {
  line: number;
  staffId: string;
  email: string;
  name: string;
  values: {
    givenName: string;
    familyName: string;
    jobTitle: string | null;
    startDate: string | null;
    leaveDate: string | null;
    active: boolean;
  };
  roles: StaffRole[];
  rolesAdded: string[];
  rolesRemoved: string[];
  /** The fields that change (`givenName`, `roles`, `lineManagerId`, `leaveDate`…), for the audit. */
  changed: string[];
  /** Undefined: unchanged. Null: none. */
  lineManagerEmail: string | null | undefined;
  /** Each change in words ("Roles: Teacher → Teacher, Designated Safeguarding Lead"). */
  changes: string[];
}

export interface StaffImportPreview {
  canCommit: boolean;
  totalRows: number;
  added: StaffToAdd[];
  changed: StaffToChange[];
  unchanged: number;
  errors: RowProblem[];
}

export interface StaffImportSummary {
  added: number;
  changed: number;
  deactivated: number;
  invited: number;
  durationMs: number;
}

export interface StaffPlanInput {
  lines: StaffImportLine[];
  parseErrors: RowProblem[];
  total: number;
  existing: ExistingStaff[];
  /** Emails of the file that are Lanyard accounts of another school. */
  elsewhere: ReadonlySet<string>;
  /** The school's own role titles (`people.roleTitles`), or null. */
  titles: Readonly<Partial<Record<string, string>>> | null;
  today: string;
  /** Who imports (their roles decide what they may give); null: the system, which may do all. */
  actor: { id: string; roles: readonly string[] } | null;
}

const sameRoles = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().every((r, i) => r === [...b].sort()[i]);

export function planStaffImport(input: StaffPlanInput): StaffImportPreview {
  const { lines, existing, elsewhere, today, actor } = input;
  const t: Record<string, string> = { ...roleLabels, ...(input.titles ?? {}) };
  const rolesText = (roles: readonly string[]) =>
    roles.length ? [...roles].map((r) => t[r] ?? r).join(', ') : 'none';
  const principal: StaffPrincipal | null = actor
    ? ({ kind: 'staff', id: actor.id, roles: actor.roles } as unknown as StaffPrincipal)
    : null;
  const errors: RowProblem[] = [...input.parseErrors];
  const problem = (line: number, message: string) => errors.push({ line, message });
  const byEmail = new Map(existing.map((s) => [s.email.toLowerCase(), s]));
  const byId = new Map(existing.map((s) => [s.id, s]));
  const added: StaffToAdd[] = [];
  const changed: StaffToChange[] = [];
  let unchanged = 0;
  /** Everyone's state after the import, by email: active, name, roles, manager's email. */
  const after = new Map<
    string,
    { active: boolean; name: string; roles: readonly string[]; manager: string | null }
  >();
  for (const s of existing) {
    after.set(s.email.toLowerCase(), {
      active: s.active,
      name: `${s.givenName} ${s.familyName}`,
      roles: s.roles,
      manager: s.lineManagerId ? (byId.get(s.lineManagerId)?.email.toLowerCase() ?? null) : null,
    });
  }
  /** Rows that set a line manager (checked once everyone's state after the import is known). */
  const managed: { line: number; email: string; manager: string }[] = [];
  const failed = new Set<number>();
  const protectedAccount = `Only the ${t.headteacher} can change the account of a ${t.headteacher}, ${t.dsl} or ${t.dpo}`;

  for (const l of lines) {
    const old = byEmail.get(l.email);
    const rowErrors: string[] = [];
    if (!old && elsewhere.has(l.email)) {
      rowErrors.push('This email address is already used by another Lanyard account');
    }
    let roles: StaffRole[] | null = null;
    if (l.roleNames.length) {
      const read = readRoles(l.roleNames, input.titles);
      if ('unknown' in read) {
        rowErrors.push(
          `${read.unknown.map((n) => `“${n}”`).join(', ')} ${read.unknown.length === 1 ? 'is not a role' : 'are not roles'} in Lanyard. Use: ${Object.keys(
            roleLabels,
          )
            .map((r) => t[r])
            .join(', ')}`,
        );
      } else roles = read.roles;
    } else if (!old) {
      rowErrors.push(`Roles is blank: give at least one role, for example ${t.teacher}`);
    }
    const finalRoles: StaffRole[] = roles ?? ((old?.roles ?? []) as StaffRole[]);
    const rolesAdded = finalRoles.filter((r) => !(old?.roles ?? []).includes(r));
    const rolesRemoved = (old?.roles ?? []).filter((r) => !finalRoles.includes(r as StaffRole));
    if (principal) {
      if (old && !canChangeStaffMember(principal, old)) rowErrors.push(protectedAccount);
      else {
        const refused = [...rolesAdded, ...rolesRemoved].find(
          (r) => !canGrantRole(principal, r as StaffRole),
        );
        if (refused) {
          rowErrors.push(`Only the ${t.headteacher} can give or take away the ${t[refused]} role`);
        }
      }
    }
    const startDate = l.startDate ?? old?.startDate ?? null;
    const leave = resolveLeave({
      today,
      // Someone new without a start date starts today, unless the file says they have left.
      startDate,
      old: old
        ? { active: old.active, leaveDate: old.leaveDate }
        : { active: true, leaveDate: null },
      leaveDate: l.leaveDate ?? undefined,
    });
    if (!leave.ok) rowErrors.push(leave.message);
    if (leave.ok && old?.active && !leave.active && actor && old.id === actor.id) {
      rowErrors.push('You cannot deactivate your own account');
    }
    if (rowErrors.length) {
      for (const m of rowErrors) problem(l.line, m);
      failed.add(l.line);
      continue;
    }
    const active = leave.ok ? leave.active : true;
    const leaveDate = leave.ok ? leave.leaveDate : null;
    after.set(l.email, {
      active,
      name: `${l.givenName} ${l.familyName}`,
      roles: finalRoles,
      manager: l.lineManagerEmail ?? after.get(l.email)?.manager ?? null,
    });
    if (l.lineManagerEmail)
      managed.push({ line: l.line, email: l.email, manager: l.lineManagerEmail });
    if (!old) {
      added.push({
        line: l.line,
        email: l.email,
        givenName: l.givenName,
        familyName: l.familyName,
        jobTitle: l.jobTitle ?? null,
        roles: finalRoles,
        startDate: l.startDate ?? (leaveDate !== null && leaveDate <= today ? null : today),
        leaveDate,
        active,
        lineManagerEmail: l.lineManagerEmail,
        rolesText: rolesText(finalRoles),
        lineManagerName: null,
      });
      continue;
    }
    const values = {
      givenName: l.givenName,
      familyName: l.familyName,
      jobTitle: l.jobTitle !== undefined ? l.jobTitle : old.jobTitle,
      startDate,
      leaveDate,
      active,
    };
    const oldManager = old.lineManagerId
      ? (byId.get(old.lineManagerId)?.email.toLowerCase() ?? null)
      : null;
    const managerChanges = l.lineManagerEmail !== null && l.lineManagerEmail !== oldManager;
    const words: string[] = [];
    const fields: string[] = [];
    const oldName = `${old.givenName} ${old.familyName}`;
    if (values.givenName !== old.givenName) fields.push('givenName');
    if (values.familyName !== old.familyName) fields.push('familyName');
    if (fields.length) words.push(`Name: ${oldName} → ${l.givenName} ${l.familyName}`);
    if (values.jobTitle !== old.jobTitle) {
      fields.push('jobTitle');
      words.push(`Job title: ${old.jobTitle ?? 'none'} → ${values.jobTitle ?? 'none'}`);
    }
    if (!sameRoles(finalRoles, old.roles)) {
      fields.push('roles');
      words.push(`Roles: ${rolesText(old.roles)} → ${rolesText(finalRoles)}`);
    }
    if (values.startDate !== old.startDate) {
      fields.push('startDate');
      words.push(
        `Start date: ${old.startDate ? formatDateInWords(old.startDate) : 'not recorded'} → ${formatDateInWords(values.startDate)}`,
      );
    }
    if (managerChanges) fields.push('lineManagerId');
    if (values.leaveDate !== old.leaveDate) {
      fields.push('leaveDate');
      words.push(
        `Leave date: ${old.leaveDate ? formatDateInWords(old.leaveDate) : 'none'} → ${formatDateInWords(values.leaveDate)} (${values.active ? 'they can sign in until then' : 'their account is deactivated'})`,
      );
    }
    if (fields.length === 0) {
      unchanged += 1;
      continue;
    }
    changed.push({
      line: l.line,
      staffId: old.id,
      email: l.email,
      name: `${l.givenName} ${l.familyName}`,
      values,
      roles: finalRoles,
      rolesAdded,
      rolesRemoved,
      changed: fields.filter((f) => f !== 'roles'),
      lineManagerEmail: managerChanges ? l.lineManagerEmail : undefined,
      changes: words,
    });
  }

  // Line managers, once everyone's state after the import is known.
  for (const m of managed) {
    if (failed.has(m.line)) continue;
    const target = after.get(m.manager);
    if (!target) {
      problem(
        m.line,
        `Line manager: nobody in Lanyard or in this file has the email address ${m.manager}. Add them to the file or to Lanyard first`,
      );
      failed.add(m.line);
      continue;
    }
    if (!target.active) {
      problem(
        m.line,
        `Line manager: ${target.name} is not a current member of staff (their account is deactivated, or their leave date has come)`,
      );
      failed.add(m.line);
      continue;
    }
    // Up the chain from their new manager: reaching them again is a loop.
    const path = [m.email];
    let loop = false;
    for (let at: string | null = m.manager; at; at = after.get(at)?.manager ?? null) {
      if (at === m.email) {
        loop = true;
        break;
      }
      if (path.includes(at)) break; // a loop above them, reported on its own rows
      path.push(at);
    }
    if (loop) {
      const names = path.map((e) => after.get(e)?.name ?? e);
      const chain = names
        .map((n, i) => `${n} reports to ${names[(i + 1) % names.length]}`)
        .join(', ');
      problem(
        m.line,
        `Line manager: this makes a loop, where nobody has a manager above them (${chain})`,
      );
      failed.add(m.line);
    }
  }
  // Names of the line managers, for the page.
  for (const a of added) {
    if (a.lineManagerEmail) a.lineManagerName = after.get(a.lineManagerEmail)?.name ?? null;
  }
  for (const c of changed) {
    if (c.lineManagerEmail === undefined) continue;
    const old = byId.get(c.staffId)!;
    const from = old.lineManagerId ? byId.get(old.lineManagerId) : undefined;
    c.changes.push(
      `Line manager: ${from ? `${from.givenName} ${from.familyName}` : 'none'} → ${c.lineManagerEmail ? (after.get(c.lineManagerEmail)?.name ?? c.lineManagerEmail) : 'none'}`,
    );
  }

  // The school keeps an active Headteacher.
  const heads = [...after.values()].filter((s) => s.active && s.roles.includes('headteacher'));
  const hadHead = existing.some((s) => s.active && s.roles.includes('headteacher'));
  if (hadHead && heads.length === 0) {
    for (const c of changed) {
      const old = byId.get(c.staffId)!;
      if (old.active && old.roles.includes('headteacher')) {
        problem(
          c.line,
          `The school must keep an active ${t.headteacher}: give another member of staff the ${t.headteacher} role first`,
        );
      }
    }
  }
  errors.sort((a, b) => a.line - b.line);
  const failedAfter = new Set(errors.map((e) => e.line));
  const keptAdded = added.filter((a) => !failedAfter.has(a.line));
  const keptChanged = changed.filter((c) => !failedAfter.has(c.line));
  return {
    canCommit: errors.length === 0 && keptAdded.length + keptChanged.length > 0,
    totalRows: input.total,
    added: keptAdded,
    changed: keptChanged,
    unchanged,
    errors,
  };
}
