import { eq } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { schools } from './people.tables.ts';
import type { SchoolContactsInput } from './school-details.forms.ts';

/** The school record's own contact details. */
export class SchoolDetailsRepository {
  async contacts(
    db: Db,
    schoolId: string,
  ): Promise<(SchoolContactsInput & { name: string }) | undefined> {
    const rows = await db
      .select({
        name: schools.name,
        phone: schools.phone,
        email: schools.email,
        address: schools.address,
        postcode: schools.postcode,
      })
      .from(schools)
      .where(eq(schools.id, schoolId))
      .limit(1);
    return rows[0];
  }

  async setContacts(db: Db, schoolId: string, values: SchoolContactsInput): Promise<void> {
    await db.update(schools).set(values).where(eq(schools.id, schoolId));
  }
}
