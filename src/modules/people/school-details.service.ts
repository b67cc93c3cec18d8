import type { Database } from '../../platform/db/database.ts';
import type { Actor, AuditService } from '../audit/index.ts';
import { NotFoundError } from '../../errors.ts';
import type { SchoolDetailsRepository } from './school-details.repository.ts';
import type { SchoolContactsInput } from './school-details.forms.ts';

export type SchoolContacts = SchoolContactsInput & { name: string };

/**
 * The school's own published contact details (office phone, email, address, postcode). The
 * Headteacher keeps them on the School details page; the publishing checks read them so that the
 * school's own office number or address in a post is not flagged as a personal detail.
 */
export class SchoolDetailsService {
  constructor(
    private readonly deps: {
      database: Database;
      repository: SchoolDetailsRepository;
      audit: AuditService;
    },
  ) {}

  async contacts(schoolId: string): Promise<SchoolContacts> {
    const row = await this.deps.repository.contacts(this.deps.database.db, schoolId);
    if (!row) throw new NotFoundError();
    return row;
  }

  /** Saves the details and audits which fields changed (not their values: they are public). */
  async setContacts(schoolId: string, actor: Actor, values: SchoolContactsInput): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const before = await this.deps.repository.contacts(tx.db, schoolId);
      if (!before) throw new NotFoundError();
      const changed = (Object.keys(values) as (keyof SchoolContactsInput)[]).filter(
        (k) => before[k] !== values[k],
      );
      if (changed.length === 0) return;
      await this.deps.repository.setContacts(tx.db, schoolId, values);
      await this.deps.audit.record(tx, {
        schoolId,
        actor,
        action: 'people.school-contacts-changed',
        entityType: 'school',
        entityId: schoolId,
        data: { changed },
      });
    });
  }
}
