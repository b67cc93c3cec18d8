import { and, asc, eq, ne, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { staff, staffRoles } from './people.tables.ts';
import type { ExistingStaff } from './staff-import.plan.ts';

/** The staff import's reads and writes (staff-import.kind.ts), inside its transaction when applying. */
export class StaffImportRepository {
  /** Every member of staff of the school, active or not, with their roles. Two statements. */
  async loadStaff(db: Db, schoolId: string): Promise<ExistingStaff[]> {
    const rows = await db
      .select({
        id: staff.id,
        email: staff.email,
        givenName: staff.givenName,
        familyName: staff.familyName,
        jobTitle: staff.jobTitle,
        startDate: staff.startDate,
        leaveDate: staff.leaveDate,
        active: staff.active,
        lineManagerId: staff.lineManagerId,
      })
      .from(staff)
      .where(eq(staff.schoolId, schoolId))
      .orderBy(asc(staff.id));
    const roles = await db
      .select({ staffId: staffRoles.staffId, role: staffRoles.role })
      .from(staffRoles)
      .where(eq(staffRoles.schoolId, schoolId));
    const byStaff = new Map<string, string[]>();
    for (const r of roles) byStaff.set(r.staffId, [...(byStaff.get(r.staffId) ?? []), r.role]);
    return rows.map((r) => ({ ...r, roles: (byStaff.get(r.id) ?? []).sort() }));
  }

  /** Which of these emails are accounts of another school (an email is one account in Lanyard). */
  async emailsElsewhere(db: Db, schoolId: string, emails: string[]): Promise<Set<string>> {
    if (emails.length === 0) return new Set();
    const rows = await db
      .select({ email: sql<string>`lower(${staff.email})` })
      .from(staff)
      .where(
        and(
          ne(staff.schoolId, schoolId),
          sql`lower(${staff.email}) IN (SELECT jsonb_array_elements_text(${JSON.stringify(emails)}::jsonb))`,
        ),
      );
    return new Set(rows.map((r) => r.email));
  }

  async insertStaff(
    db: Db,
    values: typeof staff.$inferInsert & { schoolId: string },
    roles: readonly string[],
  ): Promise<string> {
    const [row] = await db.insert(staff).values(values).returning({ id: staff.id });
    if (roles.length) {
      await db
        .insert(staffRoles)
        .values(roles.map((role) => ({ schoolId: values.schoolId, staffId: row!.id, role })));
    }
    return row!.id;
  }

  async updateStaff(
    db: Db,
    schoolId: string,
    id: string,
    values: {
      givenName: string;
      familyName: string;
      jobTitle: string | null;
      startDate: string | null;
      leaveDate: string | null;
      active: boolean;
      updatedAt: Date;
    },
  ): Promise<void> {
    await db
      .update(staff)
      .set(values)
      .where(and(eq(staff.schoolId, schoolId), eq(staff.id, id)));
  }

  async setRoles(db: Db, schoolId: string, id: string, roles: readonly string[]): Promise<void> {
    await db
      .delete(staffRoles)
      .where(and(eq(staffRoles.schoolId, schoolId), eq(staffRoles.staffId, id)));
    if (roles.length) {
      await db.insert(staffRoles).values(roles.map((role) => ({ schoolId, staffId: id, role })));
    }
  }

  async setLineManager(
    db: Db,
    schoolId: string,
    id: string,
    managerId: string | null,
    now: Date,
  ): Promise<void> {
    await db
      .update(staff)
      .set({ lineManagerId: managerId, updatedAt: now })
      .where(and(eq(staff.schoolId, schoolId), eq(staff.id, id)));
  }
}
